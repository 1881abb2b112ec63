// Node entry: the whole SDK plus a gRPC (HTTP/2) transport from @connectrpc/connect-node and a file sink.
import type { Transport } from "@connectrpc/connect";
import { Http2SessionManager, createGrpcTransport, type GrpcTransportOptions } from "@connectrpc/connect-node";
import { writeSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { BalancedTransport } from "./balancedTransport.js";
import { RestoreClient, type RestoreClientOptions } from "./client.js";
import { ClientCredentials } from "./credentials.js";
import { parseDnsTarget, resolveDnsTarget } from "./dnsTarget.js";
import { bytesPerPixel, type PixelFormat, type TileSink } from "./stream.js";
import type { Rect } from "./tilePlan.js";
import { WindowedSessionManager } from "./windowedSessionManager.js";

export * from "./core.js";
export { WindowedSessionManager } from "./windowedSessionManager.js";
export {
  ClientCredentials,
  CredentialsError,
  apiKeyEnvironment,
  apiKeyHeader,
  authorizationHeader,
  tokenEnvironment,
  type ClientCredentialsInit,
} from "./credentials.js";

export interface NodeClientOptions extends Omit<RestoreClientOptions, "transport"> {
  /** Transport settings beyond the address (TLS via nodeOptions, interceptors, message limits…). */
  transport?: Partial<Omit<GrpcTransportOptions, "baseUrl">>;
  /**
   * API key / bearer token (sent on every call, over https:// only unless allowed to loopback), CA bundle and client
   * certificate (https://). `ClientCredentials.fromEnv()` reads `$RESTORE_API_KEY` and `$RESTORE_TOKEN`.
   */
  credentials?: ClientCredentials;
  /** Several instances: the grpc.health.v1 service watched on each (default the readiness service). */
  healthService?: string;
  /** Several instances: how long one that failed is left out before it is tried again (default 1 s). */
  instanceRetryMs?: number;
  /** A `dns:///` address: how often the name is resolved again (default 30 s). */
  dnsRefreshMs?: number;
  /** A `dns:///` address: connect over TLS (https) to each resolved address, the certificate checked against the name. */
  tls?: boolean;
  /**
   * Each connection's receive window in bytes (default defaultHttp2Windows.connectionWindowBytes; 65535 is Node's own).
   * The per-stream window and frame size are `transport.nodeOptions.settings` (initialWindowSize, maxFrameSize).
   */
  connectionWindowBytes?: number;
}

/**
 * The HTTP/2 receive windows and largest frame the SDK's connections announce unless the caller sets them. Node keeps
 * RFC 9113's 64 KiB windows and 16 KiB frames, where grpc-dotnet and grpc-go grow theirs to 16 MiB: a multi-MB
 * response or a 12.6 MB stream tile then waits on a WINDOW_UPDATE round trip every 64 KiB (benchmarks/results/sdk-compare.md, run 4).
 */
export const defaultHttp2Windows = {
  streamWindowBytes: 16 * 1024 * 1024,
  connectionWindowBytes: 16 * 1024 * 1024,
  maxFrameBytes: 16 * 1024,
} as const;

/** The readiness service: SERVING once the default model is loaded and warmed up, NOT_SERVING while draining. */
export const readinessHealthService = "restoregrpc.v1.RestoreService";

/**
 * A RestoreClient that owns its connections: close() ends them (the process can then exit). Over several instances,
 * `balancer` is the BalancedTransport (its instances() tell each one's health and calls).
 */
export class NodeRestoreClient extends RestoreClient {
  readonly balancer: BalancedTransport | undefined;
  readonly #close: () => void;

  constructor(options: RestoreClientOptions, connections: Http2SessionManager | BalancedTransport) {
    super(options);
    this.balancer = connections instanceof BalancedTransport ? connections : undefined;
    this.#close = connections instanceof BalancedTransport ? () => connections.close() : () => connections.abort();
  }

  close(): void {
    this.#close();
  }
}

/**
 * A client for `address` over gRPC on HTTP/2, with message limits sized for ×4 outputs (512 MiB in, 128 MiB out):
 * "http://127.0.0.1:5000" for plaintext HTTP/2, "https://…" for TLS, a bare host:port means http. A lost connection
 * is re-established by the next call. close() when done.
 *
 * Several instances: a list of addresses, or `dns:///host:port` (every A / AAAA record of the name, resolved with
 * node:dns and again every dnsRefreshMs: a Kubernetes headless Service). Calls go round-robin over the instances,
 * each with its own connection, skipping those whose grpc.health.v1 status is NOT_SERVING (draining) or that cannot
 * be reached; UNAVAILABLE and, for read-only calls, a lost connection are retried on the next instance, and
 * restoreLarge resumes a lost stream on another one (the server rebuilds the job from the header and held tiles).
 */
export function createRestoreClient(address: string | readonly string[], options: NodeClientOptions = {}): NodeRestoreClient {
  const credentials = options.credentials ?? new ClientCredentials();
  const target = typeof address === "string" ? parseDnsTarget(address) : undefined;
  if (typeof address === "string" && target === undefined) {
    const sessions = connectInstance(address, options, credentials, undefined);
    return new NodeRestoreClient({ ...options, transport: sessions.transport }, sessions.sessions);
  }
  const list = typeof address === "string" ? [] : address.map((a) => (a.includes("://") ? a : `http://${a}`));
  if (target === undefined && list.length === 0) {
    throw new Error("createRestoreClient: the address list is empty");
  }
  const scheme = options.tls ? "https" : "http";
  const balancer = new BalancedTransport({
    resolve: target !== undefined ? () => resolveDnsTarget(target, scheme) : () => Promise.resolve(list),
    connect: (instance) => {
      // A resolved address is dialled by IP but addressed by the name (:authority, TLS server name and certificate).
      const url = new URL(instance);
      const dial = target !== undefined ? { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: target.port } : undefined;
      const connection = connectInstance(target !== undefined ? `${scheme}://${target.host}:${target.port}` : instance, options, credentials, { dial });
      return { transport: connection.transport, close: () => connection.sessions.abort() };
    },
    healthService: options.healthService ?? readinessHealthService,
    retryMs: options.instanceRetryMs ?? 1000,
    refreshMs: target !== undefined ? (options.dnsRefreshMs ?? 30_000) : 0,
  });
  const retry = { retryLostConnections: true, ...options.retry };
  return new NodeRestoreClient({ ...options, retry, transport: balancer }, balancer);
}

/**
 * The gRPC transport of one address over its own HTTP/2 connection. `balanced` (one instance of several) gets a
 * connection that PINGs when quiet (a vanished peer is noticed) and closes once idle (an instance that left the
 * DNS answer); its `dial` is the IP address a DNS name resolved to, which the socket connects to while `address`
 * keeps the name (Node's HTTP/2 would also write an IPv6 literal's :authority without its brackets).
 */
function connectInstance(
  address: string,
  options: NodeClientOptions,
  credentials: ClientCredentials,
  balanced: { dial: { host: string; port: number } | undefined } | undefined,
): { transport: Transport; sessions: Http2SessionManager } {
  const baseUrl = address.includes("://") ? address : `http://${address}`;
  const tls = credentials.tlsOptions(baseUrl);
  const dial = balanced?.dial;
  const callerNodeOptions = options.transport?.nodeOptions;
  const settings = {
    initialWindowSize: defaultHttp2Windows.streamWindowBytes,
    maxFrameSize: defaultHttp2Windows.maxFrameBytes,
    ...callerNodeOptions?.settings,
  };
  const nodeOptions = { ...callerNodeOptions, settings, ...tls };
  const http2Options = dial === undefined
    ? nodeOptions
    : {
      ...nodeOptions,
      createConnection: baseUrl.startsWith("https:")
        ? () => tlsConnect({ ...nodeOptions, host: dial.host, port: dial.port, servername: new URL(baseUrl).hostname, ALPNProtocols: ["h2"] })
        : () => netConnect({ host: dial.host, port: dial.port }),
    };
  const sessions = balanced === undefined && options.transport?.sessionManager instanceof Http2SessionManager
    ? options.transport.sessionManager
    : new WindowedSessionManager(baseUrl, balanced === undefined ? {} : { pingIntervalMs: 15_000, idleConnectionTimeoutMs: 60_000 }, http2Options,
      options.connectionWindowBytes ?? defaultHttp2Windows.connectionWindowBytes);
  const authentication = credentials.interceptor();
  const transport = createGrpcTransport({
    baseUrl,
    readMaxBytes: 512 * 1024 * 1024,
    writeMaxBytes: 128 * 1024 * 1024,
    ...options.transport,
    interceptors: [...(authentication ? [authentication] : []), ...(options.transport?.interceptors ?? [])],
    sessionManager: sessions,
  });
  return { transport, sessions };
}

/**
 * Writes the output as raw pixels (the PixelFormat layout, rows packed, no header) at their offsets in a file: the
 * client holds one tile at a time, whatever the output size.
 */
export class FileSink implements TileSink {
  #file: FileHandle | undefined;
  #width = 0;
  #bpp = 0;

  constructor(readonly path: string) {}

  async start(width: number, _height: number, format: PixelFormat): Promise<void> {
    this.#width = width;
    this.#bpp = bytesPerPixel(format);
    this.#file = await open(this.path, "w");
  }

  // Rows are written with positional writeSync, as the C# and Go sinks do: a tile's rows are a few KiB each and
  // land in the page cache at once, where an awaited FileHandle.write per row cost a thread-pool hop, two thread
  // wake-ups and a promise each (2,048 rows a tile at ×4).
  write(rect: Rect, pixels: Uint8Array): void {
    const rowBytes = rect.width * this.#bpp;
    const fd = this.#file!.fd;
    for (let y = 0; y < rect.height; y++) {
      writeSync(fd, pixels, y * rowBytes, rowBytes, ((rect.y + y) * this.#width + rect.x) * this.#bpp);
    }
  }

  async complete(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }
}

// Node entry: the whole SDK plus a gRPC (HTTP/2) transport from @connectrpc/connect-node and a file sink.
import { Http2SessionManager, createGrpcTransport, type GrpcTransportOptions } from "@connectrpc/connect-node";
import { open, type FileHandle } from "node:fs/promises";
import { RestoreClient, type RestoreClientOptions } from "./client.js";
import { ClientCredentials } from "./credentials.js";
import { bytesPerPixel, type PixelFormat, type TileSink } from "./stream.js";
import type { Rect } from "./tilePlan.js";

export * from "./core.js";
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
}

/** A RestoreClient that owns its HTTP/2 connection: close() ends it (the process can then exit). */
export class NodeRestoreClient extends RestoreClient {
  readonly #sessions: Http2SessionManager;

  constructor(options: RestoreClientOptions, sessions: Http2SessionManager) {
    super(options);
    this.#sessions = sessions;
  }

  close(): void {
    this.#sessions.abort();
  }
}

/**
 * A client for `address` ("http://127.0.0.1:5000" for plaintext HTTP/2, "https://…" for TLS; a bare host:port
 * means http) over gRPC on HTTP/2, with message limits sized for ×4 outputs (512 MiB in, 128 MiB out). A lost
 * connection is re-established by the next call. close() when done.
 */
export function createRestoreClient(address: string, options: NodeClientOptions = {}): NodeRestoreClient {
  const baseUrl = address.includes("://") ? address : `http://${address}`;
  const credentials = options.credentials ?? new ClientCredentials();
  const tls = credentials.tlsOptions(baseUrl);
  const sessions = options.transport?.sessionManager instanceof Http2SessionManager
    ? options.transport.sessionManager
    : new Http2SessionManager(baseUrl, {}, { ...options.transport?.nodeOptions, ...tls });
  const authentication = credentials.interceptor();
  const transport = createGrpcTransport({
    baseUrl,
    readMaxBytes: 512 * 1024 * 1024,
    writeMaxBytes: 128 * 1024 * 1024,
    ...options.transport,
    interceptors: [...(authentication ? [authentication] : []), ...(options.transport?.interceptors ?? [])],
    sessionManager: sessions,
  });
  return new NodeRestoreClient({ ...options, transport }, sessions);
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

  async write(rect: Rect, pixels: Uint8Array): Promise<void> {
    const rowBytes = rect.width * this.#bpp;
    for (let y = 0; y < rect.height; y++) {
      await this.#file!.write(pixels, y * rowBytes, rowBytes, ((rect.y + y) * this.#width + rect.x) * this.#bpp);
    }
  }

  async complete(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }
}

import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { ContextValues, StreamResponse, Transport, UnaryResponse } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { isLostConnection } from "./errors.js";
import { InstanceHealth, type InstanceState } from "./instanceHealth.js";

/** One instance's own transport (its own HTTP/2 connection) and how to end it. */
export interface InstanceConnection {
  readonly transport: Transport;
  close(): void;
}

export interface BalancedTransportOptions {
  /** The instances' base URLs ("http://10.0.0.7:5000"); asked again every refreshMs (a DNS name's records). */
  resolve(): Promise<readonly string[]>;
  /** Opens the transport of one instance. */
  connect(address: string): InstanceConnection;
  /** The grpc.health.v1 service each instance is watched on; "" for the server as a whole. */
  healthService: string;
  /** How long an instance whose health watch or call failed is left out before it is tried again. */
  retryMs: number;
  /** How often resolve() is asked again; 0 never (a fixed list). */
  refreshMs: number;
}

/** One instance as the balancer sees it: its address, health and the calls it was given. */
export interface InstanceSnapshot {
  readonly address: string;
  readonly state: InstanceState;
  readonly usable: boolean;
  readonly calls: number;
}

interface Instance {
  readonly address: string;
  readonly connection: InstanceConnection;
  readonly health: InstanceHealth;
  calls: number;
}

/**
 * A Connect transport over several server instances, picked round-robin per call (unary and stream alike), each
 * through its own transport. Health-aware: an instance whose grpc.health.v1 watch says NOT_SERVING (it drains, or is
 * not ready) or that cannot be reached is skipped, and so is, for a while, one whose call lost its connection or got
 * UNAVAILABLE; when none is usable the next one is tried anyway, so a call fails with a real error rather than none.
 * Retrying a failed call is the client's job (withRetry, restoreLarge's resume): its next attempt goes to the next
 * usable instance. The instance list comes from resolve() (a fixed list, or a DNS name's addresses re-resolved every
 * refreshMs); an instance that leaves the list gets no new calls, and its connection ends when it is idle or at
 * close().
 */
export class BalancedTransport implements Transport {
  readonly #options: BalancedTransportOptions;
  #instances: Instance[] = [];
  readonly #retired: Instance[] = [];
  #next = 0;
  #resolved: Promise<void> | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: BalancedTransportOptions) {
    this.#options = options;
  }

  /** The instances now, in rotation order: for tests, logs and metrics. */
  instances(): InstanceSnapshot[] {
    return this.#instances.map((i) => ({ address: i.address, state: i.health.state, usable: i.health.usable, calls: i.calls }));
  }

  unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    header: HeadersInit | undefined,
    input: MessageInitShape<I>,
    contextValues?: ContextValues,
  ): Promise<UnaryResponse<I, O>> {
    return this.#through(signal, (t) => t.unary(method, signal, timeoutMs, header, input, contextValues));
  }

  stream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodStreaming<I, O>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    header: HeadersInit | undefined,
    input: AsyncIterable<MessageInitShape<I>>,
    contextValues?: ContextValues,
  ): Promise<StreamResponse<I, O>> {
    return this.#through(signal, (t) => t.stream(method, signal, timeoutMs, header, input, contextValues));
  }

  /** Stops the health watches and the re-resolution and ends every connection (calls in flight fail). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#refreshTimer);
    for (const instance of [...this.#instances, ...this.#retired]) {
      instance.health.close();
      instance.connection.close();
    }
    this.#instances = [];
    this.#retired.length = 0;
  }

  async #through<T>(signal: AbortSignal | undefined, call: (transport: Transport) => Promise<T>): Promise<T> {
    this.#resolved ??= this.#refresh().then(
      () => this.#startRefreshing(),
      (error: unknown) => {
        this.#resolved = undefined; // the next call asks again
        throw new ConnectError(`the server instances could not be resolved: ${error instanceof Error ? error.message : String(error)}`, Code.Unavailable);
      },
    );
    await this.#resolved;
    const instance = this.#pick();
    instance.calls++;
    try {
      return await call(instance.connection.transport);
    } catch (error) {
      if (!signal?.aborted && (ConnectError.from(error).code === Code.Unavailable || isLostConnection(error))) {
        instance.health.suspend();
      }
      throw error;
    }
  }

  #pick(): Instance {
    const instances = this.#instances;
    if (instances.length === 0) {
      throw new ConnectError(this.#closed ? "the client is closed" : "no server instance is known (the address list or DNS name gave none)", Code.Unavailable);
    }
    for (let n = 0; n < instances.length; n++) {
      const instance = instances[(this.#next + n) % instances.length]!;
      if (instance.health.usable) {
        this.#next = (this.#next + n + 1) % instances.length;
        return instance;
      }
    }
    const instance = instances[this.#next % instances.length]!;
    this.#next = (this.#next + 1) % instances.length;
    return instance;
  }

  #startRefreshing(): void {
    if (this.#options.refreshMs > 0 && !this.#closed) {
      this.#refreshTimer = setInterval(() => void this.#refresh().catch(() => undefined), this.#options.refreshMs);
      // Node: the timer alone does not keep the process alive (browsers have no unref).
      (this.#refreshTimer as { unref?: () => void }).unref?.();
    }
  }

  /** Brings the instance list in line with resolve(): new addresses are connected, gone ones retired. */
  async #refresh(): Promise<void> {
    const addresses = [...new Set(await this.#options.resolve())].sort();
    if (this.#closed) {
      return;
    }
    const kept = this.#instances.filter((i) => addresses.includes(i.address));
    for (const gone of this.#instances.filter((i) => !addresses.includes(i.address))) {
      gone.health.close();
      this.#retired.push(gone);
    }
    for (const address of addresses.filter((a) => !kept.some((i) => i.address === a))) {
      const connection = this.#options.connect(address);
      kept.push({ address, connection, health: new InstanceHealth(connection.transport, this.#options.healthService, this.#options.retryMs), calls: 0 });
    }
    this.#instances = kept.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }
}

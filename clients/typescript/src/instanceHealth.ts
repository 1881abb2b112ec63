import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus } from "./gen/grpc/health/v1/health_pb.js";
import { sleep } from "./retry.js";

/** What a balancer knows of one instance: not yet heard from, serving, draining / not ready, or not reachable. */
export type InstanceState = "unknown" | "serving" | "not-serving" | "unreachable";

/**
 * Watches one instance's grpc.health.v1 status (Health.Watch on `service`, over the instance's own transport and so
 * its own HTTP/2 connection): SERVING, NOT_SERVING (the server drains, or its default model is not ready) or
 * unreachable (the watch failed: connection refused or lost). An ended or failed watch is re-opened every
 * `retryMs`, so an instance that comes back is used again. A server without the health service (UNIMPLEMENTED) counts as serving and
 * is judged by its calls alone. `suspend()` takes the instance out for `retryMs` after one of its calls lost its
 * connection or got UNAVAILABLE, before the watch may have noticed.
 */
export class InstanceHealth {
  readonly #stop = new AbortController();
  readonly #retryMs: number;
  #state: InstanceState = "unknown";
  #suspendedUntil = 0;

  constructor(transport: Transport, service: string, retryMs: number) {
    this.#retryMs = retryMs;
    void this.#watch(createClient(Health, transport), service);
  }

  get state(): InstanceState {
    return this.#state;
  }

  /** Whether calls should go here: serving (or not heard from yet) and not suspended after a failed call. */
  get usable(): boolean {
    return (this.#state === "serving" || this.#state === "unknown") && performance.now() >= this.#suspendedUntil;
  }

  suspend(): void {
    this.#suspendedUntil = performance.now() + this.#retryMs;
  }

  close(): void {
    this.#stop.abort();
  }

  async #watch(health: ReturnType<typeof createClient<typeof Health>>, service: string): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        for await (const answer of health.watch({ service }, { signal })) {
          this.#state = answer.status === HealthCheckResponse_ServingStatus.SERVING ? "serving" : "not-serving";
        }
        // The server ended the watch: grpc-dotnet does when the host stops, right after sending NOT_SERVING. The last
        // status stands until the watch is re-opened.
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        if (ConnectError.from(error).code === Code.Unimplemented) {
          this.#state = "serving";
          return;
        }
        this.#state = "unreachable";
      }
      try {
        await sleep(this.#retryMs, signal);
      } catch {
        return;
      }
    }
  }
}

import { Code, ConnectError } from "@connectrpc/connect";
import { isLostConnection, retryDelayMs } from "./errors.js";

export interface RetryPolicy {
  /** Attempts per call, the first included (1 disables retries). */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /**
   * Also retry a read-only call (restore, estimate, detectFaces, listModels) whose connection was lost under it, as
   * when a server process dies mid-call: the call did nothing the retry could repeat. On by default for a client
   * over several instances (the retry goes to another one), off for one address.
   */
  retryLostConnections: boolean;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 250, maxBackoffMs: 4000, retryLostConnections: false };

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(ConnectError.from(signal.reason, Code.Canceled));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(ConnectError.from(signal?.reason, Code.Canceled));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The retry policy of the C# SDK's service config (Connect has no service config, so it is applied here, around
 * each unary call): UNAVAILABLE is retried with exponential back-off and full jitter; RESOURCE_EXHAUSTED is
 * retried when the server sent a google.rpc.RetryInfo delay, after that delay (at most maxBackoffMs). `attempt`
 * gets the time left of the call's deadline (undefined without one), so retries never outlive it. Streams are
 * not retried here (restoreLarge resumes them). A `readOnly` call whose connection was lost is retried like
 * UNAVAILABLE when the policy says so.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
  attempt: (timeoutMs: number | undefined) => Promise<T>,
  readOnly = false,
): Promise<T> {
  const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
  for (let n = 1; ; n++) {
    const left = deadline === undefined ? undefined : Math.max(1, Math.round(deadline - performance.now()));
    try {
      return await attempt(left);
    } catch (error) {
      const e = ConnectError.from(error);
      if (n >= policy.maxAttempts || signal?.aborted) {
        throw e;
      }
      let delay: number;
      if (e.code === Code.Unavailable || (readOnly && policy.retryLostConnections && isLostConnection(e))) {
        delay = Math.random() * Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (n - 1));
      } else if (e.code === Code.ResourceExhausted && retryDelayMs(e) !== undefined) {
        delay = Math.min(policy.maxBackoffMs, retryDelayMs(e)!);
      } else {
        throw e;
      }
      if (deadline !== undefined && performance.now() + delay >= deadline) {
        throw e;
      }
      await sleep(delay, signal);
    }
  }
}

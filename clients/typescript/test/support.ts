import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";

const here = dirname(fileURLToPath(import.meta.url));

/** clients/conformance (RESTOREGRPC_CONFORMANCE when set); tests run from dist/test. */
export function conformanceDir(): string {
  return process.env.RESTOREGRPC_CONFORMANCE ?? resolve(here, "../../../conformance");
}

/** Skips with the reason, or fails under CI=true (missing shared inputs must not pass silently in CI). */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.CI === "true") {
    throw new Error(`${reason} (CI=true)`);
  }
  t.skip(reason);
}

export { join };

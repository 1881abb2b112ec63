// Generates src/gen/ (never committed) from protos/ with the TypeScript SDK's generator (protoc and this package's
// @bufbuild/protoc-gen-es): the same messages and service descriptors the SDK uses.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(
  process.execPath,
  [join(here, "../typescript/scripts/generate.mjs"), join(here, "src/gen"), join(here, "node_modules/.bin/protoc-gen-es")],
  { stdio: "inherit" },
);

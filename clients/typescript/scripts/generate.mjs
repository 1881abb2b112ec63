// Generates src/gen/ from protos/ (and google/rpc error details) with protoc and @bufbuild/protoc-gen-es:
// messages, enums and service descriptors as TypeScript, never committed. Needs protoc (Debian:
// protobuf-compiler) on PATH or in $PROTOC. clients/web runs it too, with its own output folder and plugin
// (arguments: OUT_DIR PLUGIN).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protos = resolve(here, "../../protos");
// google/rpc/error_details.proto (BadRequest, RetryInfo, ResourceInfo…), the copy the Python SDK keeps.
const googleapis = resolve(here, "../python/third_party/googleapis");
// grpc/health/v1/health.proto (the health service the balanced transport watches per instance), vendored here.
const thirdParty = resolve(here, "third_party");
const out = process.argv[2] ? resolve(process.argv[2]) : join(here, "src/gen");
const plugin = process.argv[3] ? resolve(process.argv[3]) : join(here, "node_modules/.bin/protoc-gen-es");
if (!existsSync(plugin)) {
  throw new Error(`${plugin} is missing: run npm install first`);
}
if (!existsSync(join(googleapis, "google/rpc/error_details.proto"))) {
  throw new Error(`${googleapis}/google/rpc/error_details.proto is missing`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync(
  process.env.PROTOC ?? "protoc",
  [
    `--plugin=protoc-gen-es=${plugin}`,
    `--es_out=${out}`,
    "--es_opt=target=ts,import_extension=js",
    `-I${protos}`,
    `-I${googleapis}`,
    `-I${thirdParty}`,
    "restoregrpc/v1/image.proto",
    "restoregrpc/v1/models.proto",
    "restoregrpc/v1/restore_service.proto",
    "restoregrpc/v1/model_admin_service.proto",
    "google/rpc/error_details.proto",
    "grpc/health/v1/health.proto",
  ],
  { stdio: "inherit" },
);

#!/usr/bin/env bash
# The web page's suite (scripts/test.sh runs it): builds the server (its build runs npm ci and the page's build and
# puts the page in its wwwroot), starts it on 127.0.0.1 port 0 with a gRPC endpoint and a web endpoint and the
# shared models, then drives the page in Debian's Chromium through playwright-core (test/page.test.ts): a batch
# whose downloads equal the unary Restore output byte for byte, a broken file reported while the others finish,
# progress, the before/after view with faces, the models panel's actions end to end (no authentication here, so
# admin calls are allowed), switching models while restores run, presets, phone width and keyboard. Screenshots
# and downloads go to test-output/. Prints "N passed, N failed, N skipped" last; without node, npm, protoc,
# chromium or ../shared it skips with the reason (fails under CI=true).
set -uo pipefail
cd "$(dirname "$0")"
here="$PWD"
root="$(cd ../.. && pwd)"

SUITE=web
source ../../scripts/client-suite-lib.sh
command -v node >/dev/null || skip_or_fail "node not found (apt: nodejs)"
command -v npm >/dev/null || skip_or_fail "npm not found (apt: npm)"
command -v protoc >/dev/null || skip_or_fail "protoc not found (apt: protobuf-compiler)"
chromium="${CHROMIUM:-$(command -v chromium || true)}"
[ -n "$chromium" ] || skip_or_fail "chromium not found (apt: chromium)"
shared="${RESTOREGRPC_SHARED:-$root/../shared}"
[ -d "$shared/models" ] && [ -d "$shared/images" ] || skip_or_fail "shared assets not found at $shared (set RESTOREGRPC_SHARED)"
shared="$(cd "$shared" && pwd)"

fail() { echo "web: $1"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log="$(mktemp)"
dotnet build "$root/src/RestoreGrpc.Server/RestoreGrpc.Server.csproj" -c Release >"$log" 2>&1 || { cat "$log"; rm -f "$log"; fail "the server did not build"; }
rm -f "$log"
server_dir="$root/src/RestoreGrpc.Server/bin/Release/net10.0"
[ -f "$server_dir/wwwroot/index.html" ] || fail "the server's build put no page in $server_dir/wwwroot (see the RGWEB01 warning)"

out="$here/test-output"
rm -rf "$out"; mkdir -p "$out"
server_log="$out/server.log"
dotnet "$server_dir/RestoreGrpc.Server.dll" \
  --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0 \
  --Kestrel:Endpoints:Web:Url=http://127.0.0.1:0 \
  "--Restore:Models:Directory=$shared/models" \
  --Restore:Models:ExecutionProvider=Cpu \
  --Restore:Models:WarmUp=Minimal \
  --Restore:Models:DownloadMissing=false \
  --Restore:Models:Entries:10:Name=face-standin-512 \
  --Restore:Models:Entries:10:File=face-standin-512.onnx \
  --Restore:Models:Entries:10:Task=FaceRestoration \
  --Restore:Models:Entries:10:InputRange=MinusOneToOne \
  --Restore:Models:Entries:10:FixedSize=512 \
  --Logging:LogLevel:Default=Warning \
  --Logging:LogLevel:RestoreGrpc.Server.Hosting.WebPageHosting=Information \
  >"$server_log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null' EXIT

url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'Web page: http://127\.0\.0\.1:[0-9]*/' "$server_log" | head -1 | sed 's|^Web page: ||')"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { cat "$server_log"; fail "the server did not start"; }
echo "web: page at $url (models from $shared/models)"

# The tests are TypeScript: bundled for Node (dependencies stay in node_modules), then run by node --test.
npx esbuild test/page.test.ts --bundle --platform=node --format=esm --packages=external --log-level=warning \
  --outfile="$out/page.test.mjs" || fail "the tests did not compile"
npx tsc -p test/tsconfig.json || fail "the tests did not type-check"
RESTOREGRPC_WEB="$url" RESTOREGRPC_SHARED="$shared" RESTOREGRPC_WEB_OUTPUT="$out" CHROMIUM="$chromium" \
  node --test --test-reporter=spec --test-concurrency=1 "$out/page.test.mjs" 2>&1 | node ../typescript/scripts/summary.mjs
status=${PIPESTATUS[0]}
echo "web: screenshots and downloads in $out"
exit "$status"

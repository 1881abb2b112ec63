#!/usr/bin/env bash
# The TypeScript SDK's suite (scripts/test.sh runs it): npm ci (into the ignored node_modules), code generation
# from protos/, tsc, eslint, the node --test unit tests (tile plan vs the kit's golden files, streaming against an
# in-memory fake server, errors and retries, the balanced transport over in-memory instances) with the fleet tests
# (three real server processes behind the balanced transport, one SIGKILLed and one drained: they need the server
# built, here, but no models; without dotnet they skip), then the conformance cases against a real server that
# clients/conformance/run.sh starts; prints "N passed, N failed, N skipped" last. Without Node (≥ 18), npm or protoc
# it skips with the reason (fails under CI=true).
set -uo pipefail
cd "$(dirname "$0")"

SUITE=typescript
source ../../scripts/client-suite-lib.sh
command -v node >/dev/null || skip_or_fail "node not found (apt: nodejs)"
# The package declares Node >= 20 (tried here on 20); the suite is let run on Debian bookworm's Node 18.19 too,
# which a fresh CI machine gets from apt (Connect and node --test support 18; not tried on 18 here).
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ] || skip_or_fail "Node $(node --version) is older than 18"
command -v npm >/dev/null || skip_or_fail "npm not found (apt: npm)"
command -v protoc >/dev/null || skip_or_fail "protoc not found (apt: protobuf-compiler)"
source ./build.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

lint_failed=0
npx eslint . || { lint_failed=1; echo "typescript: eslint reported problems"; }

build_failed=0
if command -v dotnet >/dev/null; then
  if DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet build ../../src/RestoreGrpc.Server/RestoreGrpc.Server.csproj -c Release >/tmp/restoregrpc-ts-server-build.log 2>&1; then
    export RESTOREGRPC_SERVER_DLL="$(cd ../.. && pwd)/src/RestoreGrpc.Server/bin/Release/net10.0/RestoreGrpc.Server.dll"
  else
    cat /tmp/restoregrpc-ts-server-build.log; echo "typescript: the server did not build for the fleet tests"; build_failed=1
  fi
fi

unit="$(node --test --test-reporter=spec dist/test/*.test.js dist/test/fleet/*.test.js 2>&1 | node scripts/summary.mjs)"
echo "$unit" | sed '$d'
unit_line="$(echo "$unit" | tail -1)"

run_conformance
print_total "$unit_line" "$conformance_line" "$((lint_failed + build_failed))"

#!/usr/bin/env bash
# Conformance entry script (see clients/conformance/README.md): builds and starts a real RestoreGrpc server on
# 127.0.0.1 port 0 with the shared models, then runs the SDK runners against it with RESTOREGRPC_SERVER,
# RESTOREGRPC_SHARED and RESTOREGRPC_CONFORMANCE set.
#   run.sh                 every executable clients/*/conformance.sh
#   run.sh CMD [ARGS...]   only CMD
# Prints the runners' output and, without arguments, a last line "N passed, N failed, N skipped" summed over them.
set -uo pipefail
kit="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$kit/../.." && pwd)"

shared="${RESTOREGRPC_SHARED:-$root/../shared}"
if [ ! -d "$shared/models" ]; then
  reason="shared assets not found at $shared (set RESTOREGRPC_SHARED); the conformance suite needs the real models"
  if [ "${CI:-}" = "true" ]; then
    echo "conformance: FAILED: $reason (CI=true)"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  echo "conformance: SKIPPED: $reason"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
shared="$(cd "$shared" && pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
build_log="$(mktemp)"
if ! dotnet build "$root/src/RestoreGrpc.Server/RestoreGrpc.Server.csproj" -c Release >"$build_log" 2>&1; then
  cat "$build_log"
  echo "conformance: the server did not build"
  echo "0 passed, 1 failed, 0 skipped"
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"

server_log="$(mktemp)"
dotnet "$root/src/RestoreGrpc.Server/bin/Release/net10.0/RestoreGrpc.Server.dll" \
  --urls http://127.0.0.1:0 \
  "--Restore:Models:Directory=$shared/models" \
  --Restore:Models:ExecutionProvider=Cpu \
  --Restore:Models:WarmUp=Minimal \
  --Restore:Models:DownloadMissing=false \
  --Logging:LogLevel:Default=Warning \
  --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information \
  >"$server_log" 2>&1 &
server_pid=$!
stop_server() {
  kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -f "$server_log"
}
trap stop_server EXIT

address=""
for _ in $(seq 1 600); do
  address="$(grep -o 'Now listening on: http://127\.0\.0\.1:[0-9]*' "$server_log" | head -1 | sed 's|.*http://||')"
  [ -n "$address" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$address" ]; then
  cat "$server_log"
  echo "conformance: the server did not start"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
echo "conformance: server at $address (models from $shared/models)"

export RESTOREGRPC_SERVER="$address" RESTOREGRPC_SHARED="$shared" RESTOREGRPC_CONFORMANCE="$kit"

if [ $# -gt 0 ]; then
  "$@"
  exit $?
fi

passed=0; failed=0; skipped=0; status=0
for runner in "$root"/clients/*/conformance.sh; do
  [ -x "$runner" ] || continue
  echo "== $runner"
  log="$(mktemp)"
  "$runner" 2>&1 | tee "$log"
  runner_status=${PIPESTATUS[0]}
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "$runner printed no closing line (exit $runner_status)"
    failed=$((failed + 1)); status=1
    continue
  fi
  passed=$((passed + $(echo "$line" | grep -o '^[0-9]*')))
  failed=$((failed + $(echo "$line" | grep -o '[0-9]* failed' | grep -o '[0-9]*')))
  s="$(echo "$line" | grep -o '[0-9]* skipped' | grep -o '[0-9]*')"
  skipped=$((skipped + ${s:-0}))
  [ "$runner_status" -eq 0 ] || status=1
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]

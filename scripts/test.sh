#!/usr/bin/env bash
# Builds and runs every test project, then prints one line from the TRX results:
#   N passed, N failed, N skipped
# Tests that need ../shared (real models and images) skip with a reason when it is absent, and fail under CI=true.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Tiling").
set -uo pipefail
cd "$(dirname "$0")/.."

results="TestResults"
rm -rf "$results"
dotnet test RestoreGrpc.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
done

if [ "$files" -eq 0 ]; then
  echo "no test results were written (build failure?)"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi

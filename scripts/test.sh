#!/usr/bin/env bash
# The README's test command, and what CI runs (.ci/run calls it): the same steps locally and in CI.
#  1. scripts/prerequisites.sh says which system packages the tests need and installs the missing ones.
#  2. Every .NET test project (dotnet test, TRX results).
#  3. The contract's checks (protos/test.sh: buf lint, buf breaking against the released image) and every other
#     language's suite: each executable clients/*/test.sh, and the Kubernetes manifests' (deploy/*/test.sh). Each prints its own closing line
#     "N passed, N failed, N skipped" last.
# Then one line for all of them: N passed, N failed, N skipped.
# Tests that need ../shared (real models and images) skip with a reason when it is absent, and fail under CI=true.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Tiling"); with arguments the other
# languages' suites are not run.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/prerequisites.sh

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
  # xUnit v3 writes a skipped test as not executed without counting it in notExecuted: total - executed.
  skipped=$((skipped + $(count total) - $(count executed)))
done

if [ "$files" -eq 0 ]; then
  echo "no .NET test results were written (build failure?)"
  failed=$((failed + 1))
fi
echo ".NET: $passed passed, $failed failed, $skipped skipped"
# The names of failed .NET tests, kept for the end of the output (a CI log's tail is often all that is read).
failures=$(grep -ho '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$results"/*.trx 2>/dev/null \
  | grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/  .NET: \1/' | sed 's/&quot;/"/g; s/&amp;/\&/g')

if [ $# -eq 0 ]; then
  for suite in protos/test.sh clients/*/test.sh deploy/*/test.sh; do
    [ -x "$suite" ] || continue
    echo "== $suite"
    log=$(mktemp)
    "$suite" 2>&1 | tee "$log"
    suite_status=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    rm -f "$log"
    if [ -z "$line" ]; then
      echo "$suite printed no closing line (exit $suite_status)"
      failed=$((failed + 1)); status=1
      continue
    fi
    p=$(echo "$line" | grep -o '^[0-9]*'); f=$(echo "$line" | grep -o '[0-9]* failed' | grep -o '[0-9]*')
    s=$(echo "$line" | grep -o '[0-9]* skipped' | grep -o '[0-9]*' || echo 0)
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
    [ "$suite_status" -eq 0 ] || status=1
    [ "${f:-0}" -eq 0 ] || failures=$(printf '%s\n  %s: %s failed (its output above)' "$failures" "$suite" "$f")
  done
fi

if [ -n "$failures" ]; then
  echo "failed:"
  echo "$failures" | sed '/^$/d'
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi

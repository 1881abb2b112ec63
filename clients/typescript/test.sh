#!/usr/bin/env bash
# The TypeScript SDK's suite (scripts/test.sh runs it): npm ci (into the ignored node_modules), code generation
# from protos/, tsc, eslint, the node --test unit tests (tile plan vs the kit's golden files, streaming against an
# in-memory fake server, errors and retries), then the conformance cases against a real server that
# clients/conformance/run.sh starts; prints "N passed, N failed, N skipped" last. Without Node ≥ 20, npm or protoc
# it skips with the reason (fails under CI=true).
set -uo pipefail
cd "$(dirname "$0")"

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "typescript: FAILED: $1 (CI=true)"; echo "0 passed, 1 failed, 0 skipped"; exit 1
  fi
  echo "typescript: SKIPPED: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0
}
command -v node >/dev/null || skip_or_fail "node not found (Node >= 20)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || skip_or_fail "Node $(node --version) is older than 20"
command -v npm >/dev/null || skip_or_fail "npm not found (apt: npm)"
command -v protoc >/dev/null || skip_or_fail "protoc not found (apt: protobuf-compiler)"
source ./build.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

lint_failed=0
npx eslint . || { lint_failed=1; echo "typescript: eslint reported problems"; }

unit="$(node --test --test-reporter=spec dist/test/*.test.js 2>&1 | node scripts/summary.mjs)"
echo "$unit" | sed '$d'
unit_line="$(echo "$unit" | tail -1)"

if [ -x ../conformance/run.sh ]; then
  conformance="$(../conformance/run.sh "$PWD/conformance.sh" 2>&1)"
  echo "$conformance" | sed '$d'
  conformance_line="$(echo "$conformance" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)"
  [ -n "$conformance_line" ] || conformance_line="0 passed, 1 failed, 0 skipped"
else
  if [ "${CI:-}" = "true" ]; then conformance_line="0 passed, 1 failed, 0 skipped"; else conformance_line="0 passed, 0 failed, 1 skipped"; fi
  echo "typescript: conformance SKIPPED: clients/conformance/run.sh is not in this checkout"
fi

field() { echo "$1" | grep -o "[0-9]* $2" | grep -o '[0-9]*'; }
passed=$(( $(field "$unit_line" passed) + $(field "$conformance_line" passed) ))
failed=$(( $(field "$unit_line" failed) + $(field "$conformance_line" failed) + lint_failed ))
skipped=$(( $(field "$unit_line" skipped) + $(field "$conformance_line" skipped) ))
echo "typescript: unit $unit_line; conformance $conformance_line"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# The Go SDK's suite (scripts/test.sh runs it): generates the code from protos/, go vet, the unit tests (tile plan
# vs the kit's golden files, streaming against an in-process fake server, errors and retries), then the
# conformance cases against a real server that clients/conformance/run.sh starts; prints
# "N passed, N failed, N skipped" last. Without Go or the Debian Go sources it skips with the reason (fails under
# CI=true); scripts/prerequisites.sh installs them.
set -uo pipefail
cd "$(dirname "$0")"

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "go: FAILED: $1 (CI=true)"; echo "0 passed, 1 failed, 0 skipped"; exit 1
  fi
  echo "go: SKIPPED: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0
}
command -v go >/dev/null || skip_or_fail "go not found (apt: golang-go)"
for tool in protoc protoc-gen-go protoc-gen-go-grpc; do
  command -v "$tool" >/dev/null || skip_or_fail "$tool not found (apt: protobuf-compiler protoc-gen-go protoc-gen-go-grpc)"
done
source ./env.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

vet_failed=0
go vet ./... && go vet -tags conformance ./... || vet_failed=1

unit="$(go test -count=1 -json ./... 2>&1 | go run ./internal/testcount)"
echo "$unit" | sed '$d'
unit_line="$(echo "$unit" | tail -1)"

if [ -x ../conformance/run.sh ]; then
  conformance="$(../conformance/run.sh "$PWD/conformance.sh" 2>&1)"
  echo "$conformance" | sed '$d'
  conformance_line="$(echo "$conformance" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)"
  [ -n "$conformance_line" ] || conformance_line="0 passed, 1 failed, 0 skipped"
else
  if [ "${CI:-}" = "true" ]; then conformance_line="0 passed, 1 failed, 0 skipped"; else conformance_line="0 passed, 0 failed, 1 skipped"; fi
  echo "go: conformance SKIPPED: clients/conformance/run.sh is not in this checkout"
fi

field() { echo "$1" | grep -o "[0-9]* $2" | grep -o '[0-9]*'; }
passed=$(( $(field "$unit_line" passed) + $(field "$conformance_line" passed) ))
failed=$(( $(field "$unit_line" failed) + $(field "$conformance_line" failed) + vet_failed ))
skipped=$(( $(field "$unit_line" skipped) + $(field "$conformance_line" skipped) ))
[ "$vet_failed" -eq 0 ] || echo "go: go vet reported problems"
echo "go: unit $unit_line; conformance $conformance_line"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

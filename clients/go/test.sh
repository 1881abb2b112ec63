#!/usr/bin/env bash
# The Go SDK's suite (scripts/test.sh runs it): generates the code from protos/, go vet, the unit tests (tile plan
# vs the kit's golden files, streaming against an in-process fake server, errors and retries), then the
# conformance cases against a real server that clients/conformance/run.sh starts; prints
# "N passed, N failed, N skipped" last. Without Go or the Debian Go sources it skips with the reason (fails under
# CI=true); scripts/prerequisites.sh installs them.
set -uo pipefail
cd "$(dirname "$0")"

SUITE=go
source ../../scripts/client-suite-lib.sh
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

run_conformance
[ "$vet_failed" -eq 0 ] || echo "go: go vet reported problems"
print_total "$unit_line" "$conformance_line" "$vet_failed"

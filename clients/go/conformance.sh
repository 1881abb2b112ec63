#!/usr/bin/env bash
# The Go conformance runner, as clients/conformance/run.sh calls it (RESTOREGRPC_SERVER, RESTOREGRPC_SHARED and
# RESTOREGRPC_CONFORMANCE set): runs conformance/ (build tag conformance), one subtest per case, and prints
# "N passed, N failed, N skipped" last.
set -uo pipefail
cd "$(dirname "$0")"
source ./env.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
go test -tags conformance -count=1 -json -timeout 20m ./conformance/ 2>&1 | go run ./internal/testcount

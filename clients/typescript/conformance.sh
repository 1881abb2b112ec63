#!/usr/bin/env bash
# The TypeScript conformance runner, as clients/conformance/run.sh calls it (RESTOREGRPC_SERVER,
# RESTOREGRPC_SHARED and RESTOREGRPC_CONFORMANCE set): builds (generated code included) and runs
# test/conformance with node --test, one test per case; prints "N passed, N failed, N skipped" last.
set -uo pipefail
cd "$(dirname "$0")"
source ./build.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
node --test --test-reporter=spec dist/test/conformance/*.test.js 2>&1 | node scripts/summary.mjs

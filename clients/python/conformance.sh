#!/usr/bin/env bash
# The Python conformance runner, as clients/conformance/run.sh calls it (RESTOREGRPC_SERVER etc. set): generates
# the stubs, runs tests/conformance, prints "N passed, N failed, N skipped".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
py="${RESTOREGRPC_PYTHON:-/usr/bin/python3}"
"$py" generate.py || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
mkdir -p build/test-results
PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -q -p no:cacheprovider -rs tests/conformance --junitxml=build/test-results/conformance-run.xml
"$py" junit_summary.py build/test-results/conformance-run.xml

#!/usr/bin/env bash
# The Python SDK's suite (scripts/test.sh runs it): generates the stubs (into src/restoregrpc/v1 and _rpc, ignored
# by git), runs the unit tests, then the conformance suite against a real server that clients/conformance/run.sh
# starts, and prints "N passed, N failed, N skipped" last. Uses Debian's /usr/bin/python3 and its packages (see
# scripts/prerequisites.sh); without them, or without ../shared, it skips with the reason (fails under CI=true).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
py="${RESTOREGRPC_PYTHON:-/usr/bin/python3}"

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "python: FAILED: $1 (CI=true)"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  echo "python: SKIPPED: $1"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}

[ -x "$py" ] || skip_or_fail "$py not found (apt: python3)"
missing="$("$py" - <<'PY'
import importlib.util
need = {"grpc": "python3-grpcio", "google.protobuf": "python3-protobuf", "pytest": "python3-pytest",
        "numpy": "python3-numpy", "PIL": "python3-pil", "tifffile": "python3-tifffile", "png": "python3-png"}
missing = []
for module, package in need.items():
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        missing.append(package)
print(" ".join(missing))
PY
)"
[ -z "$missing" ] || skip_or_fail "missing Debian packages: $missing"
command -v protoc >/dev/null && command -v grpc_python_plugin >/dev/null \
  || "$py" -c "import grpc_tools" 2>/dev/null \
  || skip_or_fail "protoc and grpc_python_plugin not found (apt: protobuf-compiler protobuf-compiler-grpc)"

rm -rf build/test-results
mkdir -p build/test-results
if ! "$py" generate.py; then
  echo "python: stub generation failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

export PYTHONDONTWRITEBYTECODE=1
"$py" -m pytest -q -p no:cacheprovider tests/unit --junitxml=build/test-results/unit.xml
files=(build/test-results/unit.xml)
extra_skipped=0

conformance_log="$(mktemp)"
../conformance/run.sh "$py" -m pytest -q -p no:cacheprovider -rs tests/conformance \
  --junitxml="$here/build/test-results/conformance.xml" 2>&1 | tee "$conformance_log"
if [ -f build/test-results/conformance.xml ]; then
  files+=(build/test-results/conformance.xml)
elif grep -q '^0 passed, 0 failed, 1 skipped' "$conformance_log"; then
  extra_skipped=1 # run.sh skipped the whole suite and said why
else
  files+=(build/test-results/conformance.xml) # counted as a failure: the suite did not run
fi
rm -f "$conformance_log"

"$py" junit_summary.py --extra-skipped "$extra_skipped" "${files[@]}"

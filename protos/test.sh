#!/usr/bin/env bash
# The contract's checks, run by scripts/test.sh like every language's suite:
#  1. buf lint (STANDARD rules, buf.yaml at the repository root).
#  2. buf breaking (FILE rules) against protos/released/restoregrpc-v1.binpb, the image of the last released v1
#     contract. It is a checked-in file, so the check works in a fresh or shallow clone without tags.
# buf comes from npm at the version scripts/buf/package-lock.json pins (npm ci into scripts/buf/node_modules).
# A release of the contract replaces the image: protos/test.sh --release (after a reviewed, intended change).
# Prints "N passed, N failed, N skipped" last.
set -uo pipefail
cd "$(dirname "$0")/.."

released=protos/released/restoregrpc-v1.binpb
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to install buf (Debian package npm; scripts/prerequisites.sh installs it)"
  if [ "${CI:-}" = "true" ]; then echo "0 passed, 1 failed, 0 skipped"; exit 1; fi
  echo "0 passed, 0 failed, 2 skipped"
  exit 0
fi

if ! npm ci --prefix scripts/buf --no-audit --no-fund --loglevel=error >/tmp/restoregrpc-buf-npm.log 2>&1; then
  echo "npm ci could not install buf (see /tmp/restoregrpc-buf-npm.log)"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
buf=scripts/buf/node_modules/.bin/buf

if [ "${1:-}" = "--release" ]; then
  "$buf" build --exclude-source-info -o "$released" && echo "wrote $released"
  exit $?
fi

passed=0; failed=0
if "$buf" lint; then
  echo "buf lint: ok"; passed=$((passed + 1))
else
  echo "buf lint: failed (findings above)"; failed=$((failed + 1))
fi
if "$buf" breaking --against "$released"; then
  echo "buf breaking against $released: ok"; passed=$((passed + 1))
else
  echo "buf breaking against $released: failed (changes above break released clients)"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]

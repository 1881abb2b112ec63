#!/usr/bin/env bash
# The long fuzz run (issue 14; a benchmark, not CI): the seeded RestoreStream fuzzer of
# tests/RestoreGrpc.IntegrationTests/Security/StreamFuzzTests.cs with more cases, and the mutated-image tests
# (bit flips, truncations, overwrites, header fields, PNG chunk order) through Restore and the decoder.
#   benchmarks/fuzz.sh [CASES (5000)] [SEED (random)]
# Prints the case count, the outcomes by kind and status, and every finding (a case ending INTERNAL, UNKNOWN or
# hanging); exits non-zero when there is one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cases=${1:-5000}
seed=${2:-$RANDOM}
export RESTOREGRPC_FUZZ_CASES=$cases RESTOREGRPC_FUZZ_SEED=$seed
echo "stream fuzz: $cases cases, seed $seed (rerun: benchmarks/fuzz.sh $cases $seed)"
dotnet test "$root/tests/RestoreGrpc.IntegrationTests" -c Release \
  --filter "FullyQualifiedName~StreamFuzzTests|FullyQualifiedName~InputValidationTests.Mutated" \
  --logger "console;verbosity=detailed" 2>&1 | grep -E '^\s+(([0-9]+ cases|  .* x[0-9]+|case [0-9]+)|Passed|Failed)|Total tests|Passed!|Failed!'
dotnet test "$root/tests/RestoreGrpc.Core.Tests" -c Release --filter "FullyQualifiedName~MutatedImageTests" 2>&1 | grep -E 'Passed!|Failed!|escaped'

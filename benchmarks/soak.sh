#!/usr/bin/env bash
# Soak (issue 14; a benchmark, not CI): 64 concurrent clients x N minutes of mixed sizes (48² to 512², PNG and
# JPEG) and models (the nearest-x4 stand-in and the built-in Lanczos) against a server process on loopback; every
# 10 s the calls done, the server's RSS and the thread pool's queue length and threads (the runtime's metrics on
# the server's /metrics); at the end calls by status, RSS growth after the warm-up (target < 5 %) and whether the
# thread pool starved. See benchmarks/RestoreGrpc.Benchmarks/Soak.cs.
#   benchmarks/soak.sh [--minutes 10] [--clients 64] [--warmup-minutes 2] [--out FILE] [--server-arg KEY=VALUE]…
# Report: $WORK/soak.md (/tmp/restoregrpc-soak). Run from anywhere; the machine's other load shows in calls/s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/restoregrpc-soak}
mkdir -p "$work"
dotnet build "$root/benchmarks/RestoreGrpc.Benchmarks" -c Release -v quiet -nologo
# A copy, so that rebuilding the checkout during the run changes nothing measured.
rm -rf "$work/bin"
cp -r "$root/benchmarks/RestoreGrpc.Benchmarks/bin/Release/net10.0" "$work/bin"
out="$work/soak.md"
args=()
while [ $# -gt 0 ]; do # --out is this script's (the mode takes one --out): the rest go to the mode as they are
  if [ "$1" = "--out" ]; then out=$2; shift 2; else args+=("$1"); shift; fi
done
dotnet "$work/bin/RestoreGrpc.Benchmarks.dll" --soak --models "$work/models" \
  --image "${IMAGE:-$root/../shared/images/astronaut.png}" --out "$out" "${args[@]}"
echo "report: $out"

#!/usr/bin/env bash
# Server memory under load and after it (issue 20), a base build against this checkout, alternately:
#   benchmarks/memory-load.sh [BASE_REF (main)] [extra --memory options…]
# Builds BASE_REF's server from git (git archive: no working tree is touched) and this checkout's benchmark and
# server, then runs ROUNDS (1) rounds of "base, then this checkout", each a fresh server process serving the
# nearest-x4 stand-in: idle → 16 → 64 → 200 clients → idle, RSS every 5 s (see MemoryLoad.cs). Reports land in
# $WORK (/tmp/restoregrpc-memory) as base-N.md and branch-N.md. Run from the repository root; other work on the
# machine makes the images/s noisy, which is why the builds alternate.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-main}
shift || true
work=${WORK:-/tmp/restoregrpc-memory}
rounds=${ROUNDS:-1}

mkdir -p "$work"
rm -rf "$work/base-src" "$work/base"
mkdir -p "$work/base-src"
git -C "$root" archive "$base" | tar -x -C "$work/base-src"
dotnet build "$work/base-src/src/RestoreGrpc.Server" -c Release -o "$work/base" -v quiet -nologo
dotnet build "$root/benchmarks/RestoreGrpc.Benchmarks" -c Release -v quiet -nologo
# A copy, so that rebuilding this checkout during the run changes nothing measured.
rm -rf "$work/branch"
cp -r "$root/benchmarks/RestoreGrpc.Benchmarks/bin/Release/net10.0" "$work/branch"
out="$work/branch"
models="$work/models"
mkdir -p "$models"

for round in $(seq "$rounds"); do
  for who in base branch; do
    dll="$out/RestoreGrpc.Server.dll"
    [ "$who" = base ] && dll="$work/base/RestoreGrpc.Server.dll"
    dotnet "$out/RestoreGrpc.Benchmarks.dll" --memory --server-dll "$dll" --label "$who ($([ "$who" = base ] && echo "$base" || git -C "$root" rev-parse --short HEAD)) round $round" \
      --models "$models" --image "${IMAGE:-$root/../shared/images/astronaut.png}" --out "$work/$who-$round.md" "$@"
  done
done

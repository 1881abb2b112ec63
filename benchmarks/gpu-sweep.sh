#!/usr/bin/env bash
# The scheduler sweep on a CUDA host that has no .NET SDK (see ../shared/gpu/README.md). Pack first, here:
#   ../shared/gpu/pack.sh benchmarks/RestoreGrpc.Benchmarks/RestoreGrpc.Benchmarks.csproj \
#       ../shared/models/realesr-general-x4v3.onnx ../shared/images/astronaut.png
# copy the parts to the host's /tmp/devstage/, then run this script there. Results go to $OUT (or /tmp/sweep-out).
set -uo pipefail
out=${OUT:-/tmp/sweep-out}
mkdir -p "$out"
source /tmp/devstage/unpack.sh
# Rebuilt assemblies can replace the packed ones without a new pack: OVERRIDE_DLLS=folder of .dll files.
if [ -n "${OVERRIDE_DLLS:-}" ]; then cp "$OVERRIDE_DLLS"/*.dll "$APP/"; fi
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee "$out/gpu.txt"
bench=$APP/RestoreGrpc.Benchmarks
extra=$APP/extra
common=(--sweep --models "$extra" --image "$extra/astronaut.png" --crop 256 --max-batch 8 --seconds 8)
# 1. Raw ORT at batch 1..16 (plain and pinned I/O binding), server at 1..16 clients, batching off, contention.
timeout 300 "$bench" "${common[@]}" --clients 1,2,4,8,16 --raw-batches 1,2,4,8,16 --contention 4096 --contention-requests 20 \
  --out "$out/png" > "$out/sweep-png.log" 2>&1
grep -v " info: " "$out/sweep-png.log" | tail -40
# 2. The top level again with uncompressed output, to separate PNG encoding from scheduling.
timeout 120 "$bench" "${common[@]}" --clients 16 --raw-batches 8 --format bmp --out "$out/bmp" > "$out/sweep-bmp.log" 2>&1
grep -v " info: " "$out/sweep-bmp.log" | tail -14

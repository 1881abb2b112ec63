#!/usr/bin/env bash
# The GPU measurement of issue 16, end to end in one sitting (about 6 minutes on an H200):
#   1. the heavy architectures (RRDBNet-x4plus, GPEN-BFR-512) generated with random weights, for speed only;
#   2. raw ONNX Runtime through the server's session code: general-x4v3 256² per batch size × fp32/fp16 × binding
#      (plain, pinned host tensors, device tensors, device + CUDA graph), x4plus on a whole 1024×768 image,
#      GPEN-512 faces/s per batch size;
#   3. the server at 1, 4, 16, 32 clients with 256² and 1024×768 requests, fp16 and fp32, batching on (max 8)
#      and off (batch 1, at the top level), small-under-large contention; x4plus 1024×768 through the server;
#   4. a summary (Markdown) and every log and JSON in one archive: $OUT/gpu-summary.md and $OUT/gpu-sweep.tgz
#      ($OUT: the device tool's result folder; /tmp/gpu-sweep-out elsewhere).
# GPU utilisation and peak memory come from nvidia-smi, sampled every 100 ms, per row.
#
# On a CUDA host without the .NET SDK (../shared/gpu/README.md), pack here first:
#   ../shared/gpu/pack.sh benchmarks/RestoreGrpc.Benchmarks/RestoreGrpc.Benchmarks.csproj \
#       ../shared/models/realesr-general-x4v3.onnx ../shared/images/astronaut.png
# copy the parts to the host's /tmp/devstage/, then run this script there. With this workplace's device tool
# (252 MB in 5 parts of <= 56 MiB; each call carries one, back to back while the machine is warm):
#   run carry [.devcarry/p00, .devcarry/unpack.sh]: mkdir -p /tmp/devstage && cp .devcarry/p00 .devcarry/unpack.sh /tmp/devstage/
#   run carry [.devcarry/p01] … [.devcarry/p03]:      mkdir -p /tmp/devstage && cp .devcarry/p0N /tmp/devstage/
#   run carry [.devcarry/p04], timeout 590:          cp .devcarry/p04 /tmp/devstage/ && bash benchmarks/gpu-sweep.sh 2>&1 | tee $OUT/gpu-run.log
# Here, on CPU, after `dotnet build -c Release benchmarks/RestoreGrpc.Benchmarks`:
#   benchmarks/gpu-sweep.sh --provider cpu --quick        (a dry run of every step at toy sizes, ~4 minutes)
set -uo pipefail
provider=Auto
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --provider) provider=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "usage: $0 [--provider auto|cpu|cuda] [--quick]" >&2; exit 2 ;;
  esac
done

result=${OUT:-/tmp/gpu-sweep-out}
out=$(mktemp -d)/gpu
work=$(mktemp -d)
mkdir -p "$result" "$out" "$work/models"
if [ -f /tmp/devstage/unpack.sh ]; then
  source /tmp/devstage/unpack.sh
  bench=("$APP/RestoreGrpc.Benchmarks")
  cp "$APP"/extra/*.onnx "$work/models/"
  image=$APP/extra/astronaut.png
else
  bench=(dotnet benchmarks/RestoreGrpc.Benchmarks/bin/Release/net10.0/RestoreGrpc.Benchmarks.dll)
  cp ../shared/models/realesr-general-x4v3.onnx "$work/models/"
  image=../shared/images/astronaut.png
fi
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>/dev/null | tee "$out/gpu.txt" || echo "no nvidia-smi" | tee "$out/gpu.txt"

# One step: its own time limit, its log kept whole, the interesting tail printed.
step() {
  local name=$1 limit=$2
  shift 2
  local started=$SECONDS
  echo "== $name"
  timeout -k 15 "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  grep -v -E ' info: |^\s*$|^      ' "$out/$name.log" | tail -n "${tail_lines:-30}"
  echo "-- $name: exit $rc after $((SECONDS - started)) s"
  publish
}

# The summary and the archive so far, rewritten after every step: a sitting cut short still returns what it measured.
publish() {
  {
    echo "# GPU sweep ($(date -u +%Y-%m-%dT%H:%MZ), provider $provider$([ "$quick" = 1 ] && echo ', quick'))"
    echo
    sed 's/^/    /' "$out/gpu.txt"
    echo
    for f in "$out"/raw-*.md "$out"/server-*/sweep-*.md; do
      [ -f "$f" ] && { echo "## ${f#"$out"/}"; echo; cat "$f"; echo; }
    done
  } > "$out/summary.md"
  cp "$out/summary.md" "$result/gpu-summary.md"
  tar -C "$out" -czf "$result/gpu-sweep.tgz" .
}

if [ "$quick" = 1 ]; then
  general=(--size 64 --batches 2,1 --seconds 0.3); heavy=(--size 32x24 --seconds 0)
  gpen=(--batches 1 --precisions fp32 --seconds 0); levels=(--clients 1,2 --seconds 1)
  small=64; large=96x64; big=256; x4plus_size=64x48; x4plus_tile=64
else
  general=(--size 256 --batches 8,1,16 --seconds 2); heavy=(--size 1024x768 --seconds 3)
  gpen=(--batches 1,4,8,16 --precisions fp16,fp32 --seconds 2); levels=(--clients 1,4,16,32 --seconds 4)
  small=256; large=1024x768; big=4096; x4plus_size=1024x768; x4plus_tile=1024
fi

step generate 120 "${bench[@]}" --generate-networks "$work/models"
step raw-general 180 "${bench[@]}" --raw --provider "$provider" --model-file "$work/models/realesr-general-x4v3.onnx" --label general-x4v3 \
  "${general[@]}" --precisions fp32,fp16 --bindings never,always --mflop-per-pixel 2.42 --out "$out"
# Device tensors go through the CUDA provider's plugin route: a step of their own, so a provider that refuses (or
# breaks) costs only these rows; the server sweeps below bind device memory only where this step ran it.
step raw-general-device 120 "${bench[@]}" --raw --provider "$provider" --model-file "$work/models/realesr-general-x4v3.onnx" --label general-x4v3-device \
  "${general[@]}" --precisions fp16,fp32 --bindings device --cuda-graph --mflop-per-pixel 2.42 --out "$out"
binding=Always; raw_binding=never
grep -q '"Binding": "device input' "$out/raw-general-x4v3-device.json" 2>/dev/null && { binding=Device; raw_binding=device; }
echo "server sweeps bind: $binding (Device: device tensors through the plugin route; Always: pinned host tensors)"
step raw-x4plus 120 "${bench[@]}" --raw --provider "$provider" --model-file "$work/models/rrdbnet-x4plus-random.onnx" --label x4plus \
  "${heavy[@]}" --batches 1 --precisions fp16,fp32 --bindings "$raw_binding" --mflop-per-pixel 35.9 --out "$out"
step raw-gpen 150 "${bench[@]}" --raw --provider "$provider" --model-file "$work/models/gpen-bfr-512-random.onnx" --label gpen-512 \
  --size 512 --scale 1 "${gpen[@]}" --bindings "$raw_binding" --minus-one-to-one --mflop-per-pixel 1.045 --out "$out"

# The server in this process, called through the C# SDK over loopback; BMP output keeps encoding out of the way.
sweep=("${bench[@]}" --sweep --provider "$provider" --models "$work/models" --model realesr-general-x4v3 --image "$image"
  --max-batch 8 --raw-batches 0 --format bmp "${levels[@]}")
for precision in Fp16 Fp32; do
  contention=()
  [ "$precision" = Fp16 ] && contention=(--contention "$big" --contention-requests 10)
  step "server-$precision-small" 150 "${sweep[@]}" --crop "$small" "${contention[@]}" \
    --server-args "--Restore:Models:DownloadMissing=false --Restore:Models:IoBinding=$binding --Restore:Models:Precision=$precision" --out "$out/server-$precision-small"
  step "server-$precision-large" 150 "${sweep[@]}" --crop "$large" \
    --server-args "--Restore:Models:DownloadMissing=false --Restore:Models:IoBinding=$binding --Restore:Models:Precision=$precision" --out "$out/server-$precision-large"
done

# x4plus on a whole 1024×768 image through the server: one tile, fp16.
entry=--Restore:Models:Entries:91
step server-x4plus 120 "${bench[@]}" --sweep --provider "$provider" --models "$work/models" --model rrdbnet-x4plus-random --image "$image" \
  --crop "$x4plus_size" --clients 1 --seconds 6 --max-batch 1 --raw-batches 0 --format bmp --out "$out/server-x4plus" \
  --server-args "--Restore:Models:DownloadMissing=false --Restore:Models:IoBinding=$binding --Restore:Models:Precision=Fp16 $entry:Name=rrdbnet-x4plus-random $entry:File=$work/models/rrdbnet-x4plus-random.onnx $entry:Scale=4 $entry:TileSize=$x4plus_tile $entry:TileMargin=16"

for json in "$out"/server-*/sweep-*.json; do
  [ -f "$json" ] && "${bench[@]}" --chart "$json" > /dev/null 2>&1
done
publish
cat "$out/summary.md"
echo "archive: $result/gpu-sweep.tgz, $(du -h "$result/gpu-sweep.tgz" | cut -f1)"
rm -rf "$work" "$(dirname "$out")"

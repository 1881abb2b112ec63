#!/usr/bin/env bash
# Every SDK against the C# SDK on one server, same run (a benchmark, not a test; issue targets: each SDK ≤ 1.05× the
# C# SDK's time, and its client peak RSS for a 4096² stream ≤ 1.2× that of a 1024² stream). Each SDK's program does
# the same work (benchmarks/sdk-compare/CSharpSdkBench.cs, clients/python/benchmarks/sdk_bench.py,
# clients/go/cmd/restoregrpc-bench, clients/typescript/scripts/bench.mjs): unary Restore of a 512² PNG n times, one in
# flight, after 2 warm-ups (p50 ms); RestoreLarge of a synthetic size² RGB source into a raw file (wall s, VmHWM) at
# 1024², 2048² and --stream². 1024² is 4 tiles, fewer than the server's credit window, so it never reaches a steady
# state: the RSS ratio is reported against 1024² (the issue's target) and against 2048² (steady state, 16 tiles).
# Rounds interleave the SDKs, each measurement in a fresh process, the order rotated per round; medians over rounds.
#   benchmarks/sdk-compare.sh [--rounds 3] [--n 20] [--stream 4096] [--model builtin-lanczos-x4] [--out FILE.json]
# Needs what scripts/prerequisites.sh installs (Go, Node, Debian's Python) and ../shared (models, images).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=3 n=20 stream=4096 model=builtin-lanczos-x4 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --n) n="$2"; shift 2 ;;
    --stream) stream="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

echo "building the four benchmark programs..." >&2
dotnet build "$root/benchmarks/sdk-compare/CSharpSdkBench.cs" -c Release >/dev/null
cs_dll="$(ls -t "$HOME"/.local/share/dotnet/runfile/CSharpSdkBench-*/bin/release/CSharpSdkBench.dll | head -1)"
(cd "$root/clients/go" && source ./env.sh >/dev/null && bash gen.sh && go build -o /tmp/restoregrpc-go-bench ./cmd/restoregrpc-bench)
(cd "$root/clients/typescript" && source ./build.sh >/dev/null)
/usr/bin/python3 "$root/clients/python/generate.py" >/dev/null

inner="$(mktemp)"
cat >"$inner" <<INNER
set -euo pipefail
image="\$RESTOREGRPC_SHARED/images/astronaut.png"
run() { # sdk args...
  local sdk="\$1"; shift
  case "\$sdk" in
    csharp) dotnet "$cs_dll" --server "\$RESTOREGRPC_SERVER" --model "$model" "\$@" ;;
    python) /usr/bin/python3 "$root/clients/python/benchmarks/sdk_bench.py" --server "\$RESTOREGRPC_SERVER" --model "$model" "\$@" ;;
    go) /tmp/restoregrpc-go-bench -server "\$RESTOREGRPC_SERVER" -model "$model" \$(echo "\$@" | sed 's/--/-/g') ;;
    typescript) (cd "$root/clients/typescript" && node scripts/bench.mjs --server "\$RESTOREGRPC_SERVER" --model "$model" "\$@") ;;
  esac
}
sdks=(csharp python go typescript)
for round in \$(seq 1 $rounds); do
  for i in 0 1 2 3; do
    sdk="\${sdks[\$(( (i + round) % 4 ))]}"
    echo "round \$round: \$sdk" >&2
    run "\$sdk" --image "\$image" --n $n | sed "s/^{/{\"round\": \$round, /"
    for size in 1024 2048 $stream; do
      run "\$sdk" --stream "\$size" | sed "s/^{/{\"round\": \$round, /"
    done
  done
done
INNER
results="$(mktemp)"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
bash "$root/clients/conformance/run.sh" bash "$inner" | grep '^{"round"' >"$results"
rm -f "$inner"
/usr/bin/python3 - "$results" "$stream" "$out" "$load_start" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
stream, out = int(sys.argv[2]), sys.argv[3]
def med(sdk, kind, key, size=None):
    values = [r[key] for r in rows if r["sdk"] == sdk and r["kind"] == kind and (size is None or r.get("size") == size)]
    return statistics.median(values) if values else float("nan")
summary = {}
print(f"{'SDK':<11} {'unary p50 ms':>13} {'× C#':>6} {f'stream {stream}² s':>16} {'× C#':>6} {'RSS 1024² MiB':>14} {'RSS 2048²':>10} {f'RSS {stream}²':>10} {'/1024²':>7} {'/2048²':>7}")
for sdk in ("csharp", "python", "go", "typescript"):
    u, s = med(sdk, "unary", "p50_ms"), med(sdk, "stream", "seconds", stream)
    r1, r2 = med(sdk, "stream", "peak_rss_mib", 1024), med(sdk, "stream", "peak_rss_mib", 2048)
    r4 = med(sdk, "stream", "peak_rss_mib", stream)
    summary[sdk] = {"unary_p50_ms": u, "unary_vs_csharp": u / med("csharp", "unary", "p50_ms"), "stream_s": s,
                    "stream_vs_csharp": s / med("csharp", "stream", "seconds", stream), "rss_1024_mib": r1,
                    "rss_2048_mib": r2, f"rss_{stream}_mib": r4, "rss_ratio": r4 / r1, "rss_ratio_vs_2048": r4 / r2}
    m = summary[sdk]
    print(f"{sdk:<11} {u:>13.1f} {m['unary_vs_csharp']:>6.3f} {s:>16.2f} {m['stream_vs_csharp']:>6.3f} {r1:>14.0f} {r2:>10.0f} {r4:>10.0f} {m['rss_ratio']:>7.2f} {m['rss_ratio_vs_2048']:>7.2f}")
load = open("/proc/loadavg").read().split()[:3]
print(f"load average at the start: {sys.argv[4]}, at the end: {' '.join(load)}")
if out:
    json.dump({"rows": rows, "summary": summary, "load_average_at_start": [float(x) for x in sys.argv[4].split()],
               "load_average_at_end": [float(x) for x in load]}, open(out, "w"), indent=2)
PY
rm -f "$results"

#!/usr/bin/env bash
# Fleet benchmark (issue 15): three server processes on loopback behind the C# SDK's round-robin balancer, with the
# built-in resampler (no model files: the hosts are measured). Prints unary throughput with 1, 2 and 3 instances
# (interleaved rounds) and the longest gap without a completed response around a SIGKILL and a SIGTERM drain.
#   benchmarks/fleet.sh [--runs ROUNDS] [--seconds PER_MEASUREMENT] [--concurrency CALLS] [--size EDGE]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build benchmarks/RestoreGrpc.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet benchmarks/RestoreGrpc.Benchmarks/bin/Release/net10.0/RestoreGrpc.Benchmarks.dll --fleet "$@"

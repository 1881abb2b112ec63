"""The Python SDK's side of benchmarks/sdk-compare.sh (a benchmark, not a test).

The same two measurements as the C# (benchmarks/sdk-compare/CSharpSdkBench.cs), Go (clients/go/cmd/restoregrpc-bench)
and TypeScript (clients/typescript/scripts/bench.mjs) programs, one JSON line each on stdout:

* unary: ``RestoreClient.restore`` of an encoded image n times after 2 warm-ups, one call in flight: mean, p50 ms;
* stream: ``restore_large`` of a synthetic size² RGB source into a raw file (rows written at their offsets, as the
  Go SDK's RawFileSink): wall seconds and client peak RSS (VmHWM).

  /usr/bin/python3 clients/python/benchmarks/sdk_bench.py --server HOST:PORT --image in.png --n 20 --stream 4096 --model M
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "src"))

import numpy as np  # noqa: E402

from restoregrpc import RestoreClient, RestoreOptions  # noqa: E402
from restoregrpc.tileplan import Rect, TilePlan  # noqa: E402


def peak_rss_mib() -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class SyntheticSource:
    """A size² RGB gradient generated per window: the same pixels as the other SDKs' benchmarks."""

    channels = 3
    bit_depth = 8

    def __init__(self, size: int) -> None:
        self.width = self.height = size

    def read_window(self, window: Rect) -> bytes:
        y, x = np.mgrid[window.y : window.y + window.height, window.x : window.x + window.width]
        return np.stack([x & 255, y & 255, (x ^ y) & 255], -1).astype(np.uint8).tobytes()


class RawFileSink:
    """Output rows written at their offsets in a raw file."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._width = 0
        self._bpp = 0

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        self._width = plan.output_width
        self._bpp = channels * bit_depth // 8

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        row = rect.width * self._bpp
        view = memoryview(pixels)
        for y in range(rect.height):
            os.pwrite(self._fd, view[y * row : (y + 1) * row], ((rect.y + y) * self._width + rect.x) * self._bpp)

    def complete(self) -> None:
        os.close(self._fd)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.environ.get("RESTOREGRPC_SERVER"))
    parser.add_argument("--image")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--stream", type=int, default=0)
    parser.add_argument("--model", default="")
    args = parser.parse_args()
    options = RestoreOptions(model=args.model)
    with RestoreClient(args.server) as client:
        if args.image:
            data = pathlib.Path(args.image).read_bytes()
            times = []
            for i in range(args.n + 2):
                started = time.perf_counter()
                client.restore(data, options)
                if i >= 2:
                    times.append((time.perf_counter() - started) * 1000)
            times.sort()
            print(json.dumps({"sdk": "python", "kind": "unary", "image": args.image, "n": args.n,
                              "mean_ms": sum(times) / len(times), "p50_ms": times[len(times) // 2]}), flush=True)
        if args.stream > 0:
            with tempfile.TemporaryDirectory(prefix="restoregrpc-bench-") as work:
                started = time.perf_counter()
                result = client.restore_large(SyntheticSource(args.stream), RawFileSink(os.path.join(work, "out.rgb")), options)
                print(json.dumps({"sdk": "python", "kind": "stream", "size": args.stream, "tiles": result.tile_count,
                                  "seconds": time.perf_counter() - started, "peak_rss_mib": peak_rss_mib()}), flush=True)


if __name__ == "__main__":
    main()

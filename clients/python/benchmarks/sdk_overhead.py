"""Python SDK vs C# SDK against the same server, same run (a benchmark, not a test).

  clients/conformance/run.sh /usr/bin/python3 clients/python/benchmarks/sdk_overhead.py [--rounds 3] [--requests 5]

1. Unary 512² → 2048² (astronaut.png, builtin-lanczos-x4, so the SDKs' share is visible rather than CPU inference):
   Python ``RestoreClient.restore`` latency vs the C# SDK's (``restore bench``, one request in flight), interleaved
   rounds; median of the Python requests vs median of the C# rounds' p50.
2. Streamed 4096² → 16384² (a synthetic uncompressed TIFF, builtin-lanczos-x4): Python ``restore_large(path, .tif)``
   (TiffSource → TiffSink) vs C# ``restore upscale --stream-above 0`` (also a TIFF sink), wall time per run, each in
   a fresh process (the C# time includes .NET start-up, measured separately and subtracted).
3. Client peak RSS (VmHWM) of the Python stream, 1024² vs 4096² input, each in a fresh process.

``--rss-only`` runs part 3 alone (no C# CLI needed), interleaving the sizes ``--rounds`` times.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(HERE.parent / "src"))
CLI = ROOT / "clients" / "csharp" / "RestoreGrpc.Cli" / "bin" / "Release" / "net10.0" / "restore.dll"


def peak_rss_mib() -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_stream(server: str, source: str, sink: str, model: str) -> None:
    from restoregrpc import RestoreClient, RestoreOptions

    started = time.perf_counter()
    with RestoreClient(server) as client:
        result = client.restore_large(source, sink, RestoreOptions(model=model))
    print(json.dumps({"seconds": time.perf_counter() - started, "rss_mib": peak_rss_mib(), "tiles": result.tile_count}))


def run_child(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def synthetic_tiff(path: pathlib.Path, size: int) -> None:
    import numpy as np
    import tifffile

    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    image = np.stack([128 + 100 * np.sin(x / 37), 128 + 100 * np.cos(y / 23), (x + y) * (255 / (2 * size))], -1)
    tifffile.imwrite(path, image.astype(np.uint8), photometric="rgb")


def rss_only(server: str, rounds: int) -> None:
    work = pathlib.Path(tempfile.mkdtemp(prefix="restoregrpc-bench-"))
    rss: dict[int, list[float]] = {1024: [], 4096: []}
    for size in rss:
        synthetic_tiff(work / f"synthetic-{size}.tif", size)
    for _ in range(rounds):
        for size in rss:
            out = work / f"py-{size}.tif"
            rss[size].append(run_child(server, str(work / f"synthetic-{size}.tif"), str(out), "builtin-lanczos-x4")["rss_mib"])
            out.unlink()
    r1, r4 = statistics.median(rss[1024]), statistics.median(rss[4096])
    print(f"Python client peak RSS (VmHWM), stream: 1024² {r1:.0f} MiB, 4096² {r4:.0f} MiB, ratio {r4 / r1:.2f} (runs: {rss})")
    shutil.rmtree(work, ignore_errors=True)


def cs(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run(["dotnet", str(CLI), *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--child", nargs=4)
    parser.add_argument("--rss-only", action="store_true", help="only the stream's client peak RSS, 1024² vs 4096²")
    args = parser.parse_args()
    if args.child:
        child_stream(*args.child)
        return
    if args.rss_only:
        rss_only(os.environ["RESTOREGRPC_SERVER"], args.rounds)
        return
    from restoregrpc import RestoreClient, RestoreOptions

    server = os.environ["RESTOREGRPC_SERVER"]
    shared = pathlib.Path(os.environ["RESTOREGRPC_SHARED"])
    image = shared / "images" / "astronaut.png"
    model = "builtin-lanczos-x4"
    work = pathlib.Path(tempfile.mkdtemp(prefix="restoregrpc-bench-"))
    py_unary: list[float] = []
    cs_unary: list[float] = []
    data = image.read_bytes()
    with RestoreClient(server) as client:
        for _ in range(2):
            client.restore(data, RestoreOptions(model=model))
        for _ in range(args.rounds):
            for _ in range(args.requests):
                started = time.perf_counter()
                client.restore(data, RestoreOptions(model=model))
                py_unary.append((time.perf_counter() - started) * 1000)
            report = work / "cs-bench.json"
            cs("bench", "--image", str(image), "-n", str(args.requests), "--warmup", "1", "-j", "1", "-m", model,
               "--server", f"http://{server}", "--json", str(report))
            stats = json.loads(report.read_text())["latencyMs"]
            cs_unary.extend([stats["p50"]] * args.requests)  # the C# CLI reports percentiles, not samples
    print(f"unary 512² → 2048² ({model}), p50 ms: Python {statistics.median(py_unary):.1f}, C# {statistics.median(cs_unary):.1f}, "
          f"ratio {statistics.median(py_unary) / statistics.median(cs_unary):.3f}")

    stream_model = "builtin-lanczos-x4"
    sources = {}
    for size in (1024, 4096):
        sources[size] = work / f"synthetic-{size}.tif"
        synthetic_tiff(sources[size], size)
    startup = min(cs("models", "--server", f"http://{server}") for _ in range(3))
    py_stream, cs_stream, rss = [], [], {1024: [], 4096: []}
    for _ in range(args.rounds):
        for size in (1024, 4096):
            measured = run_child(server, str(sources[size]), str(work / f"py-{size}.tif"), stream_model)
            rss[size].append(measured["rss_mib"])
            if size == 4096:
                py_stream.append(measured["seconds"])
            (work / f"py-{size}.tif").unlink()
        out = work / "cs-out"
        cs_stream.append(cs("upscale", str(sources[4096]), "--stream-above", "0", "-m", stream_model, "-o", str(out), "--server", f"http://{server}"))
        for produced in out.iterdir():
            produced.unlink()
    py_s, cs_s = statistics.median(py_stream), statistics.median(cs_stream)
    print(f"stream 4096² → 16384² ({stream_model}, TIFF sink), median s: Python {py_s:.2f}, C# {cs_s:.2f} "
          f"(C# CLI start-up {startup:.2f} s; without it {cs_s - startup:.2f}), ratio {py_s / (cs_s - startup):.3f}")
    r1, r4 = statistics.median(rss[1024]), statistics.median(rss[4096])
    print(f"Python client peak RSS (VmHWM), stream: 1024² {r1:.0f} MiB, 4096² {r4:.0f} MiB, ratio {r4 / r1:.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

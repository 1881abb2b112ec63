"""The SDK's balancer over a fleet of real server processes (started here on loopback port 0, the built-in
resampler as their model): load reaches every instance; with one instance SIGKILLed and one SIGTERM-drained under
load no unary call fails and every stream completes, byte-equal to an uninterrupted run (streams resume on the
survivors, which rebuild their jobs from the header and the held tiles); and health checking keeps calls off an
instance whose readiness is NOT_SERVING. The C# SDK passes the same fleet test (tests/.../Fleet)."""

from __future__ import annotations

import threading
import time
from typing import Callable

import numpy as np
import pytest

from conftest import need
from fleet_server import FleetServer, server_is_built, start_fleet
from restoregrpc import ClientConfig, RestoreClient, RestoreError, RestoreOptions, StreamResult
from restoregrpc.sinks import ArraySink
from restoregrpc.sources import ArraySource
from restoregrpc.tileplan import Rect

MODEL = "builtin-lanczos-x4"
WAIT = 120.0  # seconds: bounds for conditions a loaded machine reaches late, never a timing under test
UNARY = RestoreOptions(model=MODEL, output_format="PNG")
STREAMED = RestoreOptions(model=MODEL, tile_size=16)


@pytest.fixture(scope="module", autouse=True)
def built_server() -> None:
    if server_is_built() is None:
        need("the server is not built in Release (clients/conformance/run.sh builds it)")


class _SlowSource(ArraySource):
    """An input read slowly (a network share): its stream stays open on the server while instances fail."""

    def read_window(self, window: Rect) -> bytes:
        time.sleep(0.08)
        return super().read_window(window)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    """Polls an outside observable (a server's scrape) until it holds, within the generous WAIT."""
    limit = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > limit:
            pytest.fail(f"not within {WAIT:.0f} s: {what}")
        time.sleep(0.2)


def test_load_spreads_over_three_instances_and_a_killed_and_a_drained_one_lose_no_call_and_no_stream() -> None:
    servers = start_fleet(3, drain_seconds=1.0)
    try:
        rng = np.random.default_rng(7)
        image = rng.integers(0, 256, (24, 40, 3), np.uint8)
        pixels = rng.integers(0, 256, (80, 96, 3), np.uint8)
        with RestoreClient(ClientConfig(addresses=[s.address for s in servers], max_attempts=5)) as client:
            # The uninterrupted runs every result must equal.
            expected = client.restore(image, UNARY).image
            reference = ArraySink()
            client.restore_large(pixels, reference, STREAMED)

            stop = threading.Event()
            failures: list[str] = []
            outcomes = {"completed": 0, "mismatched": 0}
            lock = threading.Lock()

            def unary_load() -> None:
                while not stop.is_set():
                    try:
                        same = client.restore(image, UNARY).image == expected
                    except RestoreError as error:
                        with lock:
                            failures.append(f"{error.code.name}: {error}")
                        continue
                    with lock:
                        outcomes["completed" if same else "mismatched"] += 1

            workers = [threading.Thread(target=unary_load) for _ in range(4)]
            for worker in workers:
                worker.start()
            try:
                # Round-robin reaches every instance (each counts what it served), however slowly they warm up.
                _wait_until(lambda: all(s.restores_served() > 0 for s in servers), "every instance served a Restore")
                served_before_faults = [s.restores_served() for s in servers]

                sinks = [ArraySink() for _ in range(3)]
                started = [threading.Event() for _ in sinks]
                results: list[StreamResult | BaseException | None] = [None] * len(sinks)

                def stream(i: int) -> None:
                    try:
                        results[i] = client.restore_large(_SlowSource(pixels), sinks[i], STREAMED, progress=lambda _: started[i].set())
                    except BaseException as error:  # reported by the assertions below
                        results[i] = error
                        started[i].set()

                streams = [threading.Thread(target=stream, args=(i,)) for i in range(len(sinks))]
                for thread in streams:
                    thread.start()
                for event in started:
                    assert event.wait(WAIT), "a stream delivered no tile"
                # Crash the instance holding the most open streams, drain the next: the faults hit running streams.
                open_streams = [s.open_streams() for s in servers]
                killed, drained = sorted(range(len(servers)), key=lambda i: -open_streams[i])[:2]
                servers[killed].kill()
                servers[drained].terminate()
                assert servers[drained].wait(WAIT) == 0, servers[drained].output
                for thread in streams:
                    thread.join(WAIT)
                    assert not thread.is_alive(), "a stream did not finish"
            finally:
                stop.set()
                for worker in workers:
                    worker.join(WAIT)

        assert not failures, "failed unary calls: " + " | ".join(failures)
        assert outcomes["mismatched"] == 0
        assert outcomes["completed"] > 0
        for result, sink in zip(results, sinks):
            assert isinstance(result, StreamResult), f"a stream failed: {result!r}"
            assert np.array_equal(sink.array, reference.array), "a resumed stream's output differs from the uninterrupted run"
        reconnects = [r.reconnects for r in results if isinstance(r, StreamResult)]
        assert sum(reconnects) > 0, f"no stream was interrupted (open streams per instance: {open_streams})"
        print(f"served before the faults: {served_before_faults}; open streams: {open_streams}; unary completed: "
              f"{outcomes['completed']}; stream reconnects: {reconnects}")
    finally:
        for server in servers:
            server.close()


def test_health_checking_keeps_calls_off_an_instance_that_is_not_ready() -> None:
    # The third instance's default model has no file: its readiness (restoregrpc.v1.RestoreService) is NOT_SERVING,
    # though it would serve a call naming the resampler, as the client without health checking shows.
    servers = [FleetServer(), FleetServer(), FleetServer(default_model="realesr-general-x4v3")]
    try:
        for server in servers:
            server.wait_started()
        ready, unready = servers[:2], servers[2]
        image = np.zeros((24, 40, 3), np.uint8)
        addresses = [s.address for s in servers]
        with RestoreClient(ClientConfig(addresses=addresses)) as client:
            calls = 0

            def served_by_both_ready() -> bool:
                nonlocal calls
                for _ in range(10):
                    client.restore(image, UNARY)
                calls += 10
                return calls >= 30 and all(s.restores_served() > 0 for s in ready)

            _wait_until(served_by_both_ready, "both ready instances served a Restore")
            assert unready.restores_served() == 0, f"{unready.restores_served()} of {calls} calls went to the instance that is not ready"

        with RestoreClient(ClientConfig(addresses=addresses, health_check_service=None)) as client:

            def served_by_unready() -> bool:
                client.restore(image, UNARY)
                return unready.restores_served() > 0

            _wait_until(served_by_unready, "without health checking the instance that is not ready served a Restore")
    finally:
        for server in servers:
            server.close()

"""Python-SDK behaviour beyond the kit's cases, against the same real server: cancelling and timing out a stream,
a source that fails, and sinks writing real files from a real stream."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
import tifffile

from conftest import KIT
from restoregrpc import (
    AsyncRestoreClient,
    CancelledError,
    ClientConfig,
    DeadlineExceededError,
    RestoreClient,
    RestoreOptions,
    TilePlan,
)
from restoregrpc._images import decode_to_array

MODEL = "builtin-lanczos-x4"


@pytest.fixture(scope="module")
def pattern() -> np.ndarray:
    return decode_to_array((KIT / "inputs" / "pattern-160x120.png").read_bytes())


def test_setting_cancel_stops_the_stream_with_cancelled(server: str, pattern: np.ndarray, tmp_path) -> None:
    cancel = threading.Event()
    with RestoreClient(ClientConfig(target=server, max_attempts=1)) as client:
        with pytest.raises(CancelledError):
            client.restore_large(pattern, tmp_path / "out.tif", RestoreOptions(model=MODEL, tile_size=16, tile_margin=4),
                                 progress=lambda p: cancel.set(), cancel=cancel)


def test_cancelling_the_asyncio_task_cancels_the_stream(server: str, pattern: np.ndarray, tmp_path) -> None:
    async def run() -> None:
        async with AsyncRestoreClient(ClientConfig(target=server, max_attempts=1)) as client:
            first = asyncio.Event()
            task = asyncio.create_task(client.restore_large(pattern, tmp_path / "out.tif", RestoreOptions(model=MODEL, tile_size=16, tile_margin=4),
                                                            progress=lambda p: first.set()))
            await first.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(run())


def test_a_stream_past_its_deadline_raises_deadline_exceeded(server: str) -> None:
    big = np.zeros((1024, 1024, 3), np.uint8)
    with RestoreClient(ClientConfig(target=server, max_attempts=1, max_stream_reconnects=0)) as client:
        with pytest.raises(DeadlineExceededError):
            client.restore_large(big, _NullSink(), RestoreOptions(model="realesr-general-x4v3", timeout=0.2))


class _NullSink:
    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        pass

    def write(self, index: int, rect: object, pixels: bytes) -> None:
        pass

    def complete(self) -> None:
        pass


def test_a_failing_source_raises_its_own_error(server: str) -> None:
    class Broken:
        width, height, channels, bit_depth = 100, 100, 3, 8

        def read_window(self, window: object) -> bytes:
            raise OSError("disk gone")

    with RestoreClient(ClientConfig(target=server, max_attempts=1)) as client:
        with pytest.raises(OSError, match="disk gone"):
            client.restore_large(Broken(), _NullSink(), RestoreOptions(model=MODEL))


def test_png_and_tiff_files_from_a_real_stream_equal_the_assembled_array(server: str, pattern: np.ndarray, tmp_path) -> None:
    options = RestoreOptions(model=MODEL, tile_size=40, tile_margin=6)
    with RestoreClient(ClientConfig(target=server, max_attempts=1)) as client:
        expected = decode_to_array(client.restore(pattern, RestoreOptions(model=MODEL, tile_size=40, tile_margin=6, output_format="PNG")).image)
        client.restore_large(pattern, tmp_path / "out.png", options)
        tifffile.imwrite(tmp_path / "in.tif", pattern)
        client.restore_large(tmp_path / "in.tif", tmp_path / "out.tif", options)
    png_pixels = decode_to_array((tmp_path / "out.png").read_bytes())
    tiff_pixels = tifffile.imread(tmp_path / "out.tif")
    assert np.array_equal(png_pixels, tiff_pixels)
    assert int(np.max(np.abs(png_pixels.astype(int) - expected.astype(int)))) <= 1

"""Sources read exactly the windows; sinks write what they were given, in any tile order, to files any decoder reads."""

from __future__ import annotations

import io
import random

import numpy as np
import png
import pytest
import tifffile
from PIL import Image

from restoregrpc import ArraySink, ArraySource, PILSource, PngSink, TiffSink, TilePlan
from restoregrpc._images import decode_to_array, encode_png_array, to_image_bytes
from restoregrpc.sources import open_source


def _output(height: int, width: int, channels: int, dtype: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    high = 256 if dtype == "uint8" else 65536
    shape = (height, width) if channels == 1 else (height, width, channels)
    return rng.integers(0, high, shape).astype(dtype)


def _feed(sink: object, plan: TilePlan, expected: np.ndarray, order: list[int]) -> None:
    channels = 1 if expected.ndim == 2 else expected.shape[2]
    sink.start(plan, channels, 16 if expected.dtype == np.uint16 else 8)  # type: ignore[attr-defined]
    for index in order:
        r = plan[index].output_core
        sink.write(index, r, expected[r.y : r.bottom, r.x : r.right].astype(expected.dtype.newbyteorder("<")).tobytes())  # type: ignore[attr-defined]
    sink.complete()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("channels", "dtype"), [(3, "uint8"), (1, "uint8"), (3, "uint16"), (1, "uint16")])
def test_png_sink_writes_band_by_band_what_pypng_reads_back(tmp_path, channels: int, dtype: str) -> None:
    plan = TilePlan(37, 29, 8, 2, 3)
    expected = _output(plan.output_height, plan.output_width, channels, dtype)
    order = list(range(len(plan)))
    random.Random(3).shuffle(order)
    path = tmp_path / "out.png"
    _feed(PngSink(path), plan, expected, order)
    width, height, rows, info = png.Reader(filename=str(path)).asDirect()
    decoded = np.vstack([np.asarray(row) for row in rows]).reshape(height, width, info["planes"])
    assert (width, height, info["bitdepth"], info["planes"]) == (plan.output_width, plan.output_height, 8 if dtype == "uint8" else 16, channels)
    assert np.array_equal(decoded.squeeze(axis=2) if channels == 1 else decoded, expected)


def test_png_sink_refuses_to_complete_with_missing_bands(tmp_path) -> None:
    plan = TilePlan(20, 20, 8, 0, 1)
    sink = PngSink(tmp_path / "x.png")
    sink.start(plan, 3, 8)
    with pytest.raises(RuntimeError, match="never arrived"):
        sink.complete()
    sink.close()


@pytest.mark.parametrize(("channels", "dtype"), [(3, "uint8"), (1, "uint16")])
def test_tiff_sink_writes_tiles_in_place(tmp_path, channels: int, dtype: str) -> None:
    plan = TilePlan(41, 23, 16, 4, 4)
    expected = _output(plan.output_height, plan.output_width, channels, dtype)
    order = list(range(len(plan)))[::-1]
    path = tmp_path / "out.tif"
    _feed(TiffSink(path), plan, expected, order)
    assert np.array_equal(tifffile.imread(path), expected)


def test_array_sink_assembles_and_records_tiles() -> None:
    plan = TilePlan(10, 7, 4, 1, 2)
    expected = _output(plan.output_height, plan.output_width, 3, "uint8")
    sink = ArraySink()
    _feed(sink, plan, expected, list(range(len(plan))))
    assert np.array_equal(sink.array, expected)
    assert sink.written == list(range(len(plan)))


@pytest.mark.parametrize("channels", [1, 3])
def test_array_source_reads_windows_in_the_stream_layout(channels: int) -> None:
    image = _output(30, 40, channels, "uint16")
    source = ArraySource(image)
    plan = TilePlan(40, 30, 16, 4, 4)
    for tile in plan:
        w = tile.window
        window = np.frombuffer(source.read_window(w), "<u2").reshape((w.height, w.width) + ((3,) if channels == 3 else ()))
        assert np.array_equal(window, image[w.y : w.bottom, w.x : w.right])
    assert (source.width, source.height, source.channels, source.bit_depth) == (40, 30, channels, 16)


def test_sources_refuse_alpha_and_odd_types() -> None:
    with pytest.raises(ValueError, match="alpha"):
        ArraySource(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(ValueError, match="uint8 or uint16"):
        ArraySource(np.zeros((4, 4), np.float32))
    with pytest.raises(TypeError):
        open_source(3.5)


def test_pil_source_streams_palette_images_as_rgb() -> None:
    image = Image.new("P", (5, 3))
    image.putpalette([255, 0, 0] * 256)
    source = PILSource(image)
    assert (source.channels, source.bit_depth) == (3, 8)
    assert source.read_window(TilePlan(5, 3, 8, 0, 1)[0].window)[:3] == b"\xff\x00\x00"


def test_memory_mapped_tiff_source_reads_lazily(tmp_path) -> None:
    image = _output(50, 60, 3, "uint8")
    tifffile.imwrite(tmp_path / "in.tif", image)
    source = open_source(tmp_path / "in.tif")
    assert isinstance(source._array, np.memmap)  # type: ignore[attr-defined]
    window = TilePlan(60, 50, 16, 0, 1)[5].window
    assert source.read_window(window) == image[window.y : window.bottom, window.x : window.right].tobytes()


@pytest.mark.parametrize(("shape", "dtype"), [((9, 7), "uint8"), ((9, 7, 3), "uint8"), ((9, 7, 4), "uint8"), ((9, 7, 3), "uint16"), ((9, 7), "uint16")])
def test_arrays_round_trip_through_png(shape: tuple[int, ...], dtype: str) -> None:
    array = _output(shape[0], shape[1], shape[2] if len(shape) == 3 else 1, dtype)
    assert np.array_equal(decode_to_array(encode_png_array(array)), array)


def test_inputs_become_image_bytes(tmp_path) -> None:
    image = Image.new("RGB", (3, 2), (1, 2, 3))
    encoded = to_image_bytes(image)
    assert Image.open(io.BytesIO(encoded)).getpixel((0, 0)) == (1, 2, 3)
    (tmp_path / "a.png").write_bytes(encoded)
    assert to_image_bytes(tmp_path / "a.png") == encoded
    assert to_image_bytes(str(tmp_path / "a.png")) == encoded
    assert to_image_bytes(bytearray(b"xy")) == b"xy"
    with pytest.raises(TypeError):
        to_image_bytes(42)

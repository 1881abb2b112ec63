"""Tile sinks for ``restore_large``: where output tiles go as they arrive, so the output need not fit in memory."""

from __future__ import annotations

import os
import zlib
from typing import Any, Protocol, runtime_checkable

from restoregrpc._images import PNG_SIGNATURE, png_chunk
from restoregrpc.tileplan import Rect, TilePlan


@runtime_checkable
class TileSink(Protocol):
    """Receives the output: ``start`` once, ``write`` once per tile (in any order), ``complete`` at the end."""

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None: ...

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        """One whole output tile: ``rect`` in output coordinates, raw pixels in the source's layout."""
        ...

    def complete(self) -> None: ...


@runtime_checkable
class BandSink(TileSink, Protocol):
    """A sink that also takes a tile's output band by band, as the parts arrive, so the stream never assembles a
    whole output tile (the built-in sinks are BandSinks). ``write_band`` may be called again for a tile whose
    stream was cut before its last band (the resumed stream sends the whole tile again), so writes must be
    positional; ``last`` marks a tile's final band."""

    def write_band(self, index: int, rect: Rect, pixels: bytes, last: bool) -> None:
        """Rows of tile ``index``'s output: ``rect`` in output coordinates (the core's x and width, the band's rows)."""
        ...


def _dtype(bit_depth: int) -> str:
    return "<u2" if bit_depth == 16 else "u1"


class ArraySink:
    """Assembles the output in a numpy array (``.array``): for outputs that fit in memory."""

    def __init__(self) -> None:
        self.array: Any = None
        self.written: list[int] = []

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        import numpy as np

        shape = (plan.output_height, plan.output_width) + ((channels,) if channels > 1 else ())
        self.array = np.zeros(shape, _dtype(bit_depth))
        self._channels = channels

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        self.write_band(index, rect, pixels, True)

    def write_band(self, index: int, rect: Rect, pixels: bytes, last: bool) -> None:
        import numpy as np

        tile = np.frombuffer(pixels, self.array.dtype).reshape((rect.height, rect.width) + self.array.shape[2:])
        self.array[rect.y : rect.bottom, rect.x : rect.right] = tile
        if last:
            self.written.append(index)

    def complete(self) -> None:
        pass


class PngSink:
    """Writes a PNG band by band: a plan row's output rows are compressed and written as soon as all its tiles
    have arrived, so only one band of rows (output width × one tile's output height) is ever held. The PNG is
    written with the stdlib's zlib (pypng and Pillow only encode from a whole image or a pulled row iterator)."""

    def __init__(self, path: str | os.PathLike[str], compression: int = 6) -> None:
        self._path = os.fspath(path)
        self._compression = compression
        self._file: Any = None

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        import numpy as np

        self._plan = plan
        self._channels = channels
        self._dtype = np.dtype(_dtype(bit_depth))
        self._row_bytes = plan.output_width * channels * self._dtype.itemsize
        self._bands: dict[int, Any] = {}
        self._pending: dict[int, int] = {}
        self._next_row = 0
        self._ready: set[int] = set()
        self._compressor = zlib.compressobj(self._compression)
        self._file = open(self._path, "wb")
        color_type = 0 if channels == 1 else 2
        header = plan.output_width.to_bytes(4, "big") + plan.output_height.to_bytes(4, "big") + bytes([bit_depth, color_type, 0, 0, 0])
        self._file.write(PNG_SIGNATURE + png_chunk(b"IHDR", header))

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        self.write_band(index, rect, pixels, True)

    def write_band(self, index: int, rect: Rect, pixels: bytes, last: bool) -> None:
        import numpy as np

        row = index // self._plan.columns
        band = self._bands.get(row)
        if band is None:
            top, bottom = self._plan.output_band(row)
            band = np.zeros((bottom - top, self._plan.output_width * self._channels), self._dtype)
            self._bands[row] = band
            self._pending[row] = self._plan.columns
        top, _ = self._plan.output_band(row)
        tile = np.frombuffer(pixels, self._dtype).reshape(rect.height, rect.width * self._channels)
        band[rect.y - top : rect.bottom - top, rect.x * self._channels : rect.right * self._channels] = tile
        if not last:
            return
        self._pending[row] -= 1
        if self._pending[row] == 0:
            self._ready.add(row)
            self._flush()

    def _flush(self) -> None:
        import numpy as np

        while self._next_row in self._ready:
            band = self._bands.pop(self._next_row)
            self._ready.discard(self._next_row)
            del self._pending[self._next_row]
            rows = band.astype(">u2") if self._dtype.itemsize == 2 else band
            raw = np.zeros((band.shape[0], self._row_bytes + 1), np.uint8)  # filter byte 0 (None) per row
            raw[:, 1:] = np.ascontiguousarray(rows).view(np.uint8).reshape(band.shape[0], -1)
            data = self._compressor.compress(raw.tobytes())
            if data:
                self._file.write(png_chunk(b"IDAT", data))
            self._next_row += 1

    def complete(self) -> None:
        if self._next_row != self._plan.rows:
            raise RuntimeError(f"{self._path}: {self._plan.rows - self._next_row} bands of rows never arrived")
        self._file.write(png_chunk(b"IDAT", self._compressor.flush()) + png_chunk(b"IEND", b""))
        self._file.close()

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()


class TiffSink:
    """Writes an uncompressed TIFF (BigTIFF when over 4 GiB) laid out by tifffile, each tile's rows written in place
    at their file offsets as the tile arrives: nothing but the current tile is held, in any arrival order."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._fd: int | None = None

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        import numpy as np
        import tifffile

        dtype = np.dtype(_dtype(bit_depth))
        shape = (plan.output_height, plan.output_width) + ((channels,) if channels > 1 else ())
        size = int(np.prod(shape)) * dtype.itemsize
        offset, _ = tifffile.imwrite(
            self._path,
            shape=shape,
            dtype=dtype,
            photometric="rgb" if channels == 3 else "minisblack",
            bigtiff=size > 2**32 - 2**25,
            returnoffset=True,
        )
        self._offset = int(offset)
        self._pixel_bytes = channels * dtype.itemsize
        self._row_bytes = plan.output_width * self._pixel_bytes
        self._fd = os.open(self._path, os.O_WRONLY)

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        self.write_band(index, rect, pixels, True)

    def write_band(self, index: int, rect: Rect, pixels: bytes, last: bool) -> None:
        assert self._fd is not None
        view = memoryview(pixels)
        width = rect.width * self._pixel_bytes
        for row in range(rect.height):
            at = self._offset + (rect.y + row) * self._row_bytes + rect.x * self._pixel_bytes
            os.pwrite(self._fd, view[row * width : (row + 1) * width], at)

    def complete(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def open_sink(sink: Any) -> TileSink:
    """A TileSink for what ``restore_large`` was given: a TileSink, or a path ending .png or .tif/.tiff."""
    if isinstance(sink, TileSink):
        return sink
    if isinstance(sink, (str, os.PathLike)):
        path = os.fspath(sink)
        if path.lower().endswith(".png"):
            return PngSink(path)
        if path.lower().endswith((".tif", ".tiff")):
            return TiffSink(path)
        raise ValueError(f"{path}: restore_large writes .png (band by band) or .tif/.tiff (in place)")
    raise TypeError(f"cannot write tiles to a {type(sink).__name__}: give a TileSink or a .png/.tif path")

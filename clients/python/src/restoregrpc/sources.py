"""Tile sources for ``restore_large``: where input windows are read from, one window at a time."""

from __future__ import annotations

import os
from typing import Any, Protocol, runtime_checkable

from restoregrpc.tileplan import Rect


@runtime_checkable
class TileSource(Protocol):
    """An input image the stream reads window by window (raw pixels, the layout of the proto's PixelFormat)."""

    width: int
    height: int
    channels: int  # 1 (gray) or 3 (RGB)
    bit_depth: int  # 8 or 16

    def read_window(self, window: Rect) -> bytes:
        """The window's pixels: rows top to bottom, channels interleaved, 16-bit samples little-endian."""
        ...


class ArraySource:
    """A numpy array (H×W or H×W×C, C = 1 or 3, uint8 or uint16), or anything array-like that slices lazily
    (``numpy.memmap``, ``tifffile.memmap``, zarr): only each window is copied."""

    def __init__(self, array: Any) -> None:
        import numpy as np

        shape = array.shape
        if len(shape) == 3 and shape[2] == 1:
            array = array[:, :, 0]
            shape = array.shape
        if len(shape) not in (2, 3) or (len(shape) == 3 and shape[2] != 3):
            raise ValueError(f"a streamed image is H×W (gray) or H×W×3 (RGB), not {shape}; alpha is not streamed")
        if array.dtype not in (np.uint8, np.uint16):
            raise ValueError(f"a streamed image is uint8 or uint16, not {array.dtype}")
        self._array = array
        self.height, self.width = int(shape[0]), int(shape[1])
        self.channels = 1 if len(shape) == 2 else 3
        self.bit_depth = 8 if array.dtype == np.uint8 else 16

    def read_window(self, window: Rect) -> bytes:
        import numpy as np

        block = np.asarray(self._array[window.y : window.bottom, window.x : window.right])
        return block.astype("<u2", copy=False).tobytes() if self.bit_depth == 16 else block.tobytes()


class PILSource(ArraySource):
    """A PIL image: L, RGB and I;16 are streamed as they are; other modes (P, LA, RGBA, CMYK, ...) as RGB,
    dropping alpha (the stream carries no alpha)."""

    def __init__(self, image: Any) -> None:
        import numpy as np

        if image.mode in ("I;16", "I;16L", "I;16B", "I"):
            array = np.asarray(image).astype(np.uint16)
        elif image.mode in ("L", "RGB"):
            array = np.asarray(image)
        else:
            array = np.asarray(image.convert("RGB"))
        super().__init__(array)


class TiffSource:
    """An uncompressed, contiguous TIFF read window by window with ``os.pread`` at the rows' file offsets: only the
    current window is ever in memory (no memory map, so the process's resident size stays flat)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        import numpy as np
        import tifffile

        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            contiguous = bool(page.is_contiguous) and page.compression == 1  # type: ignore[union-attr]
            offset = int(page.dataoffsets[0]) if contiguous else 0  # type: ignore[union-attr]
            shape, dtype = page.shape, np.dtype(page.dtype)  # type: ignore[union-attr]
            byteorder = tiff.byteorder
        if not contiguous:
            raise ValueError(f"{path}: not an uncompressed contiguous TIFF")
        if dtype not in (np.uint8, np.uint16) or len(shape) not in (2, 3) or (len(shape) == 3 and shape[2] != 3):
            raise ValueError(f"{path}: a streamed TIFF is 8- or 16-bit gray or RGB, not {shape} {dtype}")
        self._offset = offset
        self.height, self.width = int(shape[0]), int(shape[1])
        self.channels = 1 if len(shape) == 2 else 3
        self.bit_depth = 8 if dtype == np.uint8 else 16
        self._big_endian = byteorder == ">" and self.bit_depth == 16
        self._pixel_bytes = self.channels * dtype.itemsize
        self._fd = os.open(path, os.O_RDONLY)

    def read_window(self, window: Rect) -> bytes:
        row_bytes = self.width * self._pixel_bytes
        width = window.width * self._pixel_bytes
        rows = [
            os.pread(self._fd, width, self._offset + (window.y + r) * row_bytes + window.x * self._pixel_bytes)
            for r in range(window.height)
        ]
        data = b"".join(rows)
        if self._big_endian:
            import numpy as np

            data = np.frombuffer(data, ">u2").astype("<u2").tobytes()
        return data

    def close(self) -> None:
        os.close(self._fd)

    def __del__(self) -> None:
        try:
            os.close(self._fd)
        except (OSError, AttributeError):
            pass


def open_source(source: Any) -> TileSource:
    """A TileSource for what ``restore_large`` was given: a TileSource, a numpy array, a PIL image or a path.

    An uncompressed TIFF path is read window by window (:class:`TiffSource`); other files are decoded once.
    """
    if isinstance(source, TileSource):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if path.lower().endswith((".tif", ".tiff")):
            import tifffile

            try:
                return TiffSource(path)
            except (ValueError, ImportError, tifffile.TiffFileError):
                pass  # compressed or tiled TIFF: decode below
        from PIL import Image

        with Image.open(path) as image:
            image.load()
            return PILSource(image)
    if hasattr(source, "mode") and hasattr(source, "getpixel"):
        return PILSource(source)
    if hasattr(source, "shape") and hasattr(source, "dtype"):
        return ArraySource(source)
    raise TypeError(f"cannot stream from a {type(source).__name__}: give a TileSource, a numpy array, a PIL image or a path")

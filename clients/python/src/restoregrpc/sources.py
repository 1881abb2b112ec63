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


def open_source(source: Any) -> TileSource:
    """A TileSource for what ``restore_large`` was given: a TileSource, a numpy array, a PIL image or a path.

    An uncompressed TIFF path is memory-mapped (windows read lazily); other files are decoded once.
    """
    if isinstance(source, TileSource):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if path.lower().endswith((".tif", ".tiff")):
            try:
                import tifffile

                return ArraySource(tifffile.memmap(path, mode="r"))
            except (ValueError, ImportError):
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

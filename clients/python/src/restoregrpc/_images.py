"""Encoding and decoding between arrays, PIL images and image bytes (numpy, Pillow, pypng as available)."""

from __future__ import annotations

import io
import os
import zlib
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def to_image_bytes(image: Any) -> bytes:
    """bytes / bytearray / memoryview as they are; a path read; a PIL image or numpy array encoded as PNG."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        return bytes(image)
    if isinstance(image, (str, os.PathLike)):
        with open(image, "rb") as file:
            return file.read()
    if hasattr(image, "__array_interface__") and hasattr(image, "dtype"):
        return encode_png_array(image)
    if hasattr(image, "save") and hasattr(image, "mode"):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()
    raise TypeError(f"cannot restore a {type(image).__name__}: give bytes, a path, a PIL image or a numpy array")


def encode_png_array(array: Any) -> bytes:
    """A uint8 or uint16 array (H×W, H×W×1, ×3 or ×4) as PNG, with the stdlib's zlib."""
    import numpy as np

    pixels = np.asarray(array)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if pixels.ndim != 3 or pixels.shape[2] not in (1, 2, 3, 4):
        raise ValueError(f"an image array is H×W or H×W×C with C in 1..4, not {pixels.shape}")
    if pixels.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"an image array is uint8 or uint16, not {pixels.dtype}")
    height, width, channels = pixels.shape
    depth = 8 if pixels.dtype == np.uint8 else 16
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = np.ascontiguousarray(pixels.astype(">u2") if depth == 16 else pixels).view(np.uint8).reshape(height, -1)
    raw = np.zeros((height, rows.shape[1] + 1), np.uint8)  # filter byte 0 (None) per row
    raw[:, 1:] = rows
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([depth, color_type, 0, 0, 0]))
        + png_chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + png_chunk(b"IEND", b"")
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(data, zlib.crc32(kind)).to_bytes(4, "big")


def decode_to_array(data: bytes) -> Any:
    """Pixels of encoded image bytes as a numpy array (H×W or H×W×C); 16-bit PNGs via pypng to keep 16 bits."""
    import numpy as np

    if data[:8] == PNG_SIGNATURE and data[24] == 16:
        import png  # pypng: Pillow reads 16-bit RGB PNGs as 8-bit

        width, height, rows, info = png.Reader(bytes=data).asDirect()
        planes = info["planes"]
        array = np.vstack([np.asarray(row, np.uint16) for row in rows]).reshape(height, width, planes)
        return array[:, :, 0] if planes == 1 else array
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)

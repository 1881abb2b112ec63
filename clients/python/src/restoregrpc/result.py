"""What a restore returns."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from restoregrpc._proto import image_pb2, restore_service_pb2 as pb

if TYPE_CHECKING:
    import numpy
    from PIL import Image


@dataclass(frozen=True)
class Result:
    """The restored image (encoded bytes), what the server learned about it, how it was served, and the faces."""

    image: bytes
    info: image_pb2.ImageInfo
    details: pb.RestoreDetails
    faces: list[pb.Face] = field(default_factory=list)
    trailing_metadata: tuple[tuple[str, str | bytes], ...] = ()

    @staticmethod
    def from_response(response: pb.RestoreResponse, trailers: Any = None) -> Result:
        return Result(response.image, response.output, response.details, list(response.faces), tuple(trailers or ()))

    @property
    def width(self) -> int:
        return self.info.width

    @property
    def height(self) -> int:
        return self.info.height

    @property
    def format(self) -> str:
        """The output container: "PNG", "JPEG", ..."""
        return image_pb2.ImageFormat.Name(self.info.format).removeprefix("IMAGE_FORMAT_")

    def save(self, path: str | os.PathLike[str]) -> None:
        with open(path, "wb") as file:
            file.write(self.image)

    def to_pil(self) -> Image.Image:
        from PIL import Image

        return Image.open(io.BytesIO(self.image))

    def to_numpy(self) -> numpy.ndarray:
        """Decoded pixels (16-bit PNGs keep 16 bits: decoded with pypng when PIL would drop them)."""
        from restoregrpc._images import decode_to_array

        return decode_to_array(self.image)


@dataclass(frozen=True)
class StreamProgress:
    """Where a ``restore_large`` call stands: tiles held by the sink of all tiles, and reconnects so far."""

    tiles_done: int
    tiles_total: int
    reconnects: int


@dataclass(frozen=True)
class StreamResult:
    """A finished ``restore_large``: the job, its size, and what the last stream computed."""

    job_id: str
    model: str
    output_width: int
    output_height: int
    tile_count: int
    tiles_computed: int
    reconnects: int
    peak_job_bytes: int
    summary: pb.StreamSummary

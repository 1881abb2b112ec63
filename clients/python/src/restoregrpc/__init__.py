"""Python SDK for the RestoreGrpc image-restoration server.

>>> from restoregrpc import RestoreClient, RestoreOptions
>>> with RestoreClient("localhost:5000") as client:
...     result = client.restore("photo.jpg", RestoreOptions(model="realesr-general-x4v3"))
...     result.save("photo-x4.jpg")
"""

from restoregrpc._proto import model_admin_service_pb2 as _admin_pb
from restoregrpc.aio import AsyncRestoreClient
from restoregrpc.client import RestoreClient
from restoregrpc.credentials import CredentialsError
from restoregrpc.errors import (
    CancelledError,
    DeadlineExceededError,
    FieldViolation,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
    ResourceInfo,
    RestoreError,
    UnavailableError,
)
from restoregrpc.options import ClientConfig, FaceOptions, RestoreOptions
from restoregrpc.result import Result, StreamProgress, StreamResult
from restoregrpc.sinks import ArraySink, BandSink, PngSink, TiffSink, TileSink
from restoregrpc.sources import ArraySource, PILSource, TiffSource, TileSource
from restoregrpc.tileplan import Rect, Tile, TilePlan

#: A catalog entry to add at run time (``RestoreClient.load_model(new_model=NewModel(...))``).
NewModel = _admin_pb.NewModel

__all__ = [
    "AsyncRestoreClient",
    "ArraySink",
    "ArraySource",
    "BandSink",
    "CancelledError",
    "ClientConfig",
    "CredentialsError",
    "DeadlineExceededError",
    "FaceOptions",
    "FieldViolation",
    "InvalidArgumentError",
    "NewModel",
    "NotFoundError",
    "PILSource",
    "PngSink",
    "Rect",
    "ResourceExhaustedError",
    "ResourceInfo",
    "RestoreClient",
    "RestoreError",
    "RestoreOptions",
    "Result",
    "StreamProgress",
    "StreamResult",
    "Tile",
    "TilePlan",
    "TiffSink",
    "TiffSource",
    "TileSink",
    "TileSource",
    "UnavailableError",
]

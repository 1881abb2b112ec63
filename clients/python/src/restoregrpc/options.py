"""Request options and connection settings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Sequence

import grpc

from restoregrpc._proto import image_pb2, restore_service_pb2 as pb

SERVICE = "restoregrpc.v1.RestoreService"


def _enum(enum: object, prefix: str, value: str | int | None) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    name = value.upper().replace("-", "_")
    return int(enum.Value(name if name.startswith(prefix) else prefix + name))  # type: ignore[attr-defined]


@dataclass
class FaceOptions:
    """Face pipeline options (FaceOptions in the proto); None takes the server default."""

    detector: str = ""
    restorer: str = ""
    blend: float | None = None
    selection: str | int | None = None
    min_face_size: int = 0
    color_fidelity: bool = False
    score_threshold: float = 0.0

    def to_proto(self) -> pb.FaceOptions:
        proto = pb.FaceOptions(
            detector=self.detector,
            restorer=self.restorer,
            selection=_enum(pb.FaceSelection, "FACE_SELECTION_", self.selection),  # type: ignore[arg-type]
            min_face_size=self.min_face_size,
            color_fidelity=self.color_fidelity,
            score_threshold=self.score_threshold,
        )
        if self.blend is not None:
            proto.blend = self.blend
        return proto


@dataclass
class RestoreOptions:
    """What to do with an image. Zero values and None take the server's (or the model's) defaults.

    ``task``, ``output_format`` and ``priority`` take the proto enum names without their prefix
    (``"FACES"``, ``"PNG"``, ``"BATCH"``) or the enum numbers. ``timeout`` is the call's deadline in seconds
    (per stream for ``restore_large``); None uses the client's default.
    """

    model: str = ""
    task: str | int | None = None
    scale: float = 0.0
    tile_size: int = 0
    tile_margin: int = 0
    output_format: str | int | None = None
    quality: int = 0
    strip_metadata: bool = False
    priority: str | int | None = None
    faces: FaceOptions | None = None
    timeout: float | None = None

    def to_proto(self) -> pb.RestoreOptions:
        proto = pb.RestoreOptions(
            model=self.model,
            task=_enum(pb.RestoreTask, "RESTORE_TASK_", self.task),  # type: ignore[arg-type]
            scale=self.scale,
            tiling=pb.TileOptions(tile_size=self.tile_size, tile_margin=self.tile_margin),
            output=image_pb2.OutputOptions(
                format=_enum(image_pb2.ImageFormat, "IMAGE_FORMAT_", self.output_format),  # type: ignore[arg-type]
                quality=self.quality,
                strip_metadata=self.strip_metadata,
            ),
            priority=_enum(pb.Priority, "PRIORITY_", self.priority),  # type: ignore[arg-type]
        )
        if self.faces is not None:
            proto.faces.CopyFrom(self.faces.to_proto())
        return proto


@dataclass
class ClientConfig:
    """How the client connects.

    ``target`` is ``host:port``. Plaintext unless ``credentials`` (any ``grpc.ChannelCredentials``, e.g.
    ``grpc.ssl_channel_credentials(root_certificates)`` composed with call credentials) or ``tls=True`` (system roots)
    is given. Message limits are sized for ×4 outputs (16× the input's pixels). ``max_attempts`` retries UNAVAILABLE
    by gRPC's service-config retry policy (with exponential back-off and jitter) and RESOURCE_EXHAUSTED in the SDK,
    after the delay the server's google.rpc.RetryInfo asks for (gRPC's policy cannot read RetryInfo).
    """

    target: str = "localhost:5000"
    credentials: grpc.ChannelCredentials | None = None
    tls: bool = False
    max_receive_message_bytes: int = 512 * 1024 * 1024
    max_send_message_bytes: int = 128 * 1024 * 1024
    max_attempts: int = 4
    initial_backoff: float = 0.25
    max_backoff: float = 4.0
    default_timeout: float | None = None
    max_stream_reconnects: int = 5
    reconnect_backoff: float = 0.25
    metadata: Sequence[tuple[str, str]] = ()
    channel_options: Sequence[tuple[str, object]] = field(default_factory=tuple)

    def service_config(self) -> str:
        config: dict[str, object] = {}
        if self.max_attempts > 1:
            config["methodConfig"] = [
                {
                    "name": [{"service": SERVICE}],
                    "retryPolicy": {
                        "maxAttempts": min(self.max_attempts, 5),
                        "initialBackoff": f"{self.initial_backoff}s",
                        "maxBackoff": f"{self.max_backoff}s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"],
                    },
                }
            ]
        return json.dumps(config)

    def grpc_options(self) -> list[tuple[str, object]]:
        options: list[tuple[str, object]] = [
            ("grpc.max_receive_message_length", self.max_receive_message_bytes),
            ("grpc.max_send_message_length", self.max_send_message_bytes),
            ("grpc.enable_retries", 1 if self.max_attempts > 1 else 0),
            ("grpc.service_config", self.service_config()),
            # A request is replayed on retry, so it must stay buffered: allow whole images.
            ("grpc.per_rpc_retry_buffer_size", self.max_send_message_bytes),
            ("grpc.retry_buffer_size", 2 * self.max_send_message_bytes),
        ]
        options.extend(self.channel_options)
        return options

    def channel_credentials(self) -> grpc.ChannelCredentials | None:
        if self.credentials is not None:
            return self.credentials
        return grpc.ssl_channel_credentials() if self.tls else None

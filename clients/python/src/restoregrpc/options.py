"""Request options and connection settings."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Sequence

import grpc

from restoregrpc import balancing as _balancing, credentials as _credentials
from restoregrpc.credentials import CredentialsError, PemSource, TokenProvider  # noqa: F401 - CredentialsError re-exported

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
    score_threshold: float | None = None

    def to_proto(self) -> pb.FaceOptions:
        proto = pb.FaceOptions(
            detector=self.detector,
            restorer=self.restorer,
            selection=_enum(pb.FaceSelection, "FACE_SELECTION_", self.selection),  # type: ignore[arg-type]
            min_face_size=self.min_face_size,
            color_fidelity=self.color_fidelity,
        )
        if self.blend is not None:
            proto.blend = self.blend
        if self.score_threshold is not None:
            proto.score_threshold = self.score_threshold
        return proto


@dataclass
class RestoreOptions:
    """What to do with an image. None takes the server's (or the model's) defaults.

    ``task``, ``output_format`` and ``priority`` take the proto enum names without their prefix
    (``"FACES"``, ``"PNG"``, ``"BATCH"``) or the enum numbers. ``timeout`` is the call's deadline in seconds
    (per stream for ``restore_large``); None uses the client's default.
    """

    model: str = ""
    task: str | int | None = None
    scale: float | None = None
    tile_size: int | None = None
    tile_margin: int | None = None
    output_format: str | int | None = None
    quality: int | None = None
    strip_metadata: bool = False
    priority: str | int | None = None
    faces: FaceOptions | None = None
    timeout: float | None = None

    def to_proto(self) -> pb.RestoreOptions:
        proto = pb.RestoreOptions(
            model=self.model,
            task=_enum(pb.RestoreTask, "RESTORE_TASK_", self.task),  # type: ignore[arg-type]
            output=image_pb2.OutputOptions(
                format=_enum(image_pb2.ImageFormat, "IMAGE_FORMAT_", self.output_format),  # type: ignore[arg-type]
                strip_metadata=self.strip_metadata,
            ),
            priority=_enum(pb.Priority, "PRIORITY_", self.priority),  # type: ignore[arg-type]
        )
        # Only what was given is set: unset fields take the server's defaults (with or without proto presence).
        if self.scale is not None:
            proto.scale = self.scale
        if self.quality is not None:
            proto.output.quality = self.quality
        if self.tile_size is not None:
            proto.tiling.tile_size = self.tile_size
        if self.tile_margin is not None:
            proto.tiling.tile_margin = self.tile_margin
        if self.faces is not None:
            proto.faces.CopyFrom(self.faces.to_proto())
        return proto


@dataclass
class ClientConfig:
    """How the client connects.

    ``target`` is ``host:port``, or ``dns:///host:port`` to balance round-robin over every address the name resolves
    to (a Kubernetes headless Service); ``addresses`` (``ip:port`` strings), when given, replaces it with a fixed list
    of instances. Balanced channels watch each instance's ``grpc.health.v1`` readiness (``health_check_service``;
    None turns it off) and send calls only to the instances that serve; a call an instance refuses (UNAVAILABLE:
    down, draining) is retried on the others. Plaintext unless ``credentials`` (any ``grpc.ChannelCredentials``), ``tls=True``
    (system roots), ``ca_file`` (PEM path or bytes: the CAs that sign the server's certificate) or ``cert_file`` +
    ``key_file`` (PEM client certificate and key, for mTLS) is given; the last three imply TLS.

    ``api_key`` is sent as ``x-api-key`` metadata and ``bearer_token`` (or the token ``token_provider()`` returns
    before each call, for tokens that expire) as ``authorization: Bearer …``, both as gRPC call credentials, which go
    over TLS only: over plaintext the client refuses them unless ``allow_insecure_credentials=True`` and the target is
    a loopback address (gRPC's local credentials). ``ClientConfig.from_env()`` reads ``$RESTORE_SERVER``,
    ``$RESTORE_API_KEY`` and ``$RESTORE_TOKEN``. Secrets never show in ``repr()``.

    Message limits are sized for ×4 outputs (16× the input's pixels). ``max_attempts`` retries UNAVAILABLE
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
    api_key: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    token_provider: TokenProvider | None = field(default=None, repr=False)
    ca_file: PemSource | None = None
    cert_file: PemSource | None = None
    key_file: PemSource | None = None
    allow_insecure_credentials: bool = False
    addresses: Sequence[str] = ()
    health_check_service: str | None = _balancing.READINESS_SERVICE

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__dataclass_fields__ if self.__dataclass_fields__[name].repr)
        secrets = [name for name in ("api_key", "bearer_token", "token_provider") if getattr(self, name) is not None]
        return f"ClientConfig({shown}{''.join(f', {name}=***' for name in secrets)})"

    @classmethod
    def from_env(cls, **overrides: Any) -> ClientConfig:
        """A config from ``$RESTORE_SERVER``, ``$RESTORE_API_KEY`` and ``$RESTORE_TOKEN`` (unset or empty ones are
        left out); keyword arguments override them."""
        values: dict[str, Any] = {}
        for name, variable in (("target", _credentials.SERVER_ENVIRONMENT), ("api_key", _credentials.API_KEY_ENVIRONMENT), ("bearer_token", _credentials.TOKEN_ENVIRONMENT)):
            if os.environ.get(variable, "").strip():
                values[name] = os.environ[variable].strip()
        values.update(overrides)
        return cls(**values)

    @property
    def balanced(self) -> bool:
        """Whether calls are balanced over several instances (``addresses``, or a ``dns:``/``ipv4:``/``ipv6:`` target)."""
        return _balancing.is_balanced(self.target, self.addresses)

    def channel_target(self) -> str:
        """What the channel dials: ``target``, or the ``ipv4:``/``ipv6:`` target of ``addresses``."""
        return _balancing.channel_target(self.target, self.addresses)

    def service_config(self) -> str:
        config: dict[str, object] = _balancing.balancing_service_config(self.health_check_service) if self.balanced else {}
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
        if self.addresses and not any(name == "grpc.default_authority" for name, _ in self.channel_options):
            # The authority of an ipv4:a,b target would be the whole list, which servers refuse (RST_STREAM
            # PROTOCOL_ERROR from Kestrel): name the first instance instead.
            options.append(("grpc.default_authority", self.addresses[0]))
        options.extend(self.channel_options)
        return options

    def channel_credentials(self) -> grpc.ChannelCredentials | None:
        """The channel's credentials, None for plaintext. Raises :class:`CredentialsError` for settings that do
        not fit (a key over plaintext without the loopback opt-in, a key file without its certificate, unreadable
        PEM files)."""
        calls = _credentials.call_credentials(self.api_key, self.bearer_token, self.token_provider)
        channel = self._transport_credentials()
        if calls is None:
            return channel
        if channel is None:
            if not self.allow_insecure_credentials:
                raise CredentialsError(
                    f"refusing to send an API key or bearer token in plaintext to {self.target}: use TLS (tls=True or ca_file), "
                    "or allow_insecure_credentials=True for a loopback target")
            for target in self.addresses or [self.target]:
                if not _credentials.is_loopback_target(target):
                    raise CredentialsError(f"allow_insecure_credentials covers loopback targets only, not {target}: use TLS")
            channel = grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP)
        return grpc.composite_channel_credentials(channel, calls)

    def _transport_credentials(self) -> grpc.ChannelCredentials | None:
        if self.key_file is not None and self.cert_file is None:
            raise CredentialsError("key_file needs cert_file (the certificate the key belongs to)")
        if self.cert_file is not None and self.key_file is None:
            raise CredentialsError("cert_file needs key_file (the client certificate's private key)")
        if self.ca_file is not None or self.cert_file is not None:
            if self.credentials is not None:
                raise CredentialsError("give credentials or ca_file/cert_file/key_file, not both")
            return grpc.ssl_channel_credentials(
                root_certificates=_credentials.read_pem(self.ca_file, "CA bundle"),
                private_key=_credentials.read_pem(self.key_file, "client key"),
                certificate_chain=_credentials.read_pem(self.cert_file, "client certificate"),
            )
        if self.credentials is not None:
            return self.credentials
        return grpc.ssl_channel_credentials() if self.tls else None


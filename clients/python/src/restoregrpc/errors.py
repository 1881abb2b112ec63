"""Errors as exceptions carrying the gRPC status code and the decoded google.rpc details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import grpc

from restoregrpc._proto import error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


@dataclass(frozen=True)
class ResourceInfo:
    resource_type: str
    resource_name: str
    description: str


class RestoreError(Exception):
    """A failed call: the status code, the server's message and the google.rpc details it attached.

    Subclasses name the codes callers handle differently; every other code is a plain ``RestoreError``.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        field_violations: Sequence[FieldViolation] = (),
        retry_delay: float | None = None,
        resource_info: ResourceInfo | None = None,
        details: Sequence[Any] = (),
        trailing_metadata: Sequence[tuple[str, str | bytes]] = (),
    ) -> None:
        super().__init__(f"{code.name}: {message}" if message else code.name)
        self.code = code
        self.message = message
        self.field_violations = tuple(field_violations)
        #: Seconds the server asks the caller to wait before retrying (google.rpc.RetryInfo), if it said.
        self.retry_delay = retry_delay
        self.resource_info = resource_info
        #: Every decoded google.rpc detail message (BadRequest, RetryInfo, ResourceInfo, ErrorInfo, ...).
        self.details = tuple(details)
        self.trailing_metadata = tuple(trailing_metadata)

    def describe(self) -> str:
        """One line: the code and the field violations, or the message."""
        if self.field_violations:
            return f"{self.code.name}: " + "; ".join(f"{v.field}: {v.description}" for v in self.field_violations)
        return str(self)


class InvalidArgumentError(RestoreError):
    """INVALID_ARGUMENT: the request is wrong; ``field_violations`` says which field and why."""


class NotFoundError(RestoreError):
    """NOT_FOUND: an unknown model or stream job; ``resource_info`` names it."""


class DeadlineExceededError(RestoreError):
    """DEADLINE_EXCEEDED: the call's deadline passed (on the client or the server)."""


class ResourceExhaustedError(RestoreError):
    """RESOURCE_EXHAUSTED: the server is full; ``retry_delay`` says when to come back."""


class UnavailableError(RestoreError):
    """UNAVAILABLE: no connection, or the server is shutting down."""


class CancelledError(RestoreError):
    """CANCELLED: the call was cancelled."""


_BY_CODE: dict[grpc.StatusCode, type[RestoreError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.CANCELLED: CancelledError,
}

_DETAIL_TYPES = {
    f"type.googleapis.com/{cls.DESCRIPTOR.full_name}": cls
    for cls in (
        error_details_pb2.BadRequest,
        error_details_pb2.RetryInfo,
        error_details_pb2.ResourceInfo,
        error_details_pb2.ErrorInfo,
        error_details_pb2.DebugInfo,
        error_details_pb2.QuotaFailure,
        error_details_pb2.PreconditionFailure,
        error_details_pb2.RequestInfo,
        error_details_pb2.Help,
        error_details_pb2.LocalizedMessage,
    )
}


def from_status(
    code: grpc.StatusCode,
    message: str,
    trailing_metadata: Sequence[tuple[str, str | bytes]] | None,
) -> RestoreError:
    """Builds the exception for a status and its trailers, decoding ``grpc-status-details-bin``."""
    trailers = tuple(trailing_metadata or ())
    details: list[Any] = []
    for key, value in trailers:
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            message = status.message or message
            for packed in status.details:
                cls = _DETAIL_TYPES.get(packed.type_url)
                if cls is not None:
                    detail = cls()
                    packed.Unpack(detail)
                    details.append(detail)
    violations = [
        FieldViolation(v.field, v.description)
        for d in details
        if isinstance(d, error_details_pb2.BadRequest)
        for v in d.field_violations
    ]
    retry = next((d for d in details if isinstance(d, error_details_pb2.RetryInfo)), None)
    resource = next((d for d in details if isinstance(d, error_details_pb2.ResourceInfo)), None)
    return _BY_CODE.get(code, RestoreError)(
        code,
        message,
        field_violations=violations,
        retry_delay=retry.retry_delay.ToTimedelta().total_seconds() if retry is not None and retry.HasField("retry_delay") else None,
        resource_info=ResourceInfo(resource.resource_type, resource.resource_name, resource.description) if resource else None,
        details=details,
        trailing_metadata=trailers,
    )


def from_rpc_error(error: grpc.RpcError) -> RestoreError:
    """The SDK exception for a grpc error raised by a sync or asyncio call."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    return from_status(code, details or "", trailers)

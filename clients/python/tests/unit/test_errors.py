"""Error mapping: status codes to exception types, google.rpc details decoded from grpc-status-details-bin."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2

from restoregrpc import errors
from restoregrpc._proto import error_details_pb2, status_pb2


def _trailers(code: int, message: str, *details: object) -> list[tuple[str, bytes]]:
    status = status_pb2.Status(code=code, message=message)
    for detail in details:
        packed = any_pb2.Any()
        packed.Pack(detail)  # type: ignore[arg-type]
        status.details.append(packed)
    return [("grpc-status-details-bin", status.SerializeToString())]


def test_bad_request_becomes_invalid_argument_with_its_field_violations() -> None:
    bad = error_details_pb2.BadRequest(field_violations=[error_details_pb2.BadRequest.FieldViolation(field="image", description="not an image")])
    error = errors.from_status(grpc.StatusCode.INVALID_ARGUMENT, "bad", _trailers(3, "image: not an image", bad))
    assert isinstance(error, errors.InvalidArgumentError)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations == (errors.FieldViolation("image", "not an image"),)
    assert error.message == "image: not an image"
    assert error.describe() == "INVALID_ARGUMENT: image: not an image"


def test_retry_info_gives_the_retry_delay() -> None:
    retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=1, nanos=500_000_000))
    error = errors.from_status(grpc.StatusCode.RESOURCE_EXHAUSTED, "full", _trailers(8, "queue full", retry))
    assert isinstance(error, errors.ResourceExhaustedError)
    assert error.retry_delay == pytest.approx(1.5)


def test_resource_info_names_the_missing_model() -> None:
    info = error_details_pb2.ResourceInfo(resource_type="model", resource_name="nope", description="no model nope")
    error = errors.from_status(grpc.StatusCode.NOT_FOUND, "x", _trailers(5, "no model nope", info))
    assert isinstance(error, errors.NotFoundError)
    assert error.resource_info == errors.ResourceInfo("model", "nope", "no model nope")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (grpc.StatusCode.DEADLINE_EXCEEDED, errors.DeadlineExceededError),
        (grpc.StatusCode.UNAVAILABLE, errors.UnavailableError),
        (grpc.StatusCode.CANCELLED, errors.CancelledError),
        (grpc.StatusCode.FAILED_PRECONDITION, errors.RestoreError),
    ],
)
def test_codes_without_details_map_to_their_exception(code: grpc.StatusCode, kind: type) -> None:
    error = errors.from_status(code, "why", None)
    assert type(error) is kind
    assert error.retry_delay is None and error.field_violations == () and error.resource_info is None
    assert str(error) == f"{code.name}: why"


def test_unknown_detail_types_are_skipped() -> None:
    status = status_pb2.Status(code=3, message="m")
    status.details.append(any_pb2.Any(type_url="type.googleapis.com/example.Unknown", value=b"\x08\x01"))
    error = errors.from_status(grpc.StatusCode.INVALID_ARGUMENT, "m", [("grpc-status-details-bin", status.SerializeToString())])
    assert error.details == ()


def test_retry_delay_policy() -> None:
    from restoregrpc.client import _retry_delay
    from restoregrpc.options import ClientConfig

    config = ClientConfig(max_attempts=3, initial_backoff=0.1)
    full = errors.ResourceExhaustedError(grpc.StatusCode.RESOURCE_EXHAUSTED, "", retry_delay=2.0)
    assert _retry_delay(full, 1, config) == 2.0
    assert _retry_delay(full, 3, config) is None
    plain = errors.ResourceExhaustedError(grpc.StatusCode.RESOURCE_EXHAUSTED, "")
    assert _retry_delay(plain, 2, config) == pytest.approx(0.2)
    assert _retry_delay(errors.UnavailableError(grpc.StatusCode.UNAVAILABLE, ""), 1, config) is None

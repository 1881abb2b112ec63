"""Retries against an in-process fake server: RESOURCE_EXHAUSTED waits for the server's RetryInfo delay (SDK),
UNAVAILABLE is replayed by gRPC's service-config retry policy, and nothing is retried past the deadline."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2

import restoregrpc.client
from restoregrpc import ClientConfig, ResourceExhaustedError, RestoreClient, RestoreOptions
from restoregrpc._proto import error_details_pb2, restore_service_pb2 as pb, restore_service_pb2_grpc, status_pb2


class _Scripted(restore_service_pb2_grpc.RestoreServiceServicer):
    """Answers Restore with the scripted failures first, then success."""

    def __init__(self, failures: list[tuple[grpc.StatusCode, float | None]]) -> None:
        self.failures = list(failures)
        self.calls = 0

    def Restore(self, request: pb.RestoreRequest, context: grpc.ServicerContext) -> pb.RestoreResponse:
        self.calls += 1
        if self.failures:
            code, delay = self.failures.pop(0)
            if delay is not None:
                packed = any_pb2.Any()
                retry_delay = duration_pb2.Duration()
                retry_delay.FromNanoseconds(int(delay * 1e9))
                packed.Pack(error_details_pb2.RetryInfo(retry_delay=retry_delay))
                status = status_pb2.Status(code=code.value[0], message="busy", details=[packed])
                context.set_trailing_metadata([("grpc-status-details-bin", status.SerializeToString())])
            context.abort(code, "busy")
        return pb.RestoreResponse(image=request.image)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(restoregrpc.client.time, "sleep", recorded.append)
    return recorded


def test_resource_exhausted_is_retried_after_the_retry_info_delay(serve: Any, sleeps: list[float]) -> None:
    servicer = _Scripted([(grpc.StatusCode.RESOURCE_EXHAUSTED, 0.25), (grpc.StatusCode.RESOURCE_EXHAUSTED, 0.5)])
    with RestoreClient(ClientConfig(target=serve(servicer), max_attempts=4)) as client:
        assert client.restore(b"img").image == b"img"
    assert servicer.calls == 3
    assert sleeps == [pytest.approx(0.25), pytest.approx(0.5)]


def test_unavailable_is_replayed_by_the_channel_retry_policy(serve: Any, sleeps: list[float]) -> None:
    servicer = _Scripted([(grpc.StatusCode.UNAVAILABLE, None)])
    with RestoreClient(ClientConfig(target=serve(servicer), max_attempts=3, initial_backoff=0.01)) as client:
        assert client.restore(b"img").image == b"img"
    assert servicer.calls == 2
    assert sleeps == []  # gRPC retried, not the SDK


def test_without_retries_the_error_carries_the_delay(serve: Any, sleeps: list[float]) -> None:
    servicer = _Scripted([(grpc.StatusCode.RESOURCE_EXHAUSTED, 1.5)])
    with RestoreClient(ClientConfig(target=serve(servicer), max_attempts=1)) as client:
        with pytest.raises(ResourceExhaustedError) as raised:
            client.restore(b"img")
    assert raised.value.retry_delay == pytest.approx(1.5)
    assert servicer.calls == 1 and sleeps == []


def test_a_delay_past_the_deadline_is_not_waited_for(serve: Any, sleeps: list[float]) -> None:
    servicer = _Scripted([(grpc.StatusCode.RESOURCE_EXHAUSTED, 60.0)])
    with RestoreClient(ClientConfig(target=serve(servicer), max_attempts=4)) as client:
        with pytest.raises(ResourceExhaustedError):
            client.restore(b"img", RestoreOptions(timeout=5))
    assert servicer.calls == 1 and sleeps == []


def test_the_asyncio_client_retries_the_same_way(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import restoregrpc.aio
    from restoregrpc import AsyncRestoreClient

    waited: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float) -> None:
        waited.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(restoregrpc.aio.asyncio, "sleep", fake_sleep)
    servicer = _Scripted([(grpc.StatusCode.RESOURCE_EXHAUSTED, 0.75)])
    target = serve(servicer)

    async def run() -> bytes:
        async with AsyncRestoreClient(ClientConfig(target=target, max_attempts=2)) as client:
            return (await client.restore(b"img")).image

    assert asyncio.run(run()) == b"img"
    assert servicer.calls == 2 and waited == [pytest.approx(0.75)]

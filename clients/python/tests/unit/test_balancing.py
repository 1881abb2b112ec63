"""Balancing over in-process fake instances: the channel's target and service config, round-robin over a list,
an instance that refuses calls (UNAVAILABLE) skipped by the retry policy, further rounds for idempotent calls on a
balanced channel only, and a stream cut before its plan started again. The fleet of real servers (SIGKILL, drain,
health) is tested in tests/conformance/test_fleet.py."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any, Callable

import grpc
import numpy as np
import pytest

import restoregrpc.client
from restoregrpc import ArraySink, ArraySource, AsyncRestoreClient, ClientConfig, RestoreClient, RestoreOptions, UnavailableError
from restoregrpc._proto import restore_service_pb2 as pb, restore_service_pb2_grpc
from restoregrpc._stream import StreamJob
from restoregrpc.balancing import READINESS_SERVICE, channel_target
from restoregrpc.credentials import is_loopback_target
from restoregrpc.errors import RestoreError


class _Instance(restore_service_pb2_grpc.RestoreServiceServicer):
    """One fake server instance: answers Restore with its name, or refuses while ``refuse()`` says so."""

    def __init__(self, name: str, refuse: Callable[[], bool] = lambda: False) -> None:
        self.name = name
        self.refuse = refuse
        self.calls = 0
        self._lock = threading.Lock()

    def Restore(self, request: pb.RestoreRequest, context: grpc.ServicerContext) -> pb.RestoreResponse:
        with self._lock:
            self.calls += 1
        if self.refuse():
            context.abort(grpc.StatusCode.UNAVAILABLE, "draining")
        return pb.RestoreResponse(image=self.name.encode())


class _Readiness:
    """A grpc.health.v1 Health service for one instance, on raw bytes (HealthCheckResponse is field 1, the status:
    1 SERVING, 2 NOT_SERVING): ``Watch`` sends the status now and again at every change, as the server's does."""

    SERVING, NOT_SERVING = b"\x08\x01", b"\x08\x02"

    def __init__(self) -> None:
        self.status = self.SERVING
        self._changed = threading.Condition()

    def set(self, status: bytes) -> None:
        with self._changed:
            self.status = status
            self._changed.notify_all()

    def watch(self, request: bytes, context: grpc.ServicerContext) -> Any:
        sent = None
        while context.is_active():
            with self._changed:
                self._changed.wait_for(lambda: self.status != sent, timeout=0.5)  # wakes to notice a closed call
                status = self.status
            if status != sent:
                sent = status
                yield status

    def handler(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Watch": grpc.unary_stream_rpc_method_handler(self.watch)})


def test_an_address_list_becomes_one_grpc_target() -> None:
    assert channel_target("ignored:1", ["127.0.0.1:5000", "10.0.0.2:5001"]) == "ipv4:127.0.0.1:5000,10.0.0.2:5001"
    assert channel_target("ignored:1", ["[::1]:5000", "[fd00::2]:5000"]) == "ipv6:[::1]:5000,[fd00::2]:5000"
    assert channel_target("dns:///restore:5000", []) == "dns:///restore:5000"
    with pytest.raises(ValueError, match="dns:///"):
        channel_target("", ["restore-0.restore:5000"])
    with pytest.raises(ValueError, match="IPv4 or all IPv6"):
        channel_target("", ["127.0.0.1:5000", "[::1]:5000"])
    with pytest.raises(ValueError, match="ip:port"):
        channel_target("", ["127.0.0.1"])


def test_balanced_channels_pick_round_robin_and_watch_readiness() -> None:
    single = json.loads(ClientConfig(target="localhost:5000").service_config())
    assert "loadBalancingConfig" not in single and "healthCheckConfig" not in single
    for config in (ClientConfig(target="dns:///restore-headless:5000"), ClientConfig(addresses=["127.0.0.1:1", "127.0.0.1:2"])):
        balanced = json.loads(config.service_config())
        assert balanced["loadBalancingConfig"] == [{"round_robin": {}}]
        assert balanced["healthCheckConfig"] == {"serviceName": READINESS_SERVICE}
        assert balanced["methodConfig"][0]["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    unwatched = json.loads(ClientConfig(addresses=["127.0.0.1:1"], health_check_service=None).service_config())
    assert "healthCheckConfig" not in unwatched
    assert is_loopback_target("dns:///127.0.0.1:5000") and not is_loopback_target("dns:///10.0.0.5:5000")
    options = dict(ClientConfig(addresses=["127.0.0.1:1", "127.0.0.1:2"]).grpc_options())
    assert options["grpc.default_authority"] == "127.0.0.1:1"  # not the whole list, which servers refuse


def test_calls_go_round_robin_over_every_instance(serve: Any) -> None:
    instances = [_Instance(f"instance-{i}") for i in range(3)]
    addresses = [serve(instance) for instance in instances]
    seen: set[bytes] = set()
    with RestoreClient(ClientConfig(addresses=addresses)) as client:
        # Round-robin takes an instance once its connection is up; the three come up in their own time.
        limit = time.monotonic() + 60
        while len(seen) < 3 and time.monotonic() < limit:
            seen.add(client.restore(b"img").image)
        # All connected: consecutive calls go to every instance in turn.
        turn = [client.restore(b"img").image for _ in range(6)]
    assert seen == {b"instance-0", b"instance-1", b"instance-2"}
    assert turn[:3] == turn[3:] and len(set(turn[:3])) == 3


def _restore_until(client: RestoreClient, done: Callable[[list[bytes]], bool], what: str) -> list[bytes]:
    answers: list[bytes] = []
    limit = time.monotonic() + 60  # a loaded machine connects late; never a timing under test
    while not done(answers):
        assert time.monotonic() < limit, f"not within 60 s: {what} (answers {answers[-10:]})"
        answers.append(client.restore(b"img").image)
    return answers


def test_health_checking_moves_calls_off_an_instance_that_stops_serving_and_back(serve: Any) -> None:
    instances = [_Instance(name) for name in ("a", "b", "c")]
    readiness = [_Readiness() for _ in instances]
    readiness[2].set(_Readiness.NOT_SERVING)
    addresses = [serve(instance, ready.handler()) for instance, ready in zip(instances, readiness)]
    with RestoreClient(ClientConfig(addresses=addresses)) as client:
        _restore_until(client, lambda got: len(got) >= 30 and {b"a", b"b"} <= set(got), "both serving instances answered")
        assert instances[2].calls == 0

        # Readiness changes reach the client over the Watch stream: c comes back, a drains.
        readiness[2].set(_Readiness.SERVING)
        readiness[0].set(_Readiness.NOT_SERVING)
        _restore_until(client, lambda got: b"c" in got, "the instance back in service answered")
        _restore_until(client, lambda got: len(got) >= 30 and b"a" not in got[-30:], "30 calls in a row kept off the instance that stopped serving")

    # Without health checking the instance that is not serving gets calls like the others.
    with RestoreClient(ClientConfig(addresses=addresses, health_check_service=None)) as client:
        _restore_until(client, lambda got: b"a" in got, "without health checking the instance that is not serving answered")


def test_the_asyncio_client_balances_the_same_way(serve: Any) -> None:
    instances = [_Instance(f"instance-{i}") for i in range(3)]
    addresses = [serve(instance) for instance in instances]

    async def run() -> set[bytes]:
        seen: set[bytes] = set()
        async with AsyncRestoreClient(ClientConfig(addresses=addresses)) as client:
            limit = time.monotonic() + 60
            while len(seen) < 3 and time.monotonic() < limit:
                seen.add((await client.restore(b"img")).image)
        return seen

    assert asyncio.run(run()) == {b"instance-0", b"instance-1", b"instance-2"}


def test_an_instance_that_refuses_calls_is_skipped_by_the_retry_policy(serve: Any) -> None:
    refusing = _Instance("refusing", refuse=lambda: True)
    healthy = [_Instance("a"), _Instance("b")]
    addresses = [serve(refusing), *(serve(instance) for instance in healthy)]
    with RestoreClient(ClientConfig(addresses=addresses, initial_backoff=0.01)) as client:
        answers = {client.restore(b"img").image for _ in range(30)}
    assert answers <= {b"a", b"b"}
    assert refusing.calls > 0  # it was picked, and the call went on to another instance


def _refuse_first(count: int) -> Callable[[], bool]:
    left = [count]
    lock = threading.Lock()

    def refuse() -> bool:
        with lock:
            left[0] -= 1
            return left[0] >= 0

    return refuse


def test_a_balanced_channel_gives_idempotent_calls_further_rounds_of_retries(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(restoregrpc.client.time, "sleep", sleeps.append)
    # Three refusals outlast one round of two attempts; the second round's second attempt is answered.
    instance = _Instance("late", refuse=_refuse_first(3))
    with RestoreClient(ClientConfig(addresses=[serve(instance)], max_attempts=2, initial_backoff=0.01)) as client:
        assert client.restore(b"img").image == b"late"
    assert instance.calls == 4
    assert sleeps == [pytest.approx(0.01)]


def test_a_single_address_gets_the_retry_policy_alone(serve: Any) -> None:
    instance = _Instance("late", refuse=_refuse_first(3))
    with RestoreClient(ClientConfig(target=serve(instance), max_attempts=2, initial_backoff=0.01)) as client:
        with pytest.raises(UnavailableError):
            client.restore(b"img")
    assert instance.calls == 2


def _job() -> StreamJob:
    return StreamJob(ArraySource(np.zeros((8, 8, 3), np.uint8)), ArraySink(), RestoreOptions(), None, None)


def test_a_stream_cut_before_its_plan_starts_again_only_when_the_instance_went_away() -> None:
    job = _job()
    assert job.resume_delay(RestoreError(grpc.StatusCode.UNAVAILABLE, "instance gone"), 5, 0.25) == pytest.approx(0.25)
    with pytest.raises(RestoreError):
        _job().resume_delay(RestoreError(grpc.StatusCode.INTERNAL, "broken header"), 5, 0.25)
    planned = _job()
    planned.job_id = "job"
    assert planned.resume_delay(RestoreError(grpc.StatusCode.INTERNAL, "connection lost"), 5, 0.25) == pytest.approx(0.25)

"""The synchronous client."""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable, Iterator, Sequence, TypeVar

import grpc

from restoregrpc._images import to_image_bytes
from restoregrpc._proto import model_admin_service_pb2 as admin_pb, model_admin_service_pb2_grpc, models_pb2, restore_service_pb2 as pb, restore_service_pb2_grpc
from restoregrpc.balancing import BALANCED_ROUNDS
from restoregrpc._stream import MessageObserver, ProgressCallback, StreamJob, StreamProtocolError
from restoregrpc.errors import CancelledError, RestoreError, from_rpc_error
from restoregrpc.options import ClientConfig, RestoreOptions
from restoregrpc.result import Result, StreamResult
from restoregrpc.sinks import open_sink
from restoregrpc.sources import open_source

T = TypeVar("T")
Metadata = Sequence[tuple[str, str]]


class RestoreClient:
    """A RestoreGrpc client over one gRPC channel (thread-safe; use as a context manager or call ``close``).

    ``RestoreClient("localhost:5000")`` or ``RestoreClient(ClientConfig(target=..., tls=True))``. Every call
    raises :class:`restoregrpc.RestoreError` (or a subclass per status code) with the decoded google.rpc details.
    """

    def __init__(self, config: ClientConfig | str = "localhost:5000", *, channel: grpc.Channel | None = None) -> None:
        self.config = ClientConfig(target=config) if isinstance(config, str) else config
        if channel is None:
            credentials = self.config.channel_credentials()
            options = self.config.grpc_options()
            channel = (
                grpc.secure_channel(self.config.channel_target(), credentials, options)
                if credentials is not None
                else grpc.insecure_channel(self.config.channel_target(), options)
            )
            self._owned: grpc.Channel | None = channel
        else:
            self._owned = None
        self.channel = channel
        self._stub = restore_service_pb2_grpc.RestoreServiceStub(channel)
        self._admin = model_admin_service_pb2_grpc.ModelAdminServiceStub(channel)

    def __enter__(self) -> RestoreClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()

    # ---- unary calls ----

    def restore(self, image: Any, options: RestoreOptions | None = None, *, metadata: Metadata = ()) -> Result:
        """Restores one image: ``bytes``, a path, a PIL image or a numpy array (the last two sent as PNG)."""
        options = options or RestoreOptions()
        request = pb.RestoreRequest(image=to_image_bytes(image), options=options.to_proto())
        response, call = self._call(lambda timeout: self._stub.Restore.with_call(request, timeout=timeout, metadata=self._metadata(metadata)), options.timeout, idempotent=True)
        return Result.from_response(response, call.trailing_metadata())

    def restore_file(self, source: str | os.PathLike[str], destination: str | os.PathLike[str], options: RestoreOptions | None = None) -> Result:
        """Restores a file into another (the output format follows ``options.output_format``, else the input's)."""
        result = self.restore(source, options)
        folder = os.path.dirname(os.path.abspath(destination))
        os.makedirs(folder, exist_ok=True)
        result.save(destination)
        return result

    def estimate(self, width: int, height: int, options: RestoreOptions | None = None, *, bit_depth: int = 8) -> pb.EstimateRestoreResponse:
        """Plans a restoration of a width × height image without running it."""
        options = options or RestoreOptions()
        request = pb.EstimateRestoreRequest(width=width, height=height, bit_depth=bit_depth, options=options.to_proto())
        return self._call(lambda timeout: self._stub.EstimateRestore(request, timeout=timeout, metadata=self._metadata(())), options.timeout, idempotent=True)

    def detect_faces(self, image: Any, *, detector: str = "", score_threshold: float | None = None, min_face_size: int = 0, timeout: float | None = None) -> pb.DetectFacesResponse:
        request = pb.DetectFacesRequest(image=to_image_bytes(image), detector=detector, score_threshold=score_threshold, min_face_size=min_face_size)  # None: unset
        return self._call(lambda t: self._stub.DetectFaces(request, timeout=t, metadata=self._metadata(())), timeout, idempotent=True)

    def list_models(self, task: str | int | None = None, *, timeout: float | None = None) -> list[models_pb2.ModelInfo]:
        from restoregrpc.options import _enum

        request = models_pb2.ListModelsRequest(task=_enum(models_pb2.ModelTask, "MODEL_TASK_", task))  # type: ignore[arg-type]
        return list(self._call(lambda t: self._stub.ListModels(request, timeout=t, metadata=self._metadata(())), timeout, idempotent=True).models)

    # ---- live model management (ModelAdminService; the admin role when the server has authentication on) ----

    def load_model(self, name: str = "", *, new_model: admin_pb.NewModel | None = None, timeout: float | None = None) -> models_pb2.ModelInfo:
        """Loads a catalog entry that is not loaded, or adds ``new_model`` (a file in the server's model folder).

        Returns the model's state after the call: READY, or FAILED with the reason in ``state_detail``.
        """
        request = admin_pb.LoadModelRequest(name=name, new_model=new_model)
        return (self._call(lambda t: self._admin.LoadModel(request, timeout=t, metadata=self._metadata(())), timeout)).model

    def unload_model(self, name: str, *, timeout: float | None = None) -> models_pb2.ModelInfo:
        """Unloads a model: new requests naming it fail (FAILED_PRECONDITION); running ones finish."""
        request = admin_pb.UnloadModelRequest(name=name)
        return (self._call(lambda t: self._admin.UnloadModel(request, timeout=t, metadata=self._metadata(())), timeout)).model

    def reload_model(self, name: str, *, timeout: float | None = None) -> models_pb2.ModelInfo:
        """Reloads a model from its file and swaps it in; a file that does not load leaves the old one serving (FAILED)."""
        request = admin_pb.ReloadModelRequest(name=name)
        return (self._call(lambda t: self._admin.ReloadModel(request, timeout=t, metadata=self._metadata(())), timeout)).model

    def set_default_model(self, name: str, *, timeout: float | None = None) -> str:
        """Makes a ready super-resolution model the default; returns the default after the call."""
        request = admin_pb.SetDefaultModelRequest(name=name)
        return (self._call(lambda t: self._admin.SetDefaultModel(request, timeout=t, metadata=self._metadata(())), timeout)).default_model

    # ---- streaming ----

    def restore_large(
        self,
        source: Any,
        sink: Any,
        options: RestoreOptions | None = None,
        *,
        progress: ProgressCallback | None = None,
        observer: MessageObserver | None = None,
        cancel: threading.Event | None = None,
        metadata: Metadata = (),
    ) -> StreamResult:
        """Restores an image of any size over RestoreStream, tile by tile.

        ``source``: a :class:`TileSource`, numpy array, PIL image or path; windows are read only as the server
        grants credit. ``sink``: a :class:`TileSink` or a ``.png`` / ``.tif`` path; tiles are written as they
        arrive. A lost connection is resumed up to ``config.max_stream_reconnects`` times: only tiles not yet in
        the sink are sent and computed again, and none reaches the sink twice. ``progress`` is called after each
        tile; ``observer`` sees every server message. Setting ``cancel`` stops the call (CANCELLED).
        """
        job = StreamJob(open_source(source), open_sink(sink), options or RestoreOptions(), progress, observer)
        while True:
            try:
                return self._run_stream(job, cancel, metadata)
            except RestoreError as error:
                if cancel is not None and cancel.is_set():
                    raise
                delay = job.resume_delay(error, self.config.max_stream_reconnects, self.config.reconnect_backoff)
            if cancel is not None and cancel.wait(delay):
                raise CancelledError(grpc.StatusCode.CANCELLED, "cancelled while waiting to resume the stream")
            if cancel is None:
                time.sleep(delay)

    def _run_stream(self, job: StreamJob, cancel: threading.Event | None, metadata: Metadata) -> StreamResult:
        credit = threading.Semaphore(0)
        planned = threading.Event()
        stop = threading.Event()
        pending: list[int] = []

        def requests() -> Iterator[pb.RestoreStreamRequest]:
            yield job.header()
            while not planned.wait(0.05):
                if stop.is_set():
                    return
            for index in pending:
                while not credit.acquire(timeout=0.05):
                    if stop.is_set():
                        return
                yield job.input_tile(index)

        timeout = job.options.timeout if job.options.timeout is not None else self.config.default_timeout
        call = self._stub.RestoreStream(requests(), timeout=timeout, metadata=self._metadata(metadata))
        if cancel is not None:

            def watch() -> None:
                while not stop.wait(0.05):
                    if cancel.is_set():
                        call.cancel()
                        return

            threading.Thread(target=watch, daemon=True).start()

        def grant(tiles: int) -> None:
            for _ in range(tiles):
                credit.release()

        try:
            for response in call:
                if cancel is not None and cancel.is_set():
                    # Set by a callback on this thread (progress, observer): stop now, not at the watcher's next poll.
                    call.cancel()
                    raise CancelledError(grpc.StatusCode.CANCELLED, "cancelled by the caller")
                step = job.on_response(response, grant)
                if isinstance(step, list):
                    pending.extend(step)
                    planned.set()
                elif step is not None:
                    return step
            raise StreamProtocolError("the stream ended without a summary")
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        finally:
            stop.set()
            call.cancel()

    # ---- plumbing ----

    def _metadata(self, extra: Metadata) -> list[tuple[str, str]]:
        return [*self.config.metadata, *extra]

    def _call(self, invoke: Callable[[float | None], T], timeout: float | None, *, idempotent: bool = False) -> T:
        """Runs a unary call; RESOURCE_EXHAUSTED is retried after the server's RetryInfo delay (UNAVAILABLE is
        retried inside gRPC by the channel's retry policy; on a balanced channel an ``idempotent`` call gets further
        rounds of it)."""
        retries = CallRetries(self.config, timeout, idempotent)
        while True:
            try:
                return invoke(retries.remaining())
            except grpc.RpcError as rpc_error:
                delay = retries.delay_after(from_rpc_error(rpc_error))
            time.sleep(delay)


class CallRetries:
    """Which retry comes next for one unary call, shared by the sync and asyncio clients: RESOURCE_EXHAUSTED after
    the server's RetryInfo (or back-off), and on a balanced channel further rounds of the channel's UNAVAILABLE
    retries for an ``idempotent`` call; never past the call's deadline."""

    def __init__(self, config: ClientConfig, timeout: float | None, idempotent: bool) -> None:
        self._config = config
        self._idempotent = idempotent
        timeout = timeout if timeout is not None else config.default_timeout
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._attempt = 1
        self._rounds = 1

    def remaining(self) -> float | None:
        """Seconds left for the next attempt (None: no deadline)."""
        return None if self._deadline is None else max(0.0, self._deadline - time.monotonic())

    def delay_after(self, error: RestoreError) -> float:
        """Seconds to wait before the next attempt after ``error``; raises ``error`` when there is none."""
        delay = _round_delay(error, self._rounds, self._config, self._deadline) if self._idempotent else None
        if delay is not None:
            self._rounds += 1
            return delay
        delay = _retry_delay(error, self._attempt, self._config, self._deadline)
        self._attempt += 1
        return delay


def _round_delay(error: RestoreError, rounds: int, config: ClientConfig, deadline: float | None) -> float | None:
    """Seconds to wait before another round of the channel's UNAVAILABLE retries for an idempotent call on a
    balanced channel (the instance went away: the next round goes to the ones left), None when there is none."""
    if error.code != grpc.StatusCode.UNAVAILABLE or not config.balanced or config.max_attempts <= 1 or rounds >= BALANCED_ROUNDS:
        return None
    delay = config.initial_backoff * rounds
    if deadline is not None and time.monotonic() + delay >= deadline:
        return None
    return delay


def _retry_delay(error: RestoreError, attempt: int, config: ClientConfig, deadline: float | None = None) -> float:
    """Seconds to wait before retrying RESOURCE_EXHAUSTED (the server's RetryInfo, else exponential back-off);
    raises ``error`` when it is not retried (another code, attempts spent, or the wait would pass the deadline)."""
    if error.code != grpc.StatusCode.RESOURCE_EXHAUSTED or attempt >= config.max_attempts:
        raise error
    delay = error.retry_delay if error.retry_delay is not None else min(config.max_backoff, config.initial_backoff * 2 ** (attempt - 1))
    if deadline is not None and time.monotonic() + delay >= deadline:
        raise error
    return delay

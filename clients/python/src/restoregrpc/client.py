"""The synchronous client."""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable, Iterator, Sequence, TypeVar

import grpc

from restoregrpc._images import to_image_bytes
from restoregrpc._proto import models_pb2, restore_service_pb2 as pb, restore_service_pb2_grpc
from restoregrpc._stream import RESUMABLE, MessageObserver, ProgressCallback, StreamJob, StreamProtocolError
from restoregrpc.errors import RestoreError, from_rpc_error
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
                grpc.secure_channel(self.config.target, credentials, options)
                if credentials is not None
                else grpc.insecure_channel(self.config.target, options)
            )
            self._owned: grpc.Channel | None = channel
        else:
            self._owned = None
        self.channel = channel
        self._stub = restore_service_pb2_grpc.RestoreServiceStub(channel)

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
        response, call = self._call(lambda timeout: self._stub.Restore.with_call(request, timeout=timeout, metadata=self._metadata(metadata)), options.timeout)
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
        return self._call(lambda timeout: self._stub.EstimateRestore(request, timeout=timeout, metadata=self._metadata(())), options.timeout)

    def detect_faces(self, image: Any, *, detector: str = "", score_threshold: float = 0.0, min_face_size: int = 0, timeout: float | None = None) -> pb.DetectFacesResponse:
        request = pb.DetectFacesRequest(image=to_image_bytes(image), detector=detector, score_threshold=score_threshold, min_face_size=min_face_size)
        return self._call(lambda t: self._stub.DetectFaces(request, timeout=t, metadata=self._metadata(())), timeout)

    def list_models(self, task: str | int | None = None, *, timeout: float | None = None) -> list[models_pb2.ModelInfo]:
        from restoregrpc.options import _enum

        request = models_pb2.ListModelsRequest(task=_enum(models_pb2.ModelTask, "MODEL_TASK_", task))  # type: ignore[arg-type]
        return list(self._call(lambda t: self._stub.ListModels(request, timeout=t, metadata=self._metadata(())), timeout).models)

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
                if job.source_error is not None:
                    raise job.source_error from error
                cancelled = cancel is not None and cancel.is_set()
                if cancelled or error.code not in RESUMABLE or job.reconnects >= self.config.max_stream_reconnects or not job.job_id:
                    raise
                job.reconnects += 1
                if cancel is not None:
                    if cancel.wait(job.backoff(self.config.reconnect_backoff)):
                        raise
                else:
                    time.sleep(job.backoff(self.config.reconnect_backoff))

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
        watcher = None
        if cancel is not None:
            watcher = threading.Thread(target=lambda: (cancel.wait(), call.cancel()), daemon=True)
            watcher.start()
        try:
            first = True
            for response in call:
                if job.observer is not None:
                    job.observer(response)
                kind = response.WhichOneof("kind")
                if first:
                    if kind != "plan":
                        raise StreamProtocolError("the server did not answer the stream header with a tile plan")
                    pending.extend(job.accept(response.plan))
                    for _ in range(response.plan.initial_credit):
                        credit.release()
                    planned.set()
                    first = False
                elif kind == "tile":
                    job.on_part(response.tile)
                elif kind == "credit":
                    for _ in range(response.credit.tiles):
                        credit.release()
                elif kind == "summary":
                    return job.finish(response.summary)
            raise StreamProtocolError("the stream ended without a summary")
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        finally:
            stop.set()
            call.cancel()

    # ---- plumbing ----

    def _metadata(self, extra: Metadata) -> list[tuple[str, str]]:
        return [*self.config.metadata, *extra]

    def _call(self, invoke: Callable[[float | None], T], timeout: float | None) -> T:
        """Runs a unary call; RESOURCE_EXHAUSTED is retried after the server's RetryInfo delay (UNAVAILABLE is
        retried inside gRPC by the channel's retry policy)."""
        timeout = timeout if timeout is not None else self.config.default_timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        attempt = 1
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return invoke(remaining)
            except grpc.RpcError as rpc_error:
                error = from_rpc_error(rpc_error)
            delay = _retry_delay(error, attempt, self.config)
            if delay is None or (deadline is not None and time.monotonic() + delay >= deadline):
                raise error
            time.sleep(delay)
            attempt += 1


def _retry_delay(error: RestoreError, attempt: int, config: ClientConfig) -> float | None:
    """Seconds to wait before retrying RESOURCE_EXHAUSTED (the server's RetryInfo, else exponential back-off)."""
    if error.code != grpc.StatusCode.RESOURCE_EXHAUSTED or attempt >= config.max_attempts:
        return None
    if error.retry_delay is not None:
        return error.retry_delay
    return min(config.max_backoff, config.initial_backoff * 2 ** (attempt - 1))

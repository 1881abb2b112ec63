"""The asyncio client: the same calls as :class:`restoregrpc.RestoreClient`, awaitable."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Awaitable, Callable, Sequence, TypeVar

import grpc
import grpc.aio

from restoregrpc._images import to_image_bytes
from restoregrpc._proto import model_admin_service_pb2 as admin_pb, model_admin_service_pb2_grpc, models_pb2, restore_service_pb2 as pb, restore_service_pb2_grpc
from restoregrpc._stream import MessageObserver, ProgressCallback, StreamJob, StreamProtocolError
from restoregrpc.client import CallRetries
from restoregrpc.errors import RestoreError, from_rpc_error
from restoregrpc.options import ClientConfig, RestoreOptions, _enum
from restoregrpc.result import Result, StreamResult
from restoregrpc.sinks import open_sink
from restoregrpc.sources import open_source

T = TypeVar("T")
Metadata = Sequence[tuple[str, str]]


class AsyncRestoreClient:
    """A RestoreGrpc client on ``grpc.aio`` (``async with AsyncRestoreClient("localhost:5000") as client``).

    Cancelling the awaiting task cancels the call. Errors are :class:`restoregrpc.RestoreError` subclasses.
    """

    def __init__(self, config: ClientConfig | str = "localhost:5000", *, channel: grpc.aio.Channel | None = None) -> None:
        self.config = ClientConfig(target=config) if isinstance(config, str) else config
        if channel is None:
            credentials = self.config.channel_credentials()
            options = self.config.grpc_options()
            channel = (
                grpc.aio.secure_channel(self.config.channel_target(), credentials, options)
                if credentials is not None
                else grpc.aio.insecure_channel(self.config.channel_target(), options)
            )
            self._owned: grpc.aio.Channel | None = channel
        else:
            self._owned = None
        self.channel = channel
        self._stub = restore_service_pb2_grpc.RestoreServiceStub(channel)
        self._admin = model_admin_service_pb2_grpc.ModelAdminServiceStub(channel)

    async def __aenter__(self) -> AsyncRestoreClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owned is not None:
            await self._owned.close()

    async def restore(self, image: Any, options: RestoreOptions | None = None, *, metadata: Metadata = ()) -> Result:
        options = options or RestoreOptions()
        request = pb.RestoreRequest(image=to_image_bytes(image), options=options.to_proto())

        async def invoke(timeout: float | None) -> Result:
            call = self._stub.Restore(request, timeout=timeout, metadata=self._metadata(metadata))
            response = await call
            return Result.from_response(response, await call.trailing_metadata())

        return await self._call(invoke, options.timeout, idempotent=True)

    async def restore_file(self, source: str | os.PathLike[str], destination: str | os.PathLike[str], options: RestoreOptions | None = None) -> Result:
        result = await self.restore(source, options)
        os.makedirs(os.path.dirname(os.path.abspath(destination)), exist_ok=True)
        result.save(destination)
        return result

    async def estimate(self, width: int, height: int, options: RestoreOptions | None = None, *, bit_depth: int = 8) -> pb.EstimateRestoreResponse:
        options = options or RestoreOptions()
        request = pb.EstimateRestoreRequest(width=width, height=height, bit_depth=bit_depth, options=options.to_proto())
        return await self._call(lambda t: self._stub.EstimateRestore(request, timeout=t, metadata=self._metadata(())), options.timeout, idempotent=True)

    async def detect_faces(self, image: Any, *, detector: str = "", score_threshold: float | None = None, min_face_size: int = 0, timeout: float | None = None) -> pb.DetectFacesResponse:
        request = pb.DetectFacesRequest(image=to_image_bytes(image), detector=detector, score_threshold=score_threshold, min_face_size=min_face_size)  # None: unset
        return await self._call(lambda t: self._stub.DetectFaces(request, timeout=t, metadata=self._metadata(())), timeout, idempotent=True)

    async def list_models(self, task: str | int | None = None, *, timeout: float | None = None) -> list[models_pb2.ModelInfo]:
        request = models_pb2.ListModelsRequest(task=_enum(models_pb2.ModelTask, "MODEL_TASK_", task))  # type: ignore[arg-type]
        response = await self._call(lambda t: self._stub.ListModels(request, timeout=t, metadata=self._metadata(())), timeout, idempotent=True)
        return list(response.models)

    # ---- live model management (ModelAdminService; the admin role when the server has authentication on) ----

    async def load_model(self, name: str = "", *, new_model: admin_pb.NewModel | None = None, timeout: float | None = None) -> models_pb2.ModelInfo:
        """Loads a catalog entry that is not loaded, or adds ``new_model`` (a file in the server's model folder).

        Returns the model's state after the call: READY, or FAILED with the reason in ``state_detail``.
        """
        request = admin_pb.LoadModelRequest(name=name, new_model=new_model)
        return (await self._call(lambda t: self._admin.LoadModel(request, timeout=t, metadata=self._metadata(())), timeout)).model

    async def unload_model(self, name: str, *, timeout: float | None = None) -> models_pb2.ModelInfo:
        """Unloads a model: new requests naming it fail (FAILED_PRECONDITION); running ones finish."""
        request = admin_pb.UnloadModelRequest(name=name)
        return (await self._call(lambda t: self._admin.UnloadModel(request, timeout=t, metadata=self._metadata(())), timeout)).model

    async def reload_model(self, name: str, *, timeout: float | None = None) -> models_pb2.ModelInfo:
        """Reloads a model from its file and swaps it in; a file that does not load leaves the old one serving (FAILED)."""
        request = admin_pb.ReloadModelRequest(name=name)
        return (await self._call(lambda t: self._admin.ReloadModel(request, timeout=t, metadata=self._metadata(())), timeout)).model

    async def set_default_model(self, name: str, *, timeout: float | None = None) -> str:
        """Makes a ready super-resolution model the default; returns the default after the call."""
        request = admin_pb.SetDefaultModelRequest(name=name)
        return (await self._call(lambda t: self._admin.SetDefaultModel(request, timeout=t, metadata=self._metadata(())), timeout)).default_model

    async def restore_large(
        self,
        source: Any,
        sink: Any,
        options: RestoreOptions | None = None,
        *,
        progress: ProgressCallback | None = None,
        observer: MessageObserver | None = None,
        metadata: Metadata = (),
    ) -> StreamResult:
        """As :meth:`restore_large` of the sync client (source windows are read and sink tiles written inline on
        the event loop; give sources and sinks that do not block for long)."""
        job = StreamJob(open_source(source), open_sink(sink), options or RestoreOptions(), progress, observer)
        while True:
            try:
                return await self._run_stream(job, metadata)
            except RestoreError as error:
                delay = job.resume_delay(error, self.config.max_stream_reconnects, self.config.reconnect_backoff)
            await asyncio.sleep(delay)

    async def _run_stream(self, job: StreamJob, metadata: Metadata) -> StreamResult:
        timeout = job.options.timeout if job.options.timeout is not None else self.config.default_timeout
        call = self._stub.RestoreStream(timeout=timeout, metadata=self._metadata(metadata))
        credit = asyncio.Semaphore(0)

        async def send(pending: list[int]) -> None:
            try:
                for index in pending:
                    await credit.acquire()
                    await call.write(job.input_tile(index))
                await call.done_writing()
            except grpc.RpcError:
                pass  # the call broke: the receive side reports why
            except asyncio.InvalidStateError:
                pass

        sending: asyncio.Task[None] | None = None

        def grant(tiles: int) -> None:
            for _ in range(tiles):
                credit.release()

        try:
            await call.write(job.header())
            while True:
                response = await call.read()
                if response is grpc.aio.EOF:
                    raise StreamProtocolError("the stream ended without a summary")
                step = job.on_response(response, grant)
                if isinstance(step, list):
                    sending = asyncio.create_task(send(step))
                elif step is not None:
                    return step
                if sending is not None and sending.done() and sending.exception() is not None:
                    raise sending.exception()  # type: ignore[misc]
        except grpc.RpcError as error:
            if sending is not None and sending.done() and not sending.cancelled() and sending.exception() is not None:
                raise sending.exception() from None  # type: ignore[misc]
            raise from_rpc_error(error) from None
        finally:
            call.cancel()
            if sending is not None:
                sending.cancel()
                try:
                    await sending
                except (asyncio.CancelledError, Exception):
                    pass

    def _metadata(self, extra: Metadata) -> list[tuple[str, str]]:
        return [*self.config.metadata, *extra]

    async def _call(self, invoke: Callable[[float | None], Awaitable[T]], timeout: float | None, *, idempotent: bool = False) -> T:
        retries = CallRetries(self.config, timeout, idempotent)
        while True:
            try:
                return await invoke(retries.remaining())
            except grpc.RpcError as rpc_error:
                delay = retries.delay_after(from_rpc_error(rpc_error))
            await asyncio.sleep(delay)

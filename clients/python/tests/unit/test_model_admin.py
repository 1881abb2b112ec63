"""Live model management against an in-process fake ModelAdminService: each SDK method sends its request and
returns the model's state; errors keep their status code and field violations."""

from __future__ import annotations

import asyncio
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2

from restoregrpc import AsyncRestoreClient, InvalidArgumentError, NewModel, NotFoundError, RestoreClient
from restoregrpc._proto import error_details_pb2, model_admin_service_pb2 as admin_pb, model_admin_service_pb2_grpc, models_pb2, status_pb2


class _FakeAdmin(model_admin_service_pb2_grpc.ModelAdminServiceServicer):
    def __init__(self) -> None:
        self.requests: list[Any] = []

    def _model(self, name: str, state: int) -> models_pb2.ModelInfo:
        return models_pb2.ModelInfo(name=name, state=state)

    def LoadModel(self, request: admin_pb.LoadModelRequest, context: grpc.ServicerContext) -> admin_pb.LoadModelResponse:
        self.requests.append(request)
        if request.HasField("new_model") and "/" in request.new_model.file:
            violation = error_details_pb2.BadRequest.FieldViolation(field="new_model.file", description="no directories")
            packed = any_pb2.Any()
            packed.Pack(error_details_pb2.BadRequest(field_violations=[violation]))
            status = status_pb2.Status(code=grpc.StatusCode.INVALID_ARGUMENT.value[0], message="new_model.file: no directories", details=[packed])
            context.set_trailing_metadata([("grpc-status-details-bin", status.SerializeToString())])
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "new_model.file: no directories")
        name = request.new_model.name if request.HasField("new_model") else request.name
        return admin_pb.LoadModelResponse(model=self._model(name, models_pb2.MODEL_STATE_READY))

    def UnloadModel(self, request: admin_pb.UnloadModelRequest, context: grpc.ServicerContext) -> admin_pb.UnloadModelResponse:
        self.requests.append(request)
        if request.name == "nope":
            context.abort(grpc.StatusCode.NOT_FOUND, "model 'nope' is not in the catalog")
        return admin_pb.UnloadModelResponse(model=self._model(request.name, models_pb2.MODEL_STATE_UNLOADED))

    def ReloadModel(self, request: admin_pb.ReloadModelRequest, context: grpc.ServicerContext) -> admin_pb.ReloadModelResponse:
        self.requests.append(request)
        failed = self._model(request.name, models_pb2.MODEL_STATE_FAILED)
        failed.state_detail = "truncated; the previous session keeps serving"
        return admin_pb.ReloadModelResponse(model=failed)

    def SetDefaultModel(self, request: admin_pb.SetDefaultModelRequest, context: grpc.ServicerContext) -> admin_pb.SetDefaultModelResponse:
        self.requests.append(request)
        return admin_pb.SetDefaultModelResponse(default_model=request.name)


@pytest.fixture
def admin() -> Any:
    fake = _FakeAdmin()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    model_admin_service_pb2_grpc.add_ModelAdminServiceServicer_to_server(fake, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield fake, f"127.0.0.1:{port}"
    server.stop(None)


def test_every_admin_method_sends_its_request_and_returns_the_state(admin: Any) -> None:
    fake, target = admin
    with RestoreClient(target) as client:
        assert client.load_model("x2").state == models_pb2.MODEL_STATE_READY
        added = client.load_model(new_model=NewModel(name="n", file="n.onnx", sha256="a" * 64, task=models_pb2.MODEL_TASK_SUPER_RESOLUTION, scale=2))
        assert (added.name, added.state) == ("n", models_pb2.MODEL_STATE_READY)
        assert client.unload_model("x2").state == models_pb2.MODEL_STATE_UNLOADED
        reloaded = client.reload_model("anime")
        assert reloaded.state == models_pb2.MODEL_STATE_FAILED and "keeps serving" in reloaded.state_detail
        assert client.set_default_model("x2") == "x2"
    assert [type(r).__name__ for r in fake.requests] == ["LoadModelRequest", "LoadModelRequest", "UnloadModelRequest", "ReloadModelRequest", "SetDefaultModelRequest"]
    assert fake.requests[1].new_model.sha256 == "a" * 64


def test_admin_errors_keep_their_code_and_field(admin: Any) -> None:
    _, target = admin
    with RestoreClient(target) as client:
        with pytest.raises(NotFoundError):
            client.unload_model("nope")
        with pytest.raises(InvalidArgumentError) as refused:
            client.load_model(new_model=NewModel(name="n", file="../n.onnx"))
    assert [v.field for v in refused.value.field_violations] == ["new_model.file"]


def test_the_async_client_has_the_same_methods(admin: Any) -> None:
    _, target = admin

    async def run() -> tuple[int, int, str]:
        async with AsyncRestoreClient(target) as client:
            loaded = await client.load_model("x2")
            unloaded = await client.unload_model("x2")
            await client.reload_model("x2")
            return loaded.state, unloaded.state, await client.set_default_model("x2")

    assert asyncio.run(run()) == (models_pb2.MODEL_STATE_READY, models_pb2.MODEL_STATE_UNLOADED, "x2")

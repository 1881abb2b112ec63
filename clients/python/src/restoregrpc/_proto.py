"""The generated stubs (python3 generate.py writes them; they are not committed)."""

from __future__ import annotations

try:
    from restoregrpc._rpc import error_details_pb2, status_pb2
    from restoregrpc.v1 import image_pb2, model_admin_service_pb2, model_admin_service_pb2_grpc, models_pb2, restore_service_pb2, restore_service_pb2_grpc
except ImportError as missing:  # pragma: no cover - a checkout without generated stubs
    raise ImportError(
        "restoregrpc: the protobuf stubs are not generated; run `python3 clients/python/generate.py` "
        f"(needs protoc and grpc_python_plugin, or grpcio-tools): {missing}"
    ) from missing

__all__ = ["error_details_pb2", "image_pb2", "model_admin_service_pb2", "model_admin_service_pb2_grpc", "models_pb2", "restore_service_pb2", "restore_service_pb2_grpc", "status_pb2"]

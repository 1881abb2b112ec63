"""Fixtures the unit tests share."""

from __future__ import annotations

from concurrent import futures
from typing import Any, Iterator

import grpc
import pytest

from restoregrpc._proto import restore_service_pb2_grpc


@pytest.fixture
def serve() -> Iterator[Any]:
    """Starts in-process RestoreService servers on loopback port 0: ``serve(servicer, *extra_handlers)`` returns the
    ``127.0.0.1:port`` address; every server is stopped after the test."""
    servers: list[grpc.Server] = []

    def start(servicer: Any, *handlers: grpc.GenericRpcHandler) -> str:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        restore_service_pb2_grpc.add_RestoreServiceServicer_to_server(servicer, server)
        if handlers:
            server.add_generic_rpc_handlers(handlers)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        servers.append(server)
        return f"127.0.0.1:{port}"

    yield start
    for server in servers:
        server.stop(None)

"""The conformance kit's cutting proxy (clients/conformance/README.md, stream_resume): a loopback TCP proxy that
closes the first N connections for real once it has forwarded a given number of bytes from the server."""

from __future__ import annotations

import socket
import threading


class CutProxy:
    def __init__(self, upstream: str, after_server_bytes: int, connections: int = 1) -> None:
        host, _, port = upstream.rpartition(":")
        self._upstream = (host, int(port))
        self._after = after_server_bytes
        self._cuts_left = connections
        self._lock = threading.Lock()
        self.cuts = 0
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                cut = self._cuts_left > 0
                if cut:
                    self._cuts_left -= 1
            server = socket.create_connection(self._upstream)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self._after if cut else None), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, limit: int | None) -> None:
        forwarded = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if limit is not None and forwarded + len(data) >= limit:
                    target.sendall(data[: limit - forwarded])
                    with self._lock:
                        self.cuts += 1
                    break
                target.sendall(data)
                forwarded += len(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self) -> None:
        self._closed = True
        self._listener.close()

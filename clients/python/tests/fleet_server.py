"""One server instance of a fleet, as its own process (the built server, started as a user would): gRPC and metrics
endpoints on 127.0.0.1 port 0, the built-in resampler as its default model (no model files, fast). It can be
SIGKILLed (a crash) or SIGTERMed (a drain, as Kubernetes stops a pod). The C# fleet tests start theirs the same way
(tests/RestoreGrpc.IntegrationTests/Fleet/FleetServer.cs)."""

from __future__ import annotations

import pathlib
import re
import signal
import subprocess
import tempfile
import threading
import urllib.request

from conftest import REPO

SERVER_DLL = REPO / "src" / "RestoreGrpc.Server" / "bin" / "Release" / "net10.0" / "RestoreGrpc.Server.dll"
START_LIMIT = 180.0  # seconds; a loaded machine starts .NET slowly
_LISTENING = re.compile(r"Now listening on: (http://\S+)")
_OPEN_STREAMS = re.compile(r'^restoregrpc_calls_active\{[^}]*rpc_method="restoregrpc\.v1\.RestoreService/RestoreStream"[^}]*\}\s+(\S+)', re.M)
_RESTORES_OK = re.compile(r'^restoregrpc_requests_total\{[^}]*rpc_method="restoregrpc\.v1\.RestoreService/Restore"[^}]*rpc_status_code="OK"[^}]*\}\s+(\S+)', re.M)


class FleetServer:
    def __init__(self, drain_seconds: float = 1.0, default_model: str = "builtin-lanczos-x4") -> None:
        """Starts the process; :meth:`wait_started` waits for its addresses."""
        self._models = tempfile.TemporaryDirectory(prefix="restoregrpc-fleet-models-")
        arguments = [
            "dotnet", str(SERVER_DLL),
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:0",
            f"--Restore:Models:Directory={self._models.name}",
            f"--Restore:Models:DefaultModel={default_model}",
            "--Restore:Models:ExecutionProvider=Cpu",
            "--Restore:Models:DownloadMissing=false",
            f"--Restore:Server:DrainSeconds={drain_seconds}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            "--Logging:LogLevel:RestoreGrpc.Server.Draining=Information",
        ]
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tempfile.gettempdir())
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.address = ""
        self.metrics = ""

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self._lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._lines.append("")  # end of output
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self._lines)

    def wait_started(self) -> FleetServer:
        """Waits for "Application started" (Kestrel logs the Grpc endpoint, then Metrics, before it)."""
        with self._changed:
            started = self._changed.wait_for(lambda: any("Application started" in l for l in self._lines) or self.process.poll() is not None, START_LIMIT)
            if not started or not any("Application started" in l for l in self._lines):
                raise RuntimeError("the server did not start:\n" + "\n".join(self._lines))
            listening = [m.group(1) for l in self._lines if (m := _LISTENING.search(l))]
        self.address = listening[0].removeprefix("http://")
        self.metrics = listening[1]
        return self

    def restores_served(self) -> int:
        """Successful Restore calls this instance served, from its Prometheus scrape."""
        return sum(int(float(value)) for value in _RESTORES_OK.findall(self._scrape()))

    def open_streams(self) -> int:
        """RestoreStream calls running on this instance now, from its Prometheus scrape."""
        return sum(int(float(value)) for value in _OPEN_STREAMS.findall(self._scrape()))

    def _scrape(self) -> str:
        with urllib.request.urlopen(f"{self.metrics}/metrics", timeout=30) as response:
            return response.read().decode()

    def kill(self) -> None:
        """A crash: SIGKILL, no drain."""
        self.process.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """What Kubernetes sends a pod it stops: SIGTERM, and the server drains."""
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join()
        self._models.cleanup()


def start_fleet(count: int, **settings: object) -> list[FleetServer]:
    """Starts ``count`` servers side by side and waits for all of them (closing them all if one fails)."""
    servers = [FleetServer(**settings) for _ in range(count)]  # type: ignore[arg-type]
    try:
        for server in servers:
            server.wait_started()
    except BaseException:
        for server in servers:
            server.close()
        raise
    return servers


def server_is_built() -> pathlib.Path | None:
    return SERVER_DLL if SERVER_DLL.is_file() else None

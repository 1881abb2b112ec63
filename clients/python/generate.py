"""Generates the protobuf and gRPC stubs into src/restoregrpc (ignored by git) from ../../protos.

Uses grpc_tools.protoc when installed, otherwise protoc with grpc_python_plugin (Debian: protobuf-compiler,
protobuf-compiler-grpc). Run: python3 generate.py
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
PROTOS = HERE.parent.parent / "protos"
RPC_PROTOS = HERE / "third_party" / "googleapis"
SRC = HERE / "src"


def _protoc(args: list[str]) -> None:
    try:
        from grpc_tools import protoc  # type: ignore[import-not-found]

        include = pathlib.Path(protoc.__file__).parent / "_proto"
        if protoc.main(["protoc", f"-I{include}", *args]) != 0:
            raise SystemExit("grpc_tools.protoc failed")
        return
    except ImportError:
        pass
    compiler = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if compiler is None or plugin is None:
        raise SystemExit("need grpc_tools, or protoc and grpc_python_plugin (apt: protobuf-compiler protobuf-compiler-grpc)")
    subprocess.run([compiler, f"--plugin=protoc-gen-grpc_python={plugin}", "-I/usr/include", *args], check=True)


def main() -> None:
    out_v1 = SRC / "restoregrpc" / "v1"
    out_rpc = SRC / "restoregrpc" / "_rpc"
    for folder in (out_v1, out_rpc):
        shutil.rmtree(folder, ignore_errors=True)
    protos = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / "restoregrpc" / "v1").glob("*.proto"))
    _protoc([f"-I{PROTOS}", f"--python_out={SRC}", f"--pyi_out={SRC}", f"--grpc_python_out={SRC}", *protos])
    (out_v1 / "__init__.py").write_text('"""Generated from protos/restoregrpc/v1 (not committed)."""\n')
    # google.rpc stubs live in restoregrpc._rpc; the generated files import only google.protobuf.
    staging = HERE / "build" / "rpc"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _protoc([f"-I{RPC_PROTOS}", f"--python_out={staging}", f"--pyi_out={staging}", "google/rpc/status.proto", "google/rpc/error_details.proto"])
    out_rpc.mkdir(parents=True)
    for generated in (staging / "google" / "rpc").iterdir():
        shutil.copy(generated, out_rpc / generated.name)
    (out_rpc / "__init__.py").write_text('"""google.rpc stubs generated from third_party/googleapis (not committed)."""\n')
    print(f"generated stubs in {out_v1} and {out_rpc}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Command line: ``python3 -m restoregrpc upscale IN... [-o DIR]`` and ``python3 -m restoregrpc models``."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

from restoregrpc._proto import models_pb2
from restoregrpc.client import RestoreClient
from restoregrpc.credentials import CredentialsError
from restoregrpc.errors import RestoreError
from restoregrpc.options import ClientConfig, RestoreOptions
from restoregrpc.result import StreamProgress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m restoregrpc", description="RestoreGrpc client")
    parser.add_argument("--server", default=os.environ.get("RESTORE_SERVER", "localhost:5000"), help="host:port (default $RESTORE_SERVER or localhost:5000)")
    parser.add_argument("--tls", action="store_true", help="TLS with the system's root certificates (implied by https://, --ca, --cert)")
    parser.add_argument("--api-key", default=None, help="API key sent as x-api-key (default $RESTORE_API_KEY; prefer it, arguments show in ps)")
    parser.add_argument("--token", default=None, help="bearer token sent as 'authorization: Bearer' (default $RESTORE_TOKEN)")
    parser.add_argument("--ca", default=None, help="PEM bundle of the CA(s) that sign the server's certificate")
    parser.add_argument("--cert", default=None, help="client certificate (PEM) for mTLS")
    parser.add_argument("--key", default=None, help="private key (PEM) of --cert")
    commands = parser.add_subparsers(dest="command", required=True)
    upscale = commands.add_parser("upscale", help="restore image files")
    upscale.add_argument("inputs", nargs="+", type=pathlib.Path)
    upscale.add_argument("-o", "--output", type=pathlib.Path, default=pathlib.Path("restored"))
    upscale.add_argument("-m", "--model", default="")
    upscale.add_argument("-x", "--scale", type=float, default=None)
    upscale.add_argument("-f", "--format", default=None, help="png, jpeg, webp, tiff, bmp (default: the input's)")
    upscale.add_argument("--tile", type=int, default=None)
    upscale.add_argument("--tile-margin", type=int, default=None)
    upscale.add_argument("--timeout", type=float, default=None, help="seconds per call")
    upscale.add_argument("--stream", action="store_true", help="stream tile by tile into a .tif (any size, bounded memory)")
    commands.add_parser("models", help="list the server's models")
    args = parser.parse_args(argv)

    try:
        config = _client_config(args)
        client = RestoreClient(config)
    except CredentialsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with client:
        try:
            if args.command == "models":
                for model in client.list_models():
                    provider = models_pb2.ExecutionProvider.Name(model.execution_provider).removeprefix("EXECUTION_PROVIDER_")
                    print(f"{model.name:32} x{model.scale}  {provider:8} {model.description}")
                return 0
            failed = 0
            for source in args.inputs:
                options = RestoreOptions(model=args.model, scale=args.scale, output_format=args.format, tile_size=args.tile, tile_margin=args.tile_margin, timeout=args.timeout)
                try:
                    if args.stream:
                        destination = args.output / f"{source.stem}_x4.tif"
                        args.output.mkdir(parents=True, exist_ok=True)

                        def report(p: StreamProgress) -> None:
                            print(f"\r{source.name}: {p.tiles_done}/{p.tiles_total} tiles", end="", file=sys.stderr)

                        result = client.restore_large(source, destination, options, progress=report)
                        print(f"\n{source} -> {destination} ({result.output_width}x{result.output_height}, {result.reconnects} reconnects)")
                    else:
                        suffix = f".{args.format.lower()}" if args.format else source.suffix
                        destination = args.output / f"{source.stem}_x{args.scale or 4:g}{suffix}"
                        restored = client.restore_file(source, destination, options)
                        print(f"{source} -> {destination} ({restored.width}x{restored.height}, {restored.details.model})")
                except RestoreError as error:
                    failed += 1
                    print(f"{source}: {error.describe()}", file=sys.stderr)
            return 1 if failed else 0
        except RestoreError as error:
            print(error.describe(), file=sys.stderr)
            return 1


def _client_config(args: argparse.Namespace) -> ClientConfig:
    """The connection the arguments describe: ``https://host:port`` means TLS; key and token fall back to the
    environment; an API key or token over plaintext is allowed to loopback targets only."""
    target = args.server
    tls = args.tls
    if target.startswith("https://"):
        target, tls = target.removeprefix("https://").rstrip("/"), True
    elif target.startswith("http://"):
        target = target.removeprefix("http://").rstrip("/")
    return ClientConfig.from_env(
        target=target,
        tls=tls,
        **{name: value for name, value in (("api_key", args.api_key), ("bearer_token", args.token)) if value},
        ca_file=args.ca,
        cert_file=args.cert,
        key_file=args.key,
        allow_insecure_credentials=True,  # the config still refuses anything but a loopback target in plaintext
    )


if __name__ == "__main__":
    sys.exit(main())

"""The Python runner of the conformance kit (clients/conformance/README.md): every cases/*.json against the server
at RESTOREGRPC_SERVER, through the sync client and, for the stream kinds, the asyncio client too."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
from typing import Any

import grpc
import numpy as np
import pytest

from conftest import KIT, need, shared_root
from cut_proxy import CutProxy
from restoregrpc import ArraySink, AsyncRestoreClient, ClientConfig, RestoreClient, RestoreError, RestoreOptions, TilePlan
from restoregrpc._images import decode_to_array
from restoregrpc._proto import image_pb2, models_pb2
from restoregrpc.result import StreamProgress

CASES = sorted((KIT / "cases").glob("*.json"))
STREAM_KINDS = ("stream", "stream_resume")

pytestmark = pytest.mark.conformance


def _params() -> list[Any]:
    params = []
    for path in CASES:
        case = json.loads(path.read_text())
        flavours = ("sync", "aio") if case["kind"] in STREAM_KINDS else ("sync",)
        params.extend(pytest.param(path, flavour, id=f"{path.stem}[{flavour}]") for flavour in flavours)
    return params


@pytest.fixture(scope="module")
def server() -> str:
    address = os.environ.get("RESTOREGRPC_SERVER")
    if not address:
        need("RESTOREGRPC_SERVER is not set: run through clients/conformance/run.sh")
    return address  # type: ignore[return-value]


def _input(case: dict[str, Any]) -> bytes:
    scheme, _, relative = case["input"].partition(":")
    if scheme == "kit":
        return (KIT / relative).read_bytes()
    root = shared_root()
    path = root / relative if root else None
    if path is None or not path.is_file():
        need(f"shared asset missing: {case['input']} (RESTOREGRPC_SHARED={os.environ.get('RESTOREGRPC_SHARED')})")
    return path.read_bytes()  # type: ignore[union-attr]


def _options(case: dict[str, Any]) -> RestoreOptions:
    o = case.get("options", {})
    timeout = case["deadline_ms"] / 1000 if "deadline_ms" in case else None
    return RestoreOptions(
        model=o.get("model", ""),
        scale=o.get("scale", 0.0),
        tile_size=o.get("tile_size", 0),
        tile_margin=o.get("tile_margin", 0),
        output_format=o.get("output_format"),
        quality=o.get("quality", 0),
        strip_metadata=o.get("strip_metadata", False),
        timeout=timeout,
    )


def _enum_names(message: Any) -> dict[str, Any]:
    """A message's fields, enums as their names without the type prefix (the kit's convention)."""
    values: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.enum_type is not None:
            prefix = "".join("_" + c if c.isupper() and i else c for i, c in enumerate(field.enum_type.name)).upper() + "_"
            value = field.enum_type.values_by_number[value].name.removeprefix(prefix)
        values[field.name] = value
    return values


def _check_fields(what: str, message: Any, expected: dict[str, Any]) -> None:
    actual = _enum_names(message)
    wrong = {k: (actual.get(k), v) for k, v in expected.items() if actual.get(k) != pytest.approx(v) if not isinstance(v, (str, bool)) or actual.get(k) != v}
    assert not wrong, f"{what}: (actual, expected) {wrong}"


def _png_header(data: bytes) -> dict[str, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return {"width": int.from_bytes(data[16:20], "big"), "height": int.from_bytes(data[20:24], "big"), "bit_depth": data[24], "color_type": data[25]}


def _check_error(error: RestoreError, expect: dict[str, Any]) -> None:
    assert error.code.name == expect["status"], f"expected {expect['status']}, got {error}"
    if "field_violation" in expect:
        fields = [v.field for v in error.field_violations]
        assert expect["field_violation"] in fields, f"BadRequest field violations {fields}"
    if "resource_info" in expect:
        assert error.resource_info is not None, "no google.rpc.ResourceInfo"
        want = expect["resource_info"]
        assert (error.resource_info.resource_type, error.resource_info.resource_name) == (want["resource_type"], want["resource_name"])


@pytest.mark.parametrize(("path", "flavour"), _params())
def test_case(path: pathlib.Path, flavour: str, server: str) -> None:
    case = json.loads(path.read_text())
    assert case["name"] == path.stem
    run = {
        "restore": _restore,
        "list_models": _list_models,
        "estimate": _estimate,
        "trace": _trace,
        "stream": _stream,
        "stream_resume": _stream,
    }[case["kind"]]
    run(case, server, flavour)


def _client(server: str) -> RestoreClient:
    return RestoreClient(ClientConfig(target=server, max_attempts=1))


def _restore(case: dict[str, Any], server: str, _: str) -> None:
    expect = case["expect"]
    image = _input(case)
    with _client(server) as client:
        try:
            result = client.restore(image, _options(case))
        except RestoreError as error:
            _check_error(error, expect)
            return
    assert expect["status"] == "OK", f"expected {expect['status']}, the call succeeded"
    if "input" in expect:
        _check_fields("details.input", result.details.input, expect["input"])
    if "output" in expect:
        _check_fields("output", result.info, expect["output"])
    if "details" in expect:
        _check_fields("details", result.details, expect["details"])
    if "png_header" in expect:
        assert _png_header(result.image) == expect["png_header"]


def _list_models(case: dict[str, Any], server: str, _: str) -> None:
    with _client(server) as client:
        models = {m.name: m for m in client.list_models(timeout=30)}
    for wanted in case["expect"]["models"]:
        assert wanted["name"] in models, f"{wanted['name']} not in {sorted(models)}"
        _check_fields(wanted["name"], models[wanted["name"]], {k: v for k, v in wanted.items() if k != "name"})


def _estimate(case: dict[str, Any], server: str, _: str) -> None:
    expect = case["expect"]
    size = case["size"]
    with _client(server) as client:
        answer = client.estimate(size["width"], size["height"], _options(case), bit_depth=size.get("bit_depth", 8))
    _check_fields("estimate", answer, {k: expect[k] for k in ("model", "model_scale", "output_width", "output_height")})
    golden = json.loads((KIT / "tileplan" / f"{expect['tileplan']}.json").read_text())["plan"]
    assert (answer.tile_count, answer.window_width, answer.window_height) == (golden["tile_count"], golden["window_width"], golden["window_height"])


def _trace(case: dict[str, Any], server: str, _: str) -> None:
    with _client(server) as client:
        result = client.restore(_input(case), _options(case), metadata=[("traceparent", case["traceparent"])])
    trailers = dict(result.trailing_metadata)
    assert "traceresponse" in trailers, f"no traceresponse trailer in {sorted(trailers)}"
    version, trace_id, span_id, _flags = str(trailers["traceresponse"]).split("-")
    assert (version, trace_id) == ("00", case["expect"]["trace_id"])
    assert span_id != case["traceparent"].split("-")[2], "the server span must be a child of the caller's span"


class _RecordingSink(ArraySink):
    def __init__(self) -> None:
        super().__init__()
        self.rects: dict[int, Any] = {}
        self.plan: TilePlan | None = None

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        self.plan = plan
        super().start(plan, channels, bit_depth)

    def write(self, index: int, rect: Any, pixels: bytes) -> None:
        self.rects[index] = rect
        super().write(index, rect, pixels)


def _stream(case: dict[str, Any], server: str, flavour: str) -> None:
    expect = case["expect"]
    encoded = _input(case)
    fmt = case["pixel_format"]
    pixels = decode_to_array(encoded)
    if fmt["channels"] == 1 and pixels.ndim == 3:
        raise AssertionError("the kit's stream inputs match their pixel_format")
    pixels = pixels[:, :, :3] if pixels.ndim == 3 else pixels
    pixels = pixels.astype(np.uint16 if fmt["bit_depth"] == 16 else np.uint8)
    options = _options(case)
    with _client(server) as client:
        unary = decode_to_array(client.restore(encoded, RestoreOptions(**{**options.__dict__, "output_format": "PNG"})).image)

    proxy = CutProxy(server, case["cut"]["after_server_bytes"], case["cut"].get("connections", 1)) if "cut" in case else None
    target = proxy.address if proxy else server
    sink = _RecordingSink()
    reports: list[StreamProgress] = []
    server_progress: list[Any] = []
    summaries: list[Any] = []

    def observe(message: Any) -> None:
        kind = message.WhichOneof("kind")
        if kind == "progress":
            server_progress.append(message.progress)
        elif kind == "plan":
            summaries.append(("plan", message.plan.pending_tiles))
        elif kind == "summary":
            summaries.append(("summary", message.summary.tiles_computed))

    config = ClientConfig(target=target, max_attempts=1, reconnect_backoff=0.1)
    try:
        if flavour == "sync":
            with RestoreClient(config) as client:
                result = client.restore_large(pixels, sink, options, progress=reports.append, observer=observe)
        else:

            async def run() -> Any:
                async with AsyncRestoreClient(config) as client:
                    return await client.restore_large(pixels, sink, options, progress=reports.append, observer=observe)

            result = asyncio.run(run())
    finally:
        if proxy:
            proxy.close()

    plan = sink.plan
    assert plan is not None
    assert (result.output_width, result.output_height) == (expect["output_width"], expect["output_height"])
    assert sink.array.shape[:2] == (expect["output_height"], expect["output_width"])
    assert sorted(sink.written) == list(range(len(plan))), "every tile exactly once (nothing lost or duplicated)"
    assert all(sink.rects[t.index] == t.output_core for t in plan)
    if "tileplan_options" in expect:
        o = expect["tileplan_options"]
        assert (plan.tile_size, plan.margin, plan.scale) == (o["tile_size"], o["margin"], o["scale"])
    difference = int(np.max(np.abs(sink.array.astype(np.int32) - unary.astype(np.int32))))
    assert difference <= expect["max_level_difference_vs_unary"], f"stream and unary differ by {difference} levels"
    if expect.get("progress_in_order"):
        done = [r.tiles_done for r in reports]
        assert done == sorted(done) and done[-1] == len(plan) and all(r.tiles_total == len(plan) for r in reports)
        # The server's own StreamProgress, per stream (a resumed stream starts again from what is held).
        assert server_progress, "no StreamProgress from the server"
        assert all(p.tiles_total == len(plan) for p in server_progress)
        server_done = [p.tiles_done for p in server_progress]
        assert server_done == sorted(server_done), f"server progress went backwards: {server_done}"
        assert server_progress[-1].tiles_done == len(plan)
    if "min_reconnects" in expect:
        assert proxy is not None and proxy.cuts >= 1, "the proxy never cut the connection"
        assert result.reconnects >= expect["min_reconnects"], f"{result.reconnects} reconnects"
        # The resumed stream computed only the tiles not yet held.
        last_plan = [n for kind, n in summaries if kind == "plan"][-1]
        assert result.tiles_computed == last_plan < len(plan)

"""The stream hands output bands straight to a BandSink (no tile assembled in the client) and whole tiles to any
other sink; a tile cut mid-way is written again whole on resume, and a held tile never twice."""

from __future__ import annotations

from typing import Any

import numpy as np

from restoregrpc import ArraySink, ArraySource, RestoreOptions, TilePlan
from restoregrpc._proto import restore_service_pb2 as pb
from restoregrpc._stream import StreamJob
from restoregrpc.tileplan import Rect

SCALE, TILE, MARGIN = 2, 16, 4


def _plan_message(plan: TilePlan, job_id: str = "job") -> pb.StreamPlan:
    return pb.StreamPlan(job_id=job_id, tile_size=TILE, tile_margin=MARGIN, model_scale=SCALE, tile_count=len(plan),
                         column_count=plan.columns, row_count=plan.rows, window_width=plan.window_width,
                         window_height=plan.window_height, output_width=plan.output_width, output_height=plan.output_height)


def _parts(expected: np.ndarray, plan: TilePlan, index: int, rows_per_part: int = 5) -> list[pb.OutputTile]:
    core = plan[index].output_core
    parts = []
    for y in range(core.y, core.bottom, rows_per_part):
        bottom = min(core.bottom, y + rows_per_part)
        parts.append(pb.OutputTile(index=index, y=y, pixels=expected[y:bottom, core.x : core.right].tobytes(), last=bottom == core.bottom))
    return parts


class _WholeTiles:
    """A plain TileSink: whole tiles only."""

    def __init__(self) -> None:
        self.inner = ArraySink()
        self.writes: list[int] = []

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        self.inner.start(plan, channels, bit_depth)

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        self.writes.append(index)
        self.inner.write(index, rect, pixels)

    def complete(self) -> None:
        pass


class _Bands(ArraySink):
    def __init__(self) -> None:
        super().__init__()
        self.bands: list[tuple[int, int, bool]] = []

    def write_band(self, index: int, rect: Rect, pixels: bytes, last: bool) -> None:
        self.bands.append((index, rect.height, last))
        super().write_band(index, rect, pixels, last)

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:  # pragma: no cover - must not be used
        raise AssertionError("a BandSink gets bands, not whole tiles")


def _run(sink: Any) -> tuple[np.ndarray, TilePlan, StreamJob]:
    source = np.arange(40 * 30 * 3, dtype=np.uint8).reshape(30, 40, 3)
    job = StreamJob(ArraySource(source), sink, RestoreOptions(), None, None)
    plan = TilePlan(40, 30, TILE, MARGIN, SCALE)
    expected = np.random.default_rng(1).integers(0, 255, (plan.output_height, plan.output_width, 3), dtype=np.uint8)
    job.accept(_plan_message(plan))
    # Tile 0 is cut after its first part; the resumed stream sends every tile not held, tile 0 whole.
    job.on_part(_parts(expected, plan, 0)[0])
    job.header()
    job.accept(_plan_message(plan))
    for index in range(len(plan)):
        for part in _parts(expected, plan, index):
            job.on_part(part)
    for part in _parts(expected, plan, 1):  # a tile already held is ignored
        job.on_part(part)
    return expected, plan, job


def test_a_band_sink_gets_each_part_as_it_arrives_and_the_output_is_exact() -> None:
    sink = _Bands()
    expected, plan, job = _run(sink)
    np.testing.assert_array_equal(sink.array, expected)
    assert sorted(sink.written) == list(range(len(plan))) and len(sink.written) == len(plan)
    assert all(rows <= 5 for _, rows, _ in sink.bands)
    assert sum(1 for index, _, _ in sink.bands if index == 0) == 1 + len(_parts(expected, plan, 0))
    assert job.held == set(range(len(plan)))


def test_a_plain_sink_gets_whole_tiles_once_each() -> None:
    sink = _WholeTiles()
    expected, plan, _ = _run(sink)
    np.testing.assert_array_equal(sink.inner.array, expected)
    assert sorted(sink.writes) == list(range(len(plan)))


class _OverridesWrite(ArraySink):
    """A built-in sink subclassed for its whole-tile write (as the conformance kit's recording sink is)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[int] = []

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        self.writes.append(index)
        super().write(index, rect, pixels)


def test_a_subclass_that_overrides_write_gets_whole_tiles() -> None:
    sink = _OverridesWrite()
    expected, plan, _ = _run(sink)
    np.testing.assert_array_equal(sink.array, expected)
    assert sorted(sink.writes) == list(range(len(plan)))

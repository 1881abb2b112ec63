"""A plain TileSink's whole-tile buffer is reused for the next tile of the same size only when the sink kept no
reference to it: a sink that keeps its tiles keeps them intact, one that does not gets the same buffer back."""

from __future__ import annotations

import numpy as np

from restoregrpc import ArraySource, RestoreOptions, TilePlan
from restoregrpc._proto import restore_service_pb2 as pb
from restoregrpc._stream import StreamJob
from restoregrpc.tileplan import Rect

SCALE, TILE, MARGIN, SIZE = 2, 16, 4, 32


class _Recording:
    """Whole tiles only; keeps each tile's buffer when keep is set, else only the buffer's id and a copy."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.kept: dict[int, tuple[Rect, bytes]] = {}
        self.copies: dict[int, tuple[Rect, bytes]] = {}
        self.buffer_ids: list[int] = []

    def start(self, plan: TilePlan, channels: int, bit_depth: int) -> None:
        pass

    def write(self, index: int, rect: Rect, pixels: bytes) -> None:
        self.buffer_ids.append(id(pixels))
        self.copies[index] = (rect, bytes(pixels))
        if self.keep:
            self.kept[index] = (rect, pixels)

    def complete(self) -> None:
        pass


def _stream(sink: _Recording) -> tuple[np.ndarray, TilePlan]:
    source = np.zeros((SIZE, SIZE, 3), dtype=np.uint8)
    job = StreamJob(ArraySource(source), sink, RestoreOptions(), None, None)
    plan = TilePlan(SIZE, SIZE, TILE, MARGIN, SCALE)
    expected = np.random.default_rng(7).integers(0, 255, (plan.output_height, plan.output_width, 3), dtype=np.uint8)
    job.accept(pb.StreamPlan(job_id="job", tile_size=TILE, tile_margin=MARGIN, model_scale=SCALE, tile_count=len(plan),
                             column_count=plan.columns, row_count=plan.rows, window_width=plan.window_width,
                             window_height=plan.window_height, output_width=plan.output_width,
                             output_height=plan.output_height))
    for index in range(len(plan)):
        core = plan[index].output_core
        for y in range(core.y, core.bottom, 8):
            bottom = min(core.bottom, y + 8)
            job.on_part(pb.OutputTile(index=index, y=y, pixels=expected[y:bottom, core.x : core.right].tobytes(),
                                      last=bottom == core.bottom))
    return expected, plan


def _assert_tiles_equal(tiles: dict[int, tuple[Rect, bytes]], expected: np.ndarray, plan: TilePlan) -> None:
    assert sorted(tiles) == list(range(len(plan)))
    for rect, pixels in tiles.values():
        got = np.frombuffer(bytes(pixels), dtype=np.uint8).reshape(rect.height, rect.width, 3)
        np.testing.assert_array_equal(got, expected[rect.y : rect.bottom, rect.x : rect.right])


def test_tiles_a_sink_keeps_are_never_overwritten_by_later_tiles() -> None:
    sink = _Recording(keep=True)
    expected, plan = _stream(sink)
    assert len(plan) == 4
    _assert_tiles_equal(sink.kept, expected, plan)
    assert len(set(sink.buffer_ids)) == len(plan)


def test_a_sink_that_keeps_nothing_gets_the_same_buffer_for_every_tile_of_one_size() -> None:
    sink = _Recording(keep=False)
    expected, plan = _stream(sink)
    _assert_tiles_equal(sink.copies, expected, plan)
    assert len(set(sink.buffer_ids)) == 1

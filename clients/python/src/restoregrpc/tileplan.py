"""The tile plan, ported from RestoreGrpc.Tiling.TilePlan (the rule is in the StreamPlan comment of
restore_service.proto and checked against clients/conformance/tileplan/*.json).

Along an axis of length L with tile size T and margin m: an axis no longer than T + 2m is one tile whose window is
the whole axis (T + 2m long when padded); otherwise n = ceil(L / T) cores, core i = [floor(i·L/n), floor((i+1)·L/n)),
each with a window of length T + 2m starting at clamp(core start − m, 0, L − (T + 2m)). Tiles are row-major.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, NamedTuple


class Rect(NamedTuple):
    """A pixel rectangle; right and bottom are exclusive."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def scaled(self, factor: int) -> Rect:
        return Rect(self.x * factor, self.y * factor, self.width * factor, self.height * factor)


class _Segment(NamedTuple):
    window_start: int
    core_start: int
    core_length: int


@dataclass(frozen=True)
class _Axis:
    length: int
    window_length: int
    content_length: int
    segments: tuple[_Segment, ...]

    @staticmethod
    def create(length: int, tile_size: int, margin: int, pad_to_full_shape: bool) -> _Axis:
        if length < 1 or tile_size < 1 or margin < 0:
            raise ValueError(f"invalid axis: length {length}, tile size {tile_size}, margin {margin}")
        full_window = tile_size + 2 * margin
        if length <= full_window:
            window = full_window if pad_to_full_shape else length
            return _Axis(length, window, length, (_Segment(0, 0, length),))
        count = -(-length // tile_size)
        segments = []
        for i in range(count):
            core_start = i * length // count
            core_end = (i + 1) * length // count
            window_start = min(max(core_start - margin, 0), length - full_window)
            segments.append(_Segment(window_start, core_start, core_end - core_start))
        return _Axis(length, full_window, full_window, tuple(segments))


@dataclass(frozen=True)
class Tile:
    """One unit of model work: the window it reads, the core it owns, and where that core's output goes."""

    index: int
    column: int
    row: int
    window: Rect
    core: Rect
    core_in_window: Rect
    output_core: Rect


class TilePlan:
    """The tiles an image is cut into; every window has one shape and the cores partition the image."""

    def __init__(self, width: int, height: int, tile_size: int, margin: int, scale: int, pad_to_full_shape: bool = False) -> None:
        if scale < 1:
            raise ValueError(f"scale must be at least 1, not {scale}")
        self.tile_size = tile_size
        self.margin = margin
        self.scale = scale
        self.pad_to_full_shape = pad_to_full_shape
        self._columns = _Axis.create(width, tile_size, margin, pad_to_full_shape)
        self._rows = _Axis.create(height, tile_size, margin, pad_to_full_shape)

    @property
    def width(self) -> int:
        return self._columns.length

    @property
    def height(self) -> int:
        return self._rows.length

    @property
    def output_width(self) -> int:
        return self.width * self.scale

    @property
    def output_height(self) -> int:
        return self.height * self.scale

    @property
    def window_width(self) -> int:
        return self._columns.window_length

    @property
    def window_height(self) -> int:
        return self._rows.window_length

    @property
    def content_width(self) -> int:
        return self._columns.content_length

    @property
    def content_height(self) -> int:
        return self._rows.content_length

    @property
    def columns(self) -> int:
        return len(self._columns.segments)

    @property
    def rows(self) -> int:
        return len(self._rows.segments)

    def __len__(self) -> int:
        return self.columns * self.rows

    def __getitem__(self, index: int) -> Tile:
        if not 0 <= index < len(self):
            raise IndexError(f"tile {index} of {len(self)}")
        row, column = divmod(index, self.columns)
        x = self._columns.segments[column]
        y = self._rows.segments[row]
        core = Rect(x.core_start, y.core_start, x.core_length, y.core_length)
        return Tile(
            index,
            column,
            row,
            Rect(x.window_start, y.window_start, self.window_width, self.window_height),
            core,
            Rect(x.core_start - x.window_start, y.core_start - y.window_start, x.core_length, y.core_length),
            core.scaled(self.scale),
        )

    def __iter__(self) -> Iterator[Tile]:
        return (self[i] for i in range(len(self)))

    def row_tiles(self, row: int) -> range:
        """Indices of the tiles of one plan row (they cover the same output rows)."""
        return range(row * self.columns, (row + 1) * self.columns)

    def output_band(self, row: int) -> tuple[int, int]:
        """Output rows [top, bottom) covered by one plan row."""
        y = self._rows.segments[row]
        return y.core_start * self.scale, (y.core_start + y.core_length) * self.scale

"""RestoreStream bookkeeping shared by the sync and asyncio clients: what survives a reconnect (job id, plan,
tiles held by the sink) and the assembly of output parts into whole tiles."""

from __future__ import annotations

from typing import Callable

import grpc

from restoregrpc._proto import restore_service_pb2 as pb
from restoregrpc.options import RestoreOptions
from restoregrpc.result import StreamProgress, StreamResult
from restoregrpc.sinks import TileSink
from restoregrpc.sources import TileSource
from restoregrpc.tileplan import Rect, TilePlan

#: Codes after which a stream is resumed: the connection broke, or the server shed or dropped the call.
RESUMABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.CANCELLED,
    }
)

ProgressCallback = Callable[[StreamProgress], None]
MessageObserver = Callable[[pb.RestoreStreamResponse], None]


class StreamProtocolError(RuntimeError):
    """The server broke the RestoreStream protocol (a plan that differs from the SDK's, a missing summary)."""


class StreamJob:
    def __init__(
        self,
        source: TileSource,
        sink: TileSink,
        options: RestoreOptions,
        progress: ProgressCallback | None,
        observer: MessageObserver | None,
    ) -> None:
        self.source = source
        self.sink = sink
        self.options = options
        self.progress = progress
        self.observer = observer
        self.job_id = ""
        self.model = ""
        self.plan: TilePlan | None = None
        self.held: set[int] = set()
        self.reconnects = 0
        self.source_error: BaseException | None = None
        self._current = -1
        self._buffer = bytearray()
        self._rect = Rect(0, 0, 0, 0)

    @property
    def bytes_per_pixel(self) -> int:
        return self.source.channels * (2 if self.source.bit_depth == 16 else 1)

    def header(self) -> pb.RestoreStreamRequest:
        header = pb.StreamHeader(
            options=self.options.to_proto(),
            width=self.source.width,
            height=self.source.height,
            pixel_format=pb.PixelFormat(bit_depth=self.source.bit_depth, channels=self.source.channels),
            job_id=self.job_id,
            held_tiles=sorted(self.held),
        )
        header.options.ClearField("output")
        return pb.RestoreStreamRequest(header=header)

    def accept(self, answer: pb.StreamPlan) -> list[int]:
        """Takes the server's plan (the first starts the sink; a resumed one must be the same) and returns the
        tiles to send, in order."""
        plan = TilePlan(self.source.width, self.source.height, answer.tile_size, answer.tile_margin, answer.model_scale)
        if (len(plan), plan.columns, plan.rows, plan.window_width, plan.window_height, plan.output_width, plan.output_height) != (
            answer.tile_count,
            answer.columns,
            answer.rows,
            answer.window_width,
            answer.window_height,
            answer.output_width,
            answer.output_height,
        ):
            raise StreamProtocolError(
                f"the server's tile plan ({answer.columns}x{answer.rows} tiles of {answer.window_width}x{answer.window_height}) "
                f"differs from this SDK's ({plan.columns}x{plan.rows} of {plan.window_width}x{plan.window_height})"
            )
        if self.plan is None:
            self.sink.start(plan, self.source.channels, self.source.bit_depth)
        self.plan = plan
        self.job_id = answer.job_id
        self.model = answer.model
        self._current = -1
        return [i for i in range(len(plan)) if i not in self.held]

    def input_tile(self, index: int) -> pb.RestoreStreamRequest:
        assert self.plan is not None
        try:
            pixels = self.source.read_window(self.plan[index].window)
        except BaseException as error:
            self.source_error = error
            raise
        return pb.RestoreStreamRequest(tile=pb.InputTile(index=index, pixels=pixels))

    def on_part(self, part: pb.OutputTile) -> None:
        """One band of a tile's output; the tile goes to the sink once its last part is in."""
        assert self.plan is not None
        if part.index != self._current:
            self._current = part.index
            self._rect = self.plan[part.index].output_core
            self._buffer = bytearray(self._rect.width * self._rect.height * self.bytes_per_pixel)
        start = (part.y - self._rect.y) * self._rect.width * self.bytes_per_pixel
        self._buffer[start : start + len(part.pixels)] = part.pixels
        if part.last:
            if part.index not in self.held:
                self.sink.write(part.index, self._rect, bytes(self._buffer))
                self.held.add(part.index)
            self._current = -1
            self._buffer = bytearray()
            if self.progress is not None:
                self.progress(StreamProgress(len(self.held), len(self.plan), self.reconnects))

    def finish(self, summary: pb.StreamSummary) -> StreamResult:
        assert self.plan is not None
        if len(self.held) != len(self.plan):
            raise StreamProtocolError(f"the server ended job {self.job_id} with {len(self.plan) - len(self.held)} tiles missing")
        self.sink.complete()
        return StreamResult(
            summary.job_id,
            self.model,
            summary.output_width,
            summary.output_height,
            summary.tile_count,
            summary.tiles_computed,
            self.reconnects,
            summary.peak_job_bytes,
            summary,
        )

    def backoff(self, base: float) -> float:
        return min(4.0, base * 2 ** (self.reconnects - 1))

"""RestoreStream bookkeeping shared by the sync and asyncio clients: what survives a reconnect (job id, plan,
tiles held by the sink) and the assembly of output parts into whole tiles."""

from __future__ import annotations

import sys
from typing import Callable

import grpc

from restoregrpc._proto import restore_service_pb2 as pb
from restoregrpc.errors import RestoreError
from restoregrpc.options import RestoreOptions
from restoregrpc.result import StreamProgress, StreamResult
from restoregrpc.sinks import BandSink, TileSink
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
        self._spare = bytearray()
        self._rect = Rect(0, 0, 0, 0)
        self._awaiting_plan = True
        # Bands go straight to a BandSink; other sinks get whole tiles assembled here (one tile's output held).
        self._bands = sink.write_band if _takes_bands(sink) else None

    @property
    def bytes_per_pixel(self) -> int:
        return self.source.channels * (2 if self.source.bit_depth == 16 else 1)

    def header(self) -> pb.RestoreStreamRequest:
        """The first message of a (new or resumed) stream."""
        self._awaiting_plan = True
        header = pb.StreamHeader(
            options=self.options.to_proto(),
            width=self.source.width,
            height=self.source.height,
            pixel_format=pb.PixelFormat(bit_depth=self.source.bit_depth, channel_count=self.source.channels),
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
            answer.column_count,
            answer.row_count,
            answer.window_width,
            answer.window_height,
            answer.output_width,
            answer.output_height,
        ):
            raise StreamProtocolError(
                f"the server's tile plan ({answer.column_count}x{answer.row_count} tiles of {answer.window_width}x{answer.window_height}) "
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

    def _tile_buffer(self, size: int) -> bytearray:
        """The last tile's buffer again when the sink kept no reference to it (only this object holds it: the
        attribute and getrefcount's argument), else a new one. A fresh 12 MiB bytearray per ×4 tile made glibc's
        heap grow with the tile count (peak RSS 100 MiB at 2048², 125 MiB at 4096²)."""
        spare, self._spare = self._spare, bytearray()
        if len(spare) == size and sys.getrefcount(spare) == 2:
            return spare
        return bytearray(size)

    def on_part(self, part: pb.OutputTile) -> None:
        """One band of a tile's output: written through to a BandSink as it arrives, or assembled and handed to the
        sink once the tile's last part is in. A tile already held is not written again."""
        assert self.plan is not None
        if part.index != self._current:
            self._current = part.index
            self._rect = self.plan[part.index].output_core
            if self._bands is None and part.index not in self.held:
                self._buffer = self._tile_buffer(self._rect.width * self._rect.height * self.bytes_per_pixel)
        if part.index not in self.held:
            if self._bands is not None:
                rows = len(part.pixels) // (self._rect.width * self.bytes_per_pixel)
                self._bands(part.index, Rect(self._rect.x, part.y, self._rect.width, rows), part.pixels, part.last)
            else:
                start = (part.y - self._rect.y) * self._rect.width * self.bytes_per_pixel
                self._buffer[start : start + len(part.pixels)] = part.pixels
        if part.last:
            if part.index not in self.held:
                if self._bands is None:
                    # The bytearray itself (no copy); a fresh one is made for the next tile.
                    self.sink.write(part.index, self._rect, self._buffer)  # type: ignore[arg-type]
                self.held.add(part.index)
            self._current = -1
            self._spare, self._buffer = self._buffer, bytearray()
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
            summary.computed_tile_count,
            self.reconnects,
            summary.peak_job_bytes,
            summary,
        )

    def on_response(self, response: pb.RestoreStreamResponse, grant: Callable[[int], None]) -> list[int] | StreamResult | None:
        """Handles one server message: the plan gives the tiles to send (a list), a summary the result; tiles go
        to the sink, credit to ``grant``."""
        if self.observer is not None:
            self.observer(response)
        kind = response.WhichOneof("kind")
        if self._awaiting_plan:
            if kind != "plan":
                raise StreamProtocolError("the server did not answer the stream header with a tile plan")
            self._awaiting_plan = False
            pending = self.accept(response.plan)
            grant(response.plan.initial_credit)
            return pending
        if kind == "tile":
            self.on_part(response.tile)
        elif kind == "credit":
            grant(response.credit.tile_count)
        elif kind == "summary":
            return self.finish(response.summary)
        return None

    def resume_delay(self, error: RestoreError, max_reconnects: int, base_backoff: float) -> float:
        """After a failed stream: the seconds to wait before resuming, or raises (the source's own error first;
        then ``error`` when it is final or the reconnects are spent)."""
        if self.source_error is not None:
            raise self.source_error from error
        # Before the plan there is no job to resume: only an instance that went away (UNAVAILABLE) is worth a new
        # start, which a balanced channel sends to another instance.
        started = bool(self.job_id) or error.code == grpc.StatusCode.UNAVAILABLE
        if error.code not in RESUMABLE or self.reconnects >= max_reconnects or not started:
            raise error
        self.reconnects += 1
        return min(4.0, base_backoff * 2 ** (self.reconnects - 1))


def _takes_bands(sink: TileSink) -> bool:
    """Whether bands may go to ``sink.write_band``: a BandSink whose ``write`` is not overridden below the class
    that defines ``write_band`` (a subclass of a built-in sink that overrides ``write`` gets whole tiles, as it
    asks)."""
    if not isinstance(sink, BandSink):
        return False
    mro = type(sink).__mro__
    band_owner = next((i for i, c in enumerate(mro) if "write_band" in c.__dict__), len(mro))
    write_owner = next((i for i, c in enumerate(mro) if "write" in c.__dict__), len(mro))
    return write_owner >= band_owner

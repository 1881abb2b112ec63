import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type RestoreService,
  type RestoreStreamRequestSchema,
  type StreamPlan,
  type StreamSummary,
} from "./gen/restoregrpc/v1/restore_service_pb.js";
import { toProtoOptions, type RestoreOptions } from "./options.js";
import { sleep } from "./retry.js";
import { TilePlan, type Rect } from "./tilePlan.js";

/**
 * Raw layout of streamed pixels: rows top to bottom, pixels left to right, channels interleaved (gray, or R G B),
 * 16-bit samples little-endian.
 */
export interface PixelFormat {
  readonly bitDepth: 8 | 16;
  readonly channels: 1 | 3;
}

export function bytesPerPixel(format: PixelFormat): number {
  return (format.bitDepth / 8) * format.channels;
}

/** Gives restoreLarge the input, one tile window at a time, only as the server grants credit. */
export interface TileSource {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** The window's pixels, rows packed (window.width × window.height × bytesPerPixel bytes). */
  readWindow(window: Rect): Uint8Array | Promise<Uint8Array>;
}

/** Receives the output tile by tile; every output pixel is written by exactly one tile, once. */
export interface TileSink {
  start(width: number, height: number, format: PixelFormat): void | Promise<void>;
  /** One output tile (rect in output coordinates, rows packed); the buffer is reused once this returns. */
  write(rect: Rect, pixels: Uint8Array): void | Promise<void>;
  complete(): void | Promise<void>;
}

export interface StreamProgress {
  readonly tilesDone: number;
  readonly tilesTotal: number;
  readonly reconnects: number;
}

export interface RestoreLargeOptions extends RestoreOptions {
  /** Called after each output tile reaches the sink, in order. */
  onProgress?: (progress: StreamProgress) => void;
}

export interface RestoreLargeResult {
  readonly jobId: string;
  readonly model: string;
  readonly outputWidth: number;
  readonly outputHeight: number;
  readonly tileCount: number;
  /** Tiles computed by the last stream; tilesHeldAtStart is what the client held when it began. */
  readonly tilesComputed: number;
  readonly tilesHeldAtStart: number;
  readonly reconnects: number;
  readonly peakJobBytes: number;
  readonly elapsedMs: number;
}

export interface StreamSettings {
  maxReconnects: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  defaultTimeoutMs: number | undefined;
}

/** A failure of this side (source, sink, protocol): never resumed. */
class LocalError extends Error {
  constructor(readonly inner: unknown) {
    super(inner instanceof Error ? inner.message : String(inner));
  }
}

const resumableCodes = new Set([Code.Unavailable, Code.Internal, Code.Unknown, Code.Aborted, Code.ResourceExhausted, Code.Canceled]);

/** Counts the tiles the client may still send. */
class Credit {
  #tiles: number;
  #waiter: (() => void) | undefined;

  constructor(tiles: number) {
    this.#tiles = tiles;
  }

  add(tiles: number): void {
    this.#tiles += tiles;
    this.#waiter?.();
  }

  async take(signal: AbortSignal): Promise<boolean> {
    while (this.#tiles <= 0) {
      if (signal.aborted) {
        return false;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#waiter = undefined;
          signal.removeEventListener("abort", done);
          resolve();
        };
        this.#waiter = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
    if (signal.aborted) {
      return false;
    }
    this.#tiles--;
    return true;
  }
}

interface Job {
  readonly source: TileSource;
  readonly sink: TileSink;
  readonly options: RestoreLargeOptions;
  plan: TilePlan | undefined;
  jobId: string;
  model: string;
  readonly held: Set<number>;
  reconnects: number;
  heldAtStart: number;
}

/**
 * Restores an image of any size tile by tile over RestoreStream: windows are read from the source only as the
 * server grants credit, output tiles go to the sink as they arrive. The plan is computed here (TilePlan) and
 * checked against the server's. A lost stream is resumed (maxReconnects times, with back-off): only tiles not yet
 * in the sink are sent and computed again; no tile reaches the sink twice. Aborting options.signal stops at once.
 */
export async function restoreLarge(
  client: Client<typeof RestoreService>,
  source: TileSource,
  sink: TileSink,
  options: RestoreLargeOptions,
  settings: StreamSettings,
): Promise<RestoreLargeResult> {
  const job: Job = { source, sink, options, plan: undefined, jobId: "", model: "", held: new Set(), reconnects: 0, heldAtStart: 0 };
  const started = performance.now();
  for (;;) {
    try {
      const summary = await runStream(client, job, settings);
      await sink.complete();
      return {
        jobId: summary.jobId,
        model: job.model,
        outputWidth: summary.outputWidth,
        outputHeight: summary.outputHeight,
        tileCount: summary.tileCount,
        tilesComputed: summary.computedTileCount,
        tilesHeldAtStart: job.heldAtStart,
        reconnects: job.reconnects,
        peakJobBytes: Number(summary.peakJobBytes),
        elapsedMs: performance.now() - started,
      };
    } catch (error) {
      if (error instanceof LocalError) {
        throw error.inner;
      }
      const e = ConnectError.from(error);
      if (options.signal?.aborted) {
        throw ConnectError.from(options.signal.reason ?? e, Code.Canceled);
      }
      if (!resumableCodes.has(e.code) || job.reconnects >= settings.maxReconnects) {
        throw e;
      }
      job.reconnects++;
      await sleep(Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** (job.reconnects - 1)), options.signal);
    }
  }
}

function accept(job: Job, answer: StreamPlan): TilePlan {
  const plan = new TilePlan(job.source.width, job.source.height, { tileSize: answer.tileSize, margin: answer.tileMargin, scale: answer.modelScale });
  if (
    plan.count !== answer.tileCount || plan.columns !== answer.columnCount || plan.rows !== answer.rowCount ||
    plan.windowWidth !== answer.windowWidth || plan.windowHeight !== answer.windowHeight ||
    plan.outputWidth !== answer.outputWidth || plan.outputHeight !== answer.outputHeight
  ) {
    throw new Error(
      `the server's tile plan (${answer.columnCount}x${answer.rowCount} tiles of ${answer.windowWidth}x${answer.windowHeight}) ` +
        `differs from this SDK's (${plan.columns}x${plan.rows} of ${plan.windowWidth}x${plan.windowHeight})`,
    );
  }
  if (job.plan !== undefined && (job.plan.count !== plan.count || job.plan.options.tileSize !== plan.options.tileSize)) {
    throw new Error(`job ${answer.jobId} came back with another tile plan`);
  }
  job.jobId = answer.jobId;
  job.model = answer.model;
  return plan;
}

async function runStream(client: Client<typeof RestoreService>, job: Job, settings: StreamSettings): Promise<StreamSummary> {
  const stop = new AbortController();
  const outer = job.options.signal;
  const onOuterAbort = (): void => stop.abort(outer?.reason);
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  if (outer?.aborted) {
    stop.abort(outer.reason);
  }
  let sourceError: unknown;
  let credit: Credit | undefined;
  let plan: TilePlan | undefined;
  let planReady: (() => void) | undefined;
  const planAccepted = new Promise<void>((resolve) => (planReady = resolve));
  const format = job.source.format;

  async function* requests(): AsyncGenerator<MessageInitShape<typeof RestoreStreamRequestSchema>> {
    yield {
      kind: {
        case: "header",
        value: {
          options: toProtoOptions(job.options),
          width: job.source.width,
          height: job.source.height,
          pixelFormat: { bitDepth: format.bitDepth, channelCount: format.channels },
          jobId: job.jobId,
          heldTiles: [...job.held],
        },
      },
    };
    await Promise.race([planAccepted, new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }))]);
    if (plan === undefined || credit === undefined) {
      return;
    }
    for (let index = 0; index < plan.count; index++) {
      if (job.held.has(index)) {
        continue;
      }
      if (!(await credit.take(stop.signal))) {
        return;
      }
      let pixels: Uint8Array;
      try {
        pixels = await job.source.readWindow(plan.tile(index).window);
      } catch (error) {
        sourceError = error;
        stop.abort(error);
        return;
      }
      yield { kind: { case: "tile", value: { index, pixels } } };
    }
  }

  try {
    const timeoutMs = job.options.timeoutMs ?? settings.defaultTimeoutMs;
    const responses = client.restoreStream(requests(), {
      signal: stop.signal,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(job.options.headers !== undefined ? { headers: job.options.headers } : {}),
    });
    const bpp = bytesPerPixel(format);
    let buffer = new Uint8Array(0);
    let current = -1;
    let rect: Rect = { x: 0, y: 0, width: 0, height: 0 };
    let summary: StreamSummary | undefined;
    // Read to the end (past the summary, to the call's status): that is also what ends Connect's deadline timer.
    for await (const response of responses) {
      switch (response.kind.case) {
        case "plan": {
          try {
            plan = accept(job, response.kind.value);
            if (job.plan === undefined) {
              await job.sink.start(plan.outputWidth, plan.outputHeight, format);
            }
          } catch (error) {
            throw new LocalError(error);
          }
          job.plan = plan;
          job.heldAtStart = job.held.size;
          credit = new Credit(response.kind.value.initialCredit);
          planReady?.();
          break;
        }
        case "tile": {
          const part = response.kind.value;
          if (plan === undefined) {
            throw new LocalError(new Error("the server sent a tile before the plan"));
          }
          if (part.index !== current) {
            if (part.index >= plan.count) {
              throw new LocalError(new Error(`the server sent tile ${part.index} of ${plan.count}`));
            }
            current = part.index;
            rect = plan.tile(current).outputCore;
            const size = rect.width * rect.height * bpp;
            buffer = buffer.length >= size ? buffer.subarray(0, size) : new Uint8Array(size);
          }
          const offset = (part.y - rect.y) * rect.width * bpp;
          if (offset < 0 || offset + part.pixels.length > buffer.length) {
            throw new LocalError(new Error(`tile ${current}'s band at row ${part.y} is outside its rectangle`));
          }
          buffer.set(part.pixels, offset);
          if (part.last) {
            if (!job.held.has(current)) {
              try {
                await job.sink.write(rect, buffer);
              } catch (error) {
                throw new LocalError(error);
              }
              job.held.add(current);
              job.options.onProgress?.({ tilesDone: job.held.size, tilesTotal: plan.count, reconnects: job.reconnects });
            }
            current = -1;
          }
          break;
        }
        case "credit":
          credit?.add(response.kind.value.tileCount);
          break;
        case "summary":
          if (plan === undefined || job.held.size !== plan.count) {
            throw new LocalError(new Error(`the server ended job ${job.jobId} with ${(plan?.count ?? 0) - job.held.size} tiles missing`));
          }
          summary = response.kind.value;
          break;
        default:
          break;
      }
    }
    if (summary === undefined) {
      throw new LocalError(new Error("the stream ended without a summary"));
    }
    return summary;
  } catch (error) {
    if (sourceError !== undefined) {
      throw new LocalError(sourceError);
    }
    throw error;
  } finally {
    outer?.removeEventListener("abort", onOuterAbort);
    stop.abort();
  }
}

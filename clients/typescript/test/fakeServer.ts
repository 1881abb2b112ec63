import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport, type Transport } from "@connectrpc/connect";
import { TilePlan, bytesPerPixel, proto, type PixelFormat } from "../src/core.js";

export const fakeScale = 2;
export const fakeTile = 16;
export const fakeMargin = 4;

/**
 * An in-memory RestoreService (Connect router transport) that speaks the RestoreStream protocol with a
 * nearest-neighbour ×2 "model", so the SDK's credit, bands, reconnect and resume are tested against known output.
 */
export class FakeServer {
  headers: proto.StreamHeader[] = [];
  computed = new Map<number, number>();
  /** The first stream fails with this error after `cutAfter` output tiles. */
  cutAfter = 0;
  cutError: ConnectError = new ConnectError("connection lost", Code.Unavailable);
  restore: (request: proto.RestoreRequest) => Promise<proto.RestoreResponse> = () => Promise.reject(new ConnectError("no", Code.Unimplemented));
  readonly #jobs = new Map<string, proto.StreamHeader>();

  transport(): Transport {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    return createRouterTransport(({ service }) => {
      service(proto.RestoreService, {
        restore: (request) => fake.restore(request),
        async *restoreStream(requests) {
          yield* fake.stream(requests);
        },
      });
    });
  }

  async *stream(requests: AsyncIterable<proto.RestoreStreamRequest>): AsyncGenerator<proto.RestoreStreamResponse> {
    const iterator = requests[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done || first.value.kind.case !== "header") {
      throw new ConnectError("no header", Code.InvalidArgument);
    }
    const header = first.value.kind.value;
    this.headers.push(header);
    const streamNumber = this.headers.length;
    let job = header;
    if (header.jobId === "") {
      header.jobId = `job-${streamNumber}`;
      this.#jobs.set(header.jobId, header);
    } else {
      job = this.#jobs.get(header.jobId)!;
    }
    const format: PixelFormat = { bitDepth: (job.pixelFormat!.bitDepth ?? 8) as 8 | 16, channels: (job.pixelFormat!.channelCount ?? 3) as 1 | 3 };
    const bpp = bytesPerPixel(format);
    const plan = new TilePlan(job.width!, job.height!, { tileSize: fakeTile, margin: fakeMargin, scale: fakeScale });
    const pending = plan.count - header.heldTiles.length;
    yield create(proto.RestoreStreamResponseSchema, {
      kind: {
        case: "plan",
        value: {
          jobId: job.jobId, model: "fake-x2", modelScale: fakeScale, tileSize: fakeTile, tileMargin: fakeMargin,
          columnCount: plan.columns, rowCount: plan.rows, tileCount: plan.count, windowWidth: plan.windowWidth, windowHeight: plan.windowHeight,
          outputWidth: plan.outputWidth, outputHeight: plan.outputHeight, initialCredit: 2, pendingTileCount: pending,
        },
      },
    });
    let computed = 0;
    while (computed < pending) {
      const next = await iterator.next();
      if (next.done) {
        throw new ConnectError(`client half-closed after ${computed} of ${pending} tiles`, Code.InvalidArgument);
      }
      if (next.value.kind.case !== "tile") {
        throw new ConnectError("expected a tile", Code.InvalidArgument);
      }
      const input = next.value.kind.value;
      const tile = plan.tile(input.index);
      const out = tile.outputCore;
      const pixels = new Uint8Array(out.width * out.height * bpp);
      for (let y = 0; y < out.height; y++) {
        for (let x = 0; x < out.width; x++) {
          const s = ((tile.coreInWindow.y + Math.floor(y / fakeScale)) * tile.window.width + tile.coreInWindow.x + Math.floor(x / fakeScale)) * bpp;
          pixels.set(input.pixels.subarray(s, s + bpp), (y * out.width + x) * bpp);
        }
      }
      const half = Math.floor(out.height / 2);
      for (const [from, to] of [[0, half], [half, out.height]] as const) {
        yield create(proto.RestoreStreamResponseSchema, {
          kind: {
            case: "tile",
            value: {
              index: input.index, x: out.x, y: out.y + from, width: out.width, height: to - from,
              pixels: pixels.subarray(from * out.width * bpp, to * out.width * bpp), last: to === out.height,
            },
          },
        });
      }
      computed++;
      this.computed.set(input.index, (this.computed.get(input.index) ?? 0) + 1);
      if (streamNumber === 1 && this.cutAfter > 0 && computed === this.cutAfter) {
        throw this.cutError;
      }
      yield create(proto.RestoreStreamResponseSchema, { kind: { case: "credit", value: { tileCount: 1 } } });
    }
    yield create(proto.RestoreStreamResponseSchema, {
      kind: {
        case: "summary",
        value: { jobId: job.jobId, tileCount: plan.count, computedTileCount: computed, outputWidth: plan.outputWidth, outputHeight: plan.outputHeight },
      },
    });
  }
}

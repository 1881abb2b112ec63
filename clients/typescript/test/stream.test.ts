import { test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { MemorySink, RawSource, RestoreClient, TilePlan, type Rect, type StreamProgress } from "../src/core.js";
import { FakeServer, fakeMargin, fakeScale, fakeTile } from "./fakeServer.js";

function testPixels(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixels.set([(x * 7) & 255, (y * 5) & 255, (x ^ y) & 255], (y * width + x) * 3);
    }
  }
  return pixels;
}

class CountingSink extends MemorySink {
  writes = new Map<string, number>();
  override write(rect: Rect, pixels: Uint8Array): void {
    const key = `${rect.x},${rect.y},${rect.width},${rect.height}`;
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    super.write(rect, pixels);
  }
}

function assertNearestX2(input: Uint8Array, width: number, height: number, sink: MemorySink): void {
  assert.equal(sink.width, width * 2);
  assert.equal(sink.height, height * 2);
  for (let y = 0; y < sink.height; y++) {
    for (let x = 0; x < sink.width; x++) {
      const o = (y * sink.width + x) * 3;
      const i = (Math.floor(y / 2) * width + Math.floor(x / 2)) * 3;
      if (sink.pixels[o] !== input[i] || sink.pixels[o + 1] !== input[i + 1] || sink.pixels[o + 2] !== input[i + 2]) {
        assert.fail(`pixel (${x},${y}) differs`);
      }
    }
  }
}

const client = (fake: FakeServer): RestoreClient =>
  new RestoreClient({ transport: fake.transport(), retry: { initialBackoffMs: 1, maxBackoffMs: 1 } });

test("restoreLarge assembles every tile once, within credit, with progress in order", async () => {
  const fake = new FakeServer();
  const input = testPixels(70, 45);
  const sink = new CountingSink();
  const reports: StreamProgress[] = [];
  const result = await client(fake).restoreLarge(new RawSource(input, 70, 45), sink, { onProgress: (p) => reports.push(p) });
  assertNearestX2(input, 70, 45, sink);
  const plan = new TilePlan(70, 45, { tileSize: fakeTile, margin: fakeMargin, scale: fakeScale });
  assert.equal(sink.writes.size, plan.count);
  assert.ok([...sink.writes.values()].every((n) => n === 1));
  assert.deepEqual([result.tileCount, result.tilesComputed, result.reconnects], [plan.count, plan.count, 0]);
  assert.deepEqual(reports.map((r) => r.tilesDone), Array.from({ length: plan.count }, (_, i) => i + 1));
});

test("restoreLarge resumes a lost stream with the tiles it holds", async () => {
  const fake = new FakeServer();
  fake.cutAfter = 3;
  const input = testPixels(64, 50);
  const sink = new CountingSink();
  const result = await client(fake).restoreLarge(new RawSource(input, 64, 50), sink);
  assertNearestX2(input, 64, 50, sink);
  assert.equal(result.reconnects, 1);
  assert.equal(fake.headers.length, 2);
  assert.equal(fake.headers[1]!.jobId, fake.headers[0]!.jobId);
  assert.equal(fake.headers[1]!.heldTiles.length, 3);
  assert.equal(result.tilesHeldAtStart, 3);
  assert.equal(result.tilesComputed, result.tileCount - 3);
  assert.ok([...sink.writes.values()].every((n) => n === 1));
  assert.ok([...fake.computed.values()].every((n) => n === 1), "no tile computed twice");
});

test("restoreLarge does not resume what the caller got wrong", async () => {
  const fake = new FakeServer();
  fake.cutAfter = 1;
  fake.cutError = new ConnectError("bad tile", Code.InvalidArgument);
  await assert.rejects(client(fake).restoreLarge(new RawSource(testPixels(40, 40), 40, 40), new MemorySink()), (e: ConnectError) => e.code === Code.InvalidArgument);
  assert.equal(fake.headers.length, 1);
});

test("restoreLarge rejects with the source's error", async () => {
  const fake = new FakeServer();
  const failing = new RawSource(testPixels(40, 40), 40, 40);
  failing.readWindow = () => {
    throw new Error("disk gone");
  };
  await assert.rejects(client(fake).restoreLarge(failing, new MemorySink()), /disk gone/);
});

test("restoreLarge stops when its AbortSignal aborts", async () => {
  const fake = new FakeServer();
  const controller = new AbortController();
  const sink = new MemorySink();
  const write = sink.write.bind(sink);
  sink.write = (rect, pixels) => {
    controller.abort();
    write(rect, pixels);
  };
  await assert.rejects(
    client(fake).restoreLarge(new RawSource(testPixels(80, 80), 80, 80), sink, { signal: controller.signal }),
    (e: ConnectError) => e.code === Code.Canceled,
  );
});

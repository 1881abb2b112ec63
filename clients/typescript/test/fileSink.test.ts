import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSink, MemorySink, RawSource, RestoreClient } from "../src/index.js";
import { FakeServer } from "./fakeServer.js";

test("FileSink writes every tile's rows at their offsets: the file equals what MemorySink assembles", async () => {
  const width = 61;
  const height = 47;
  const input = new Uint8Array(width * height * 3).map((_, i) => (i * 31 + (i >> 7)) & 255);
  const client = new RestoreClient({ transport: new FakeServer().transport() });
  const memory = new MemorySink();
  await client.restoreLarge(new RawSource(input, width, height), memory);
  const dir = mkdtempSync(join(tmpdir(), "restoregrpc-filesink-"));
  try {
    const path = join(dir, "out.rgb");
    await client.restoreLarge(new RawSource(input, width, height), new FileSink(path));
    const file = readFileSync(path);
    assert.equal(file.length, memory.pixels.length);
    assert.ok(Buffer.from(memory.pixels.buffer, memory.pixels.byteOffset, memory.pixels.length).equals(file), "the file's pixels differ");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

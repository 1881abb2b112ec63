// Runs clients/conformance/cases/*.json against a real server through this SDK (schema:
// clients/conformance/README.md). clients/conformance/run.sh starts the server and sets RESTOREGRPC_SERVER,
// RESTOREGRPC_SHARED and RESTOREGRPC_CONFORMANCE; ../../conformance.sh runs this file.
import { after, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { PNG } from "pngjs";
import {
  MemorySink,
  RawSource,
  TilePlan,
  codeName,
  createRestoreClient,
  fieldViolations,
  proto,
  resourceInfo,
  type OutputFormat,
  type PixelFormat,
  type Rect,
  type NodeRestoreClient,
  type RestoreClient,
  type RestoreOptions,
  type StreamProgress,
} from "../../src/index.js";
import { skipOrFail } from "../support.js";

interface Case {
  name: string;
  kind: string;
  input?: string;
  options?: Record<string, unknown>;
  deadline_ms?: number;
  expect: Record<string, unknown>;
  size?: { width: number; height: number; bit_depth?: number };
  pixel_format?: { channels: 1 | 3; bit_depth: 8 | 16 };
  cut?: { after_server_bytes: number; connections: number };
  traceparent?: string;
}

const kit = process.env.RESTOREGRPC_CONFORMANCE;
const server = process.env.RESTOREGRPC_SERVER;
const shared = process.env.RESTOREGRPC_SHARED;

if (!kit || !server) {
  test("conformance", (t) => skipOrFail(t, "RESTOREGRPC_SERVER / RESTOREGRPC_CONFORMANCE are not set (run through clients/conformance/run.sh)"));
} else {
  const client = createRestoreClient(`http://${server}`);
  after(() => client.close());
  const files = readdirSync(join(kit, "cases")).filter((f) => f.endsWith(".json")).sort();
  for (const file of files) {
    const c = JSON.parse(readFileSync(join(kit, "cases", file), "utf8")) as Case;
    test(c.name, async (t) => {
      assert.equal(c.name, file.replace(/\.json$/, ""), "case name equals its file name");
      const r = new Runner(t, kit, server, client, c);
      switch (c.kind) {
        case "restore": return r.restore();
        case "list_models": return r.listModels();
        case "estimate": return r.estimate();
        case "stream":
        case "stream_resume": return r.stream();
        case "trace": return r.trace();
        default: assert.fail(`unknown case kind ${c.kind}`);
      }
    });
  }
}

const formats: Record<string, OutputFormat> = { PNG: "png", JPEG: "jpeg", WEBP: "webp", TIFF: "tiff", BMP: "bmp" };

class Runner {
  constructor(
    readonly t: TestContext,
    readonly kit: string,
    readonly server: string,
    readonly client: RestoreClient,
    readonly c: Case,
  ) {}

  /** The case's input bytes, or undefined when a shared input is missing (the test is then skipped). */
  input(): Uint8Array | undefined {
    const input = this.c.input ?? "";
    let path: string;
    if (input.startsWith("kit:")) {
      path = join(this.kit, input.slice(4));
    } else if (input.startsWith("shared:")) {
      if (!shared) {
        skipOrFail(this.t, `RESTOREGRPC_SHARED is not set; the case needs ${input}`);
        return undefined;
      }
      path = join(shared, input.slice(7));
      if (!existsSync(path)) {
        skipOrFail(this.t, `${path} is missing`);
        return undefined;
      }
    } else {
      assert.fail(`input ${input} is neither kit: nor shared:`);
    }
    return new Uint8Array(readFileSync(path));
  }

  options(): RestoreOptions {
    const o: RestoreOptions = {};
    if (this.c.deadline_ms !== undefined) o.timeoutMs = this.c.deadline_ms;
    for (const [key, value] of Object.entries(this.c.options ?? {})) {
      switch (key) {
        case "model": o.model = value as string; break;
        case "scale": o.scale = value as number; break;
        case "tile_size": o.tileSize = value as number; break;
        case "tile_margin": o.tileMargin = value as number; break;
        case "output_format": o.format = formats[value as string]!; break;
        case "quality": o.quality = value as number; break;
        case "strip_metadata": o.stripMetadata = value as boolean; break;
        default: assert.fail(`unknown option ${key}`);
      }
    }
    return o;
  }

  /** Checks the expected status; true when the call succeeded. */
  status(error: unknown): boolean {
    const want = (this.c.expect.status as string | undefined) ?? "OK";
    assert.equal(codeName(error), want, `status (${String(error)})`);
    return error === undefined;
  }

  /** Compares expect's keys with the message's fields of those proto names (enums by name without prefix). */
  fields<T extends DescMessage>(what: string, schema: T, message: Message | undefined, expect: unknown): void {
    assert.ok(message, `${what} is missing`);
    for (const [key, want] of Object.entries(expect as Record<string, unknown>)) {
      const field = schema.fields.find((f) => f.name === key);
      assert.ok(field, `${what} has no field ${key}`);
      let got: unknown = (message as unknown as Record<string, unknown>)[field.localName];
      if (field.fieldKind === "enum") {
        got = field.enum.values.find((v) => v.number === got)?.localName;
      } else if (typeof got === "bigint") {
        got = Number(got);
      }
      assert.equal(got, want, `${what}.${key}`);
    }
  }

  async call<T>(promise: Promise<T>): Promise<[T | undefined, unknown]> {
    try {
      return [await promise, undefined];
    } catch (error) {
      return [undefined, error];
    }
  }

  async restore(): Promise<void> {
    const input = this.input();
    if (!input) return;
    const [result, error] = await this.call(this.client.restore(input, this.options()));
    const expect = this.c.expect;
    if (!this.status(error)) {
      if (typeof expect.field_violation === "string") {
        assert.ok(fieldViolations(error).some((v) => v.field === expect.field_violation), `field violation on ${expect.field_violation}`);
      }
      if (expect.resource_info) {
        this.fields("ResourceInfo", proto.ResourceInfoSchema, resourceInfo(error), expect.resource_info);
      }
      return;
    }
    if (expect.input) this.fields("details.input", proto.ImageInfoSchema, result!.details?.input, expect.input);
    if (expect.output) this.fields("output", proto.ImageInfoSchema, result!.output, expect.output);
    if (expect.details) this.fields("details", proto.RestoreDetailsSchema, result!.details, expect.details);
    if (expect.png_header) {
      const image = Buffer.from(result!.image);
      assert.ok(image.subarray(0, 8).equals(Buffer.from("\x89PNG\r\n\x1a\n", "latin1")) && image.toString("latin1", 12, 16) === "IHDR", "PNG with IHDR");
      const got = { width: image.readUInt32BE(16), height: image.readUInt32BE(20), bit_depth: image[24], color_type: image[25] };
      for (const [key, want] of Object.entries(expect.png_header as Record<string, number>)) {
        assert.equal(got[key as keyof typeof got], want, `PNG IHDR ${key}`);
      }
    }
  }

  async listModels(): Promise<void> {
    const [models, error] = await this.call(this.client.listModels());
    if (!this.status(error)) return;
    for (const want of this.c.expect.models as Record<string, unknown>[]) {
      const found = models!.find((m) => m.name === want.name);
      assert.ok(found, `model ${String(want.name)} is listed`);
      this.fields(`model ${found.name}`, proto.ModelInfoSchema, found, want);
    }
  }

  async estimate(): Promise<void> {
    const size = this.c.size!;
    const [response, error] = await this.call(this.client.estimate({ width: size.width, height: size.height, ...(size.bit_depth !== undefined ? { bitDepth: size.bit_depth } : {}) }, this.options()));
    if (!this.status(error)) return;
    const { status: _status, tileplan, ...rest } = this.c.expect;
    void _status;
    this.fields("estimate", proto.EstimateRestoreResponseSchema, response, rest);
    if (typeof tileplan === "string") {
      const golden = JSON.parse(readFileSync(join(this.kit, "tileplan", `${tileplan}.json`), "utf8")) as { plan: Record<string, number> };
      this.fields(`estimate vs ${tileplan}`, proto.EstimateRestoreResponseSchema, response, {
        tile_count: golden.plan.tile_count, window_width: golden.plan.window_width, window_height: golden.plan.window_height,
      });
    }
  }

  async stream(): Promise<void> {
    const input = this.input();
    if (!input) return;
    const format: PixelFormat = { bitDepth: this.c.pixel_format!.bit_depth, channels: this.c.pixel_format!.channels };
    const decoded = decodePng(input, format);
    let client = this.client;
    let proxied: NodeRestoreClient | undefined;
    let proxy: CutProxy | undefined;
    if (this.c.kind === "stream_resume") {
      proxy = await CutProxy.start(this.server, this.c.cut!.after_server_bytes, this.c.cut!.connections);
      client = proxied = createRestoreClient(`http://${proxy.address}`);
    }
    try {
      const writes = new Map<string, number>();
      const sink = new MemorySink();
      const write = sink.write.bind(sink);
      sink.write = (rect: Rect, pixels: Uint8Array) => {
        const key = `${rect.x},${rect.y},${rect.width},${rect.height}`;
        writes.set(key, (writes.get(key) ?? 0) + 1);
        write(rect, pixels);
      };
      const reports: StreamProgress[] = [];
      const options = this.options();
      const [result, error] = await this.call(
        client.restoreLarge(new RawSource(decoded.pixels, decoded.width, decoded.height, format), sink, { ...options, onProgress: (p) => reports.push(p) }),
      );
      if (!this.status(error)) return;
      const expect = this.c.expect;
      assert.deepEqual([result!.outputWidth, result!.outputHeight, sink.width, sink.height],
        [expect.output_width, expect.output_height, expect.output_width, expect.output_height], "output size");
      assert.equal(writes.size, result!.tileCount, "every tile reached the sink");
      assert.ok([...writes.values()].every((n) => n === 1), "no tile reached the sink twice");
      const planOptions = expect.tileplan_options as { tile_size: number; margin: number; scale: number } | undefined;
      if (planOptions) {
        const own = new TilePlan(decoded.width, decoded.height, { tileSize: planOptions.tile_size, margin: planOptions.margin, scale: planOptions.scale });
        assert.equal(own.count, result!.tileCount, "own plan's tile count");
        for (const tile of own.tiles()) {
          const r = tile.outputCore;
          assert.equal(writes.get(`${r.x},${r.y},${r.width},${r.height}`), 1, `output core of tile ${tile.index}`);
        }
      }
      if (expect.progress_in_order) {
        reports.forEach((p, i) => {
          assert.equal(p.tilesTotal, result!.tileCount);
          assert.ok(i === 0 || p.tilesDone >= reports[i - 1]!.tilesDone, "progress never goes backwards");
        });
        assert.equal(reports.at(-1)?.tilesDone, result!.tileCount, "the last report is complete");
      }
      if (proxy) {
        assert.ok(result!.reconnects >= (expect.min_reconnects as number), `${result!.reconnects} reconnects (proxy cut ${proxy.cuts})`);
        assert.equal(result!.tilesComputed, result!.tileCount - result!.tilesHeldAtStart, "the resumed stream computed only the missing tiles");
        this.t.diagnostic(`resumed ${result!.reconnects} times; the last stream computed ${result!.tilesComputed} of ${result!.tileCount} tiles`);
      }
      if (typeof expect.max_level_difference_vs_unary === "number") {
        const unary = await this.client.restore(input, { ...options, format: "png" });
        const reference = decodePng(unary.image, format);
        assert.deepEqual([reference.width, reference.height], [sink.width, sink.height]);
        let worst = 0;
        const samples = format.bitDepth === 16 ? new Uint16Array(sink.pixels.buffer, sink.pixels.byteOffset, sink.pixels.length / 2) : sink.pixels;
        const refSamples = format.bitDepth === 16 ? new Uint16Array(reference.pixels.buffer, reference.pixels.byteOffset, reference.pixels.length / 2) : reference.pixels;
        for (let i = 0; i < samples.length; i++) worst = Math.max(worst, Math.abs(samples[i]! - refSamples[i]!));
        assert.ok(worst <= expect.max_level_difference_vs_unary, `stream and unary differ by ${worst} levels`);
      }
    } finally {
      proxied?.close();
      await proxy?.close();
    }
  }

  async trace(): Promise<void> {
    const input = this.input();
    if (!input) return;
    let traceresponse: string | null = null;
    const [, error] = await this.call(this.client.restore(input, {
      ...this.options(),
      headers: { traceparent: this.c.traceparent! },
      onTrailer: (trailers) => (traceresponse = trailers.get("traceresponse")),
    }));
    if (!this.status(error)) return;
    assert.ok(traceresponse, "a traceresponse trailer");
    const parts = (traceresponse as string).split("-");
    assert.equal(parts[1], this.c.expect.trace_id, `trace id of ${traceresponse}`);
    assert.notEqual(parts[2], this.c.traceparent!.split("-")[2], "the server span is a child, not the caller's span");
  }
}

/** Decodes a PNG to raw pixels in format (gray or RGB, 8 or 16-bit little-endian), independently of the server. */
function decodePng(bytes: Uint8Array, format: PixelFormat): { width: number; height: number; pixels: Uint8Array } {
  const png = PNG.sync.read(Buffer.from(bytes), { skipRescale: format.bitDepth === 16 });
  const data = png.data as unknown as ArrayLike<number>;
  const pixels = new Uint8Array(png.width * png.height * format.channels * (format.bitDepth / 8));
  const view = new DataView(pixels.buffer);
  for (let p = 0, o = 0; p < png.width * png.height; p++) {
    const rgb = [data[4 * p]!, data[4 * p + 1]!, data[4 * p + 2]!];
    const samples = format.channels === 1 ? [rgb[0]!] : rgb;
    for (const s of samples) {
      if (format.bitDepth === 8) pixels[o++] = s;
      else { view.setUint16(o, s, true); o += 2; }
    }
  }
  return { width: png.width, height: png.height, pixels };
}

/**
 * Forwards loopback TCP connections to the server and, on the first `connections` of them, closes both sockets
 * once `after` bytes have come from the server: a real disconnect, as the kit prescribes.
 */
class CutProxy {
  cuts = 0;
  #accepted = 0;
  readonly #sockets = new Set<Socket>();

  private constructor(readonly server: Server, readonly address: string) {}

  static start(target: string, after: number, connections: number): Promise<CutProxy> {
    const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
    return new Promise((resolve) => {
      let proxy: CutProxy;
      const server = createServer((downstream) => {
        const cutThis = ++proxy.#accepted <= connections;
        const upstream = createConnection({ host, port });
        proxy.#sockets.add(downstream).add(upstream);
        let forwarded = 0;
        const closeBoth = (): void => {
          downstream.destroy();
          upstream.destroy();
        };
        downstream.on("data", (chunk: Buffer) => upstream.write(chunk));
        upstream.on("data", (chunk: Buffer) => {
          if (cutThis && forwarded + chunk.length >= after) {
            downstream.write(chunk.subarray(0, after - forwarded), () => closeBoth());
            forwarded = after;
            proxy.cuts++;
            upstream.pause();
            return;
          }
          forwarded += chunk.length;
          downstream.write(chunk);
        });
        downstream.on("close", closeBoth).on("error", closeBoth);
        upstream.on("close", closeBoth).on("error", closeBoth);
      });
      server.listen(0, "127.0.0.1", () => {
        proxy = new CutProxy(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
        resolve(proxy);
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

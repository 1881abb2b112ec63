// Measures the TypeScript SDK against a server (a benchmark, not a test; run `npm run build` first): unary
// restore of an encoded image n times (mean and p50 per call, one in flight) and restoreLarge of a synthetic
// size² RGB image into a raw file (wall time, client peak RSS). One JSON line per measurement.
//   node scripts/bench.mjs --server 127.0.0.1:5000 --image in512.png --n 20 --stream 4096 --model builtin-lanczos-x4
// --window BYTES sets the HTTP/2 stream and connection receive windows (65535: Node's own; unset: the SDK's 16 MiB).
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRestoreClient, FileSink } from "../dist/src/index.js";

const { values } = parseArgs({
  options: {
    server: { type: "string", default: process.env.RESTOREGRPC_SERVER },
    image: { type: "string" },
    n: { type: "string", default: "20" },
    stream: { type: "string", default: "0" },
    model: { type: "string", default: "" },
    tile: { type: "string", default: "0" },
    window: { type: "string", default: "0" },
  },
});
const windowBytes = Number(values.window);
const client = createRestoreClient(`http://${values.server}`, windowBytes > 0
  ? { connectionWindowBytes: windowBytes, transport: { nodeOptions: { settings: { initialWindowSize: windowBytes } } } }
  : {});
// An unset tile size is left out: 0 would be an explicit (invalid) size now that the field has presence.
const options = { model: values.model, ...(Number(values.tile) > 0 ? { tileSize: Number(values.tile) } : {}) };
if (values.image) {
  const input = new Uint8Array(readFileSync(values.image));
  const times = [];
  const n = Number(values.n);
  for (let i = 0; i < n + 2; i++) {
    const started = performance.now();
    await client.restore(input, options);
    if (i >= 2) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ sdk: "typescript", kind: "unary", image: values.image, n,
    mean_ms: times.reduce((a, b) => a + b, 0) / times.length, p50_ms: times[Math.floor(times.length / 2)] }));
}
const size = Number(values.stream);
if (size > 0) {
  const source = {
    width: size,
    height: size,
    format: { bitDepth: 8, channels: 3 },
    readWindow(w) {
      const out = new Uint8Array(w.width * w.height * 3);
      let o = 0;
      for (let y = w.y; y < w.y + w.height; y++) {
        for (let x = w.x; x < w.x + w.width; x++) {
          out[o++] = x & 255; out[o++] = y & 255; out[o++] = (x ^ y) & 255;
        }
      }
      return out;
    },
  };
  const dir = mkdtempSync(join(tmpdir(), "restoregrpc-bench-"));
  try {
    const started = performance.now();
    const result = await client.restoreLarge(source, new FileSink(join(dir, "out.rgb")), options);
    console.log(JSON.stringify({ sdk: "typescript", kind: "stream", size, tiles: result.tileCount,
      seconds: (performance.now() - started) / 1000, peak_rss_mib: process.resourceUsage().maxRSS / 1024 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
client.close();

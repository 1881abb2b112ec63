// Three real server processes behind the SDK's balanced transport (a static address list): the load reaches every
// instance; with one SIGKILLed and one SIGTERM-drained mid-load no unary call fails and every stream completes,
// byte-equal to an uninterrupted run; an instance whose health says NOT_SERVING gets no new calls; a dns:/// name
// is balanced over all its addresses. test.sh builds the server and runs this file (RESTOREGRPC_SERVER_DLL).
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { lookup } from "node:dns/promises";
import { createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { PNG } from "pngjs";
import {
  MemorySink,
  RawSource,
  createRestoreClient,
  describe,
  type InstanceSnapshot,
  type NodeRestoreClient,
  type Rect,
  type RestoreOptions,
} from "../../src/index.js";
import { skipOrFail } from "../support.js";
import { FleetServer, serverBuilt, serverDll } from "./fleetServer.js";

const resampler = "builtin-lanczos-x4";
const unaryOptions: RestoreOptions = { model: resampler, format: "png" };
const streamOptions: RestoreOptions = { model: resampler, tileSize: 16 };

function noisePixels(width: number, height: number, seed: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[i] = state >>> 24;
  }
  return pixels;
}

function gradientPng(width: number, height: number): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data.set([(i * 7) & 255, (i * 3) & 255, (i * 11) & 255, 255], i * 4);
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** A client that writes to a slow disk: each tile takes a while, so the stream is open while instances fail. */
class SlowSink extends MemorySink {
  completed = false;
  constructor(readonly perTileMs: number) {
    super();
  }
  override async write(rect: Rect, pixels: Uint8Array): Promise<void> {
    super.write(rect, pixels);
    await delay(this.perTileMs);
  }
  override complete(): void {
    this.completed = true;
  }
}

async function startFleet(t: TestContext, count: number, drainSeconds: number): Promise<FleetServer[] | undefined> {
  if (!serverBuilt()) {
    skipOrFail(t, `the server is not built at ${serverDll()} (test.sh builds it; set RESTOREGRPC_SERVER_DLL)`);
    return undefined;
  }
  const servers = await Promise.all(Array.from({ length: count }, () => FleetServer.start(drainSeconds)));
  t.after(() => servers.forEach((s) => s.dispose()));
  return servers;
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > limitMs) {
      assert.fail(`${what}: not within ${limitMs / 1000} s`);
    }
    await delay(100);
  }
}

test("load spreads over three instances, and a SIGKILLed and a SIGTERM-drained one lose no unary call and no stream", { timeout: 240_000 }, async (t) => {
  const servers = await startFleet(t, 3, 1);
  if (servers === undefined) {
    return;
  }
  const client: NodeRestoreClient = createRestoreClient(servers.map((s) => s.address), { retry: { maxAttempts: 6 }, defaultTimeoutMs: 60_000 });
  t.after(() => client.close());
  const image = gradientPng(40, 24);
  const source = new RawSource(noisePixels(96, 80, 7), 96, 80);

  // The uninterrupted run every result must equal.
  const expectedImage = (await client.restore(image, unaryOptions)).image;
  const reference = new MemorySink();
  await client.restoreLarge(source, reference, streamOptions);

  let stopLoad = false;
  let completed = 0;
  let mismatched = 0;
  const failures: string[] = [];
  const unary = Array.from({ length: 4 }, async () => {
    while (!stopLoad) {
      try {
        const result = await client.restore(image, unaryOptions);
        if (Buffer.from(result.image).equals(Buffer.from(expectedImage))) {
          completed++;
        } else {
          mismatched++;
        }
      } catch (error) {
        failures.push(`${describe(error)} (cause: ${String((error as Error).cause)})`);
      }
    }
  });
  // Round-robin reaches every instance (each counts what it served), however slowly this machine warms them up.
  let servedBeforeFaults: number[] = [];
  await waitFor("every instance served a request", async () => {
    servedBeforeFaults = await Promise.all(servers.map((s) => s.restoreCount()));
    return servedBeforeFaults.every((n) => n > 0);
  });

  const sinks = Array.from({ length: 3 }, () => new SlowSink(80));
  const streams = sinks.map((sink) => client.restoreLarge(source, sink, streamOptions));
  await delay(600);
  servers[0]!.kill();
  await delay(500);
  servers[1]!.terminate();
  await delay(2000);
  stopLoad = true;
  await Promise.all(unary);
  const results = await Promise.all(streams);

  assert.deepEqual(failures, [], "no unary call fails");
  assert.equal(mismatched, 0);
  assert.ok(completed > 0);
  for (const sink of sinks) {
    assert.ok(sink.completed);
    assert.ok(Buffer.from(sink.pixels).equals(Buffer.from(reference.pixels)), "a resumed stream's output equals the uninterrupted run");
  }
  // The faults hit the streams: at least one resumed on another instance.
  assert.ok(results.reduce((sum, r) => sum + r.reconnects, 0) > 0, "no stream was interrupted");
  assert.equal(await servers[1]!.exited(), 0, "the drained instance exits cleanly");
  // Neither failed instance is used any more.
  const states = client.balancer!.instances();
  for (const gone of [servers[0]!, servers[1]!]) {
    assert.equal(states.find((s) => s.address === gone.address.replace(/\/$/, ""))?.usable, false, `${gone.address} is still in rotation: ${JSON.stringify(states)}`);
  }
  t.diagnostic(`served before the faults: ${servedBeforeFaults.join(", ")}; unary completed: ${completed}; stream reconnects: ${results.map((r) => r.reconnects).join(", ")}`);
});

test("an instance whose health turns NOT_SERVING (draining, still reachable) gets no new calls", { timeout: 240_000 }, async (t) => {
  // A long grace period and a stream held open keep the SIGTERMed instance draining, and so reachable, while calls run.
  const servers = await startFleet(t, 2, 60);
  if (servers === undefined) {
    return;
  }
  const client = createRestoreClient(servers.map((s) => s.address), { defaultTimeoutMs: 60_000 });
  t.after(() => client.close());
  const image = gradientPng(40, 24);
  await waitFor("both instances report SERVING", () => client.balancer!.instances().every((s) => s.state === "serving"));

  // A stream whose sink waits until released, open on the instance that is then drained.
  let release: () => void = () => undefined;
  const released = new Promise<void>((done) => (release = done));
  let firstTile: () => void = () => undefined;
  const tileArrived = new Promise<void>((done) => (firstTile = done));
  class HeldSink extends MemorySink {
    override async write(rect: Rect, pixels: Uint8Array): Promise<void> {
      super.write(rect, pixels);
      firstTile();
      await released;
    }
  }
  const stream = client.restoreLarge(new RawSource(noisePixels(48, 32, 3), 48, 32), new HeldSink(), streamOptions);
  await tileArrived;
  const streamedOn = client.balancer!.instances().find((s) => s.calls === 1)!.address;
  const draining = servers.find((s) => s.address.replace(/\/$/, "") === streamedOn)!;
  const other = servers.find((s) => s !== draining)!;
  const instance = (): InstanceSnapshot => client.balancer!.instances().find((s) => s.address === streamedOn)!;

  draining.terminate();
  await waitFor("the draining instance reports NOT_SERVING", () => instance().state === "not-serving");
  const callsWhenNotServing = instance().calls;
  const servedByOther = await other.restoreCount();
  for (let n = 0; n < 12; n++) {
    await client.restore(image, unaryOptions);
  }
  assert.equal(instance().calls, callsWhenNotServing, "no call went to the NOT_SERVING instance");
  // Its scrape may lag the calls a little (the exporter caches its answer briefly).
  await waitFor("the serving instance served every call", async () => (await other.restoreCount()) >= servedByOther + 12);

  release();
  await stream;
  assert.equal(await draining.exited(), 0);
});

/** A port the OS just handed out on 127.0.0.1 that [::1] can bind too (both released again). */
async function portFreeOnBothLoopbacks(): Promise<number> {
  const listen = (host: string, port: number): Promise<number> =>
    new Promise((done, fail) => {
      const server = createServer();
      server.once("error", fail);
      server.listen(port, host, () => {
        const bound = (server.address() as { port: number }).port;
        server.close(() => done(bound));
      });
    });
  for (let attempt = 0; ; attempt++) {
    const port = await listen("127.0.0.1", 0);
    try {
      return await listen("::1", port);
    } catch (error) {
      if (attempt >= 20) {
        throw error;
      }
    }
  }
}

test("a dns:/// address balances over every address of the name: localhost as 127.0.0.1 and [::1], one killed", { timeout: 240_000 }, async (t) => {
  const records = await lookup("localhost", { all: true });
  if (!records.some((r) => r.address === "127.0.0.1") || !records.some((r) => r.address === "::1")) {
    // Not a missing input: a property of the machine's resolver (Debian and Ubuntu write "::1 localhost" by default).
    t.skip(`localhost resolves to [${records.map((r) => r.address).join(", ")}] here; the test needs both 127.0.0.1 and ::1 (an /etc/hosts line "::1 localhost")`);
    return;
  }
  if (!serverBuilt()) {
    skipOrFail(t, `the server is not built at ${serverDll()} (test.sh builds it; set RESTOREGRPC_SERVER_DLL)`);
    return;
  }
  const port = await portFreeOnBothLoopbacks();
  const servers = await Promise.all([FleetServer.start(1, `http://127.0.0.1:${port}`), FleetServer.start(1, `http://[::1]:${port}`)]);
  t.after(() => servers.forEach((s) => s.dispose()));
  const client = createRestoreClient(`dns:///localhost:${port}`, { defaultTimeoutMs: 60_000 });
  t.after(() => client.close());
  const image = gradientPng(40, 24);
  await client.listModels();
  assert.deepEqual(client.balancer!.instances().map((i) => i.address), [`http://127.0.0.1:${port}`, `http://[::1]:${port}`]);
  await waitFor("both addresses report SERVING", () => client.balancer!.instances().every((s) => s.state === "serving"));
  for (let n = 0; n < 6; n++) {
    await client.restore(image, unaryOptions);
  }
  // The scrapes may lag the calls a little (the exporter caches its answer briefly): wait for the counts.
  let served: number[] = [];
  await waitFor("both addresses of the name served calls", async () => {
    served = await Promise.all(servers.map((s) => s.restoreCount()));
    return served.every((n) => n > 0);
  });

  servers[1]!.kill();
  for (let n = 0; n < 6; n++) {
    await client.restore(image, unaryOptions);
  }
  await waitFor("the survivor served every call after the kill", async () => (await servers[0]!.restoreCount()) >= served[0]! + 6);
  t.diagnostic(`served before the kill (127.0.0.1, [::1]): ${served.join(", ")}`);
});

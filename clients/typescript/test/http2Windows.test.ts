// The HTTP/2 windows createRestoreClient's connections announce, as an in-process Node HTTP/2 server receives them:
// SETTINGS_INITIAL_WINDOW_SIZE and SETTINGS_MAX_FRAME_SIZE from the client's SETTINGS frame, the connection window
// from its WINDOW_UPDATE on stream 0 (the server's send window). RFC 9113 starts both windows at 65535 bytes and
// frames at 16384, which is what a client that sets nothing announces.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createRestoreClient, defaultHttp2Windows, proto, type NodeClientOptions } from "../src/index.js";

interface Announced {
  streamWindow: number | undefined;
  maxFrame: number | undefined;
  serverSendWindow: number | undefined;
}

/** Makes one ListModels call through createRestoreClient and returns what the server's session saw of the client. */
async function announced(options: NodeClientOptions): Promise<Announced> {
  let session: http2.ServerHttp2Session | undefined;
  const handler = connectNodeAdapter({
    routes: ({ service }) => {
      service(proto.RestoreService, { listModels: () => create(proto.ListModelsResponseSchema, { defaultModel: "m", models: [{ name: "m" }] }) });
    },
  });
  const server = http2.createServer((request, response) => {
    session = request.stream.session as http2.ServerHttp2Session;
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = createRestoreClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
  try {
    assert.deepEqual((await client.listModels()).map((m) => m.name), ["m"]);
    // The response was a few bytes, far below any window: the send window is the announced one less those.
    return { streamWindow: session?.remoteSettings.initialWindowSize, maxFrame: session?.remoteSettings.maxFrameSize, serverSendWindow: session?.state.remoteWindowSize };
  } finally {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test("by default the client announces 16 MiB stream and connection windows (Node's own: 64 KiB)", async () => {
  assert.equal(defaultHttp2Windows.streamWindowBytes, 16 * 1024 * 1024);
  assert.equal(defaultHttp2Windows.connectionWindowBytes, 16 * 1024 * 1024);
  const seen = await announced({});
  assert.equal(seen.streamWindow, 16 * 1024 * 1024);
  assert.equal(seen.maxFrame, 16384);
  assert.ok(seen.serverSendWindow !== undefined && seen.serverSendWindow > 16 * 1024 * 1024 - 1024 && seen.serverSendWindow <= 16 * 1024 * 1024,
    `the server's send window on the connection is ${seen.serverSendWindow}, not 16 MiB less the response`);
});

test("the caller's settings and connection window override the defaults", async () => {
  const seen = await announced({ connectionWindowBytes: 65535, transport: { nodeOptions: { settings: { initialWindowSize: 65535, maxFrameSize: 32768 } } } });
  assert.equal(seen.streamWindow, 65535);
  assert.equal(seen.maxFrame, 32768);
  assert.ok(seen.serverSendWindow !== undefined && seen.serverSendWindow > 65535 - 1024 && seen.serverSendWindow <= 65535,
    `the server's send window on the connection is ${seen.serverSendWindow}, not 64 KiB less the response`);
});

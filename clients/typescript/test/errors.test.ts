import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { RestoreClient, codeName, describe, fieldViolations, proto, resourceInfo, retryDelayMs } from "../src/core.js";
import { FakeServer } from "./fakeServer.js";

const client = (fake: FakeServer): RestoreClient =>
  new RestoreClient({ transport: fake.transport(), retry: { initialBackoffMs: 1, maxBackoffMs: 50 } });

test("errors carry the code and the decoded google.rpc details", async () => {
  const fake = new FakeServer();
  fake.restore = () => {
    throw new ConnectError("not an image", Code.InvalidArgument, undefined, [
      { desc: proto.BadRequestSchema, value: { fieldViolations: [{ field: "image", description: "unknown format" }] } },
      { desc: proto.ResourceInfoSchema, value: { resourceType: "model", resourceName: "x" } },
    ]);
  };
  const error = await client(fake).restore(new Uint8Array([1])).then(() => undefined, (e: unknown) => e);
  assert.equal(codeName(error), "INVALID_ARGUMENT");
  assert.deepEqual(fieldViolations(error).map((v) => v.field), ["image"]);
  assert.equal(resourceInfo(error)?.resourceName, "x");
  assert.equal(describe(error), "INVALID_ARGUMENT: image: unknown format");
});

test("RESOURCE_EXHAUSTED is retried after the server's RetryInfo delay", async () => {
  const fake = new FakeServer();
  let calls = 0;
  fake.restore = async () => {
    calls++;
    if (calls < 3) {
      throw new ConnectError("busy", Code.ResourceExhausted, undefined, [
        { desc: proto.RetryInfoSchema, value: { retryDelay: { seconds: 0n, nanos: 5_000_000 } } },
      ]);
    }
    return create(proto.RestoreResponseSchema, { image: new Uint8Array([7]) });
  };
  const result = await client(fake).restore(new Uint8Array([1]));
  assert.deepEqual([calls, result.image[0]], [3, 7]);
  assert.equal(retryDelayMs(new ConnectError("x", Code.ResourceExhausted)), undefined);
});

test("UNAVAILABLE is retried with back-off; INVALID_ARGUMENT is not", async () => {
  const fake = new FakeServer();
  let calls = 0;
  fake.restore = async () => {
    calls++;
    if (calls < 2) {
      throw new ConnectError("restarting", Code.Unavailable);
    }
    throw new ConnectError("bad", Code.InvalidArgument);
  };
  await assert.rejects(client(fake).restore(new Uint8Array([1])), (e: ConnectError) => e.code === Code.InvalidArgument);
  assert.equal(calls, 2);
});

test("a deadline ends the call with DEADLINE_EXCEEDED", async () => {
  const fake = new FakeServer();
  fake.restore = () => new Promise(() => {});
  await assert.rejects(client(fake).restore(new Uint8Array([1]), { timeoutMs: 20 }), (e: ConnectError) => e.code === Code.DeadlineExceeded);
});

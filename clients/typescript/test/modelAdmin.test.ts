import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { RestoreClient, fieldViolations, proto } from "../src/core.js";

/** An in-memory ModelAdminService that records what it was sent. */
function fakeAdmin(sent: string[]): RestoreClient {
  const model = (name: string, state: proto.ModelState, stateDetail = "") => create(proto.ModelInfoSchema, { name, state, stateDetail });
  const transport = createRouterTransport(({ service }) => {
    service(proto.ModelAdminService, {
      loadModel: (request) => {
        if (request.newModel !== undefined) {
          sent.push(`add ${request.newModel.name} ${request.newModel.sha256}`);
          if (request.newModel.file.includes("/")) {
            throw new ConnectError("new_model.file: no directories", Code.InvalidArgument, undefined, [
              { desc: proto.BadRequestSchema, value: { fieldViolations: [{ field: "new_model.file", description: "no directories" }] } },
            ]);
          }
          return { model: model(request.newModel.name, proto.ModelState.READY) };
        }
        sent.push(`load ${request.name}`);
        return { model: model(request.name, proto.ModelState.READY) };
      },
      unloadModel: (request) => {
        sent.push(`unload ${request.name}`);
        if (request.name === "nope") {
          throw new ConnectError("model 'nope' is not in the catalog", Code.NotFound);
        }
        return { model: model(request.name, proto.ModelState.UNLOADED) };
      },
      reloadModel: (request) => {
        sent.push(`reload ${request.name}`);
        return { model: model(request.name, proto.ModelState.FAILED, "truncated; the previous session keeps serving") };
      },
      setDefaultModel: (request) => {
        sent.push(`default ${request.name}`);
        return { defaultModel: request.name };
      },
    });
  });
  return new RestoreClient({ transport, retry: { maxAttempts: 1 } });
}

test("every model admin method sends its request and resolves to the model's state", async () => {
  const sent: string[] = [];
  const client = fakeAdmin(sent);
  const sha = "a".repeat(64);
  assert.equal((await client.loadModel("x2"))?.state, proto.ModelState.READY);
  assert.equal((await client.addModel({ name: "n", file: "n.onnx", sha256: sha, task: proto.ModelTask.SUPER_RESOLUTION, scale: 2 }))?.name, "n");
  assert.equal((await client.unloadModel("x2"))?.state, proto.ModelState.UNLOADED);
  const reloaded = await client.reloadModel("anime");
  assert.equal(reloaded?.state, proto.ModelState.FAILED);
  assert.match(reloaded?.stateDetail ?? "", /keeps serving/);
  assert.equal(await client.setDefaultModel("x2"), "x2");
  assert.deepEqual(sent, ["load x2", `add n ${sha}`, "unload x2", "reload anime", "default x2"]);
});

test("model admin errors keep their code and field", async () => {
  const client = fakeAdmin([]);
  const notFound = await client.unloadModel("nope").then(() => undefined, (e: unknown) => e);
  assert.equal(ConnectError.from(notFound).code, Code.NotFound);
  const refused = await client.addModel({ name: "n", file: "../n.onnx" }).then(() => undefined, (e: unknown) => e);
  assert.equal(ConnectError.from(refused).code, Code.InvalidArgument);
  assert.deepEqual(fieldViolations(refused).map((v) => v.field), ["new_model.file"]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { BalancedTransport, RestoreClient, isLostConnection, proto } from "../src/core.js";
import { parseDnsTarget } from "../src/dnsTarget.js";
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/grpc/health/v1/health_pb.js";

/** An in-memory instance: answers ListModels with its name, reports `status` on Health.Watch, or fails calls. */
class FakeInstance {
  status = HealthCheckResponse_ServingStatus.SERVING;
  fail: ConnectError | undefined;
  served = 0;
  readonly #watchers = new Set<() => void>();

  constructor(readonly name: string) {}

  setStatus(status: HealthCheckResponse_ServingStatus): void {
    this.status = status;
    this.#watchers.forEach((w) => w());
  }

  transport(): ReturnType<typeof createRouterTransport> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    return createRouterTransport(({ service }) => {
      service(proto.RestoreService, {
        listModels: () => {
          if (fake.fail !== undefined) {
            throw fake.fail;
          }
          fake.served++;
          return { defaultModel: fake.name };
        },
      });
      service(Health, {
        async *watch(_request, context) {
          for (;;) {
            yield { status: fake.status };
            await new Promise<void>((wake) => {
              fake.#watchers.add(wake);
              context.signal.addEventListener("abort", () => wake(), { once: true });
            });
            if (context.signal.aborted) {
              return;
            }
          }
        },
      });
    });
  }
}

function balanced(instances: FakeInstance[], retryMs = 60_000): BalancedTransport {
  return new BalancedTransport({
    resolve: () => Promise.resolve(instances.map((i) => i.name)),
    connect: (address) => ({ transport: instances.find((i) => i.name === address)!.transport(), close: () => undefined }),
    healthService: "restoregrpc.v1.RestoreService",
    retryMs,
    refreshMs: 0,
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await delay(5);
  }
}

test("calls go round-robin over the instances", async () => {
  const instances = ["a", "b", "c"].map((n) => new FakeInstance(n));
  const transport = balanced(instances);
  const client = new RestoreClient({ transport });
  const answered: string[] = [];
  for (let n = 0; n < 6; n++) {
    answered.push((await client.raw.listModels({})).defaultModel);
  }
  assert.deepEqual(answered, ["a", "b", "c", "a", "b", "c"]);
  assert.deepEqual(transport.instances().map((i) => i.calls), [2, 2, 2]);
  transport.close();
});

test("an instance whose health says NOT_SERVING is skipped, and used again once it says SERVING", async () => {
  const instances = ["a", "b"].map((n) => new FakeInstance(n));
  const transport = balanced(instances);
  const client = new RestoreClient({ transport });
  await client.raw.listModels({});
  await until(() => transport.instances().every((i) => i.state === "serving"));
  instances[0]!.setStatus(HealthCheckResponse_ServingStatus.NOT_SERVING);
  await until(() => transport.instances()[0]!.state === "not-serving");
  for (let n = 0; n < 4; n++) {
    assert.equal((await client.raw.listModels({})).defaultModel, "b");
  }
  instances[0]!.setStatus(HealthCheckResponse_ServingStatus.SERVING);
  await until(() => transport.instances()[0]!.usable);
  const answered = new Set([(await client.raw.listModels({})).defaultModel, (await client.raw.listModels({})).defaultModel]);
  assert.deepEqual([...answered].sort(), ["a", "b"]);
  transport.close();
});

test("UNAVAILABLE from one instance is retried on the next, which the failed one stays behind for a while", async () => {
  const instances = ["a", "b"].map((n) => new FakeInstance(n));
  instances[0]!.fail = new ConnectError("gone", Code.Unavailable);
  const transport = balanced(instances);
  const client = new RestoreClient({ transport, retry: { initialBackoffMs: 1, maxBackoffMs: 1 } });
  for (let n = 0; n < 4; n++) {
    assert.deepEqual(await client.listModels(), []);
  }
  assert.equal(instances[1]!.served, 4);
  assert.equal(transport.instances()[0]!.calls, 1, "the failed instance was tried once, then left out");
  transport.close();
});

test("when no instance is usable the next one is tried anyway, so the call fails with its real error", async () => {
  const instances = [new FakeInstance("a")];
  instances[0]!.setStatus(HealthCheckResponse_ServingStatus.NOT_SERVING);
  instances[0]!.fail = new ConnectError("draining", Code.Unavailable);
  const transport = balanced(instances);
  const client = new RestoreClient({ transport, retry: { maxAttempts: 1 } });
  await assert.rejects(client.listModels(), (e: ConnectError) => e.code === Code.Unavailable && e.rawMessage === "draining");
  transport.close();
});

test("a lost connection is told from a status the server sent", () => {
  const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  assert.ok(isLostConnection(new ConnectError("lost", Code.Internal, undefined, undefined, reset)));
  assert.ok(isLostConnection(new ConnectError("http/2 stream closed with error code CANCEL (0x8)", Code.Canceled)));
  assert.ok(!isLostConnection(new ConnectError("bad", Code.Internal, new Headers({ "grpc-status": "13" }))));
  assert.ok(!isLostConnection(new ConnectError("no", Code.InvalidArgument)));
});

test("dns:/// addresses parse to a host and port; others are not DNS targets", () => {
  assert.deepEqual(parseDnsTarget("dns:///restore.default.svc.cluster.local:5000"), { host: "restore.default.svc.cluster.local", port: 5000 });
  assert.deepEqual(parseDnsTarget("dns:///[::1]:5000"), { host: "::1", port: 5000 });
  assert.equal(parseDnsTarget("http://127.0.0.1:5000"), undefined);
  assert.throws(() => parseDnsTarget("dns:///no-port"));
  assert.throws(() => parseDnsTarget("dns://8.8.8.8/name:5000"));
});

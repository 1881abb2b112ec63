// Client credentials against an in-process Node HTTP/2 (TLS / mTLS / plaintext) Connect server with certificates
// made by openssl at test time: key and token arrive as metadata, a private CA is trusted and a foreign one refused,
// the client certificate is presented under mTLS, plaintext refuses secrets unless allowed (loopback only), and the
// secrets never show in toString / JSON / util.inspect.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ClientCredentials, CredentialsError, createRestoreClient, proto } from "../src/index.js";

const key = "ts-api-key-8c2f";
const token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0cyJ9.sig-a7d3";

const dir = mkdtempSync(join(tmpdir(), "restoregrpc-ts-creds-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function authority(name: string): void {
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`,
    "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign");
}

function issue(name: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
  openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`);
}

authority("ca");
authority("other-ca");
issue("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
issue("tenant-ts", "subjectAltName=DNS:tenant-ts\nextendedKeyUsage=clientAuth\n");
const file = (name: string): string => join(dir, name);

interface Seen {
  apiKey: string | null;
  authorization: string | null;
  clientCN: string;
}

/** A ListModels server recording each call's credential headers and client certificate; plaintext when tls is "none". */
async function serve(tls: "none" | "tls" | "mtls"): Promise<{ address: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  let clientCN = "";
  const handler = connectNodeAdapter({
    routes: ({ service }) => {
      service(proto.RestoreService, {
        listModels: (_request, context) => {
          seen.push({ apiKey: context.requestHeader.get("x-api-key"), authorization: context.requestHeader.get("authorization"), clientCN });
          return create(proto.ListModelsResponseSchema, { defaultModel: "m", models: [{ name: "m" }] });
        },
      });
    },
  });
  const listener = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse): void => {
    const socket = request.socket as unknown as { getPeerCertificate?: () => { subject?: { CN?: string } } };
    clientCN = socket.getPeerCertificate?.()?.subject?.CN ?? "";
    handler(request, response);
  };
  const server = tls === "none"
    ? http2.createServer(listener)
    : http2.createSecureServer({
      key: readFileSync(file("server.key")),
      cert: readFileSync(file("server.crt")),
      ...(tls === "mtls" ? { ca: readFileSync(file("ca.crt")), requestCert: true, rejectUnauthorized: true } : {}),
    }, listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    address: `${tls === "none" ? "http" : "https"}://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test("over TLS with the private CA, the API key and bearer token reach the server", async () => {
  const server = await serve("tls");
  const client = createRestoreClient(server.address, { credentials: new ClientCredentials({ caFile: file("ca.crt"), apiKey: key, bearerToken: token }) });
  try {
    assert.deepEqual((await client.listModels()).map((m) => m.name), ["m"]);
    assert.deepEqual(server.seen, [{ apiKey: key, authorization: `Bearer ${token}`, clientCN: "" }]);
  } finally {
    client.close();
    await server.close();
  }
});

test("a token provider is asked before every call", async () => {
  const server = await serve("tls");
  let n = 0;
  const client = createRestoreClient(server.address, { credentials: new ClientCredentials({ caFile: file("ca.crt"), tokenProvider: async () => `token-${++n}` }) });
  try {
    await client.listModels();
    await client.listModels();
    assert.deepEqual(server.seen.map((s) => s.authorization), ["Bearer token-1", "Bearer token-2"]);
  } finally {
    client.close();
    await server.close();
  }
});

test("a server certificate from another CA is refused with a certificate error", async () => {
  const server = await serve("tls");
  const client = createRestoreClient(server.address, { credentials: new ClientCredentials({ caFile: file("other-ca.crt"), apiKey: key }), retry: { maxAttempts: 1 } });
  try {
    const error = await client.listModels().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConnectError, String(error));
    // Connect reports a failed TLS handshake as INTERNAL, with Node's reason ("unable to verify the first certificate").
    assert.ok([Code.Unavailable, Code.Internal].includes(error.code), String(error));
    assert.match(error.message, /certificate/i);
    assert.ok(!String(error).includes(key) && !inspect(error).includes(key));
    assert.deepEqual(server.seen, []);
  } finally {
    client.close();
    await server.close();
  }
});

test("under required mTLS the client certificate is presented; without it the call fails", async () => {
  const server = await serve("mtls");
  const presenting = createRestoreClient(server.address, {
    credentials: new ClientCredentials({ caFile: file("ca.crt"), certFile: file("tenant-ts.crt"), keyFile: file("tenant-ts.key") }),
  });
  const anonymous = createRestoreClient(server.address, { credentials: new ClientCredentials({ caFile: file("ca.crt") }), retry: { maxAttempts: 1 } });
  try {
    await presenting.listModels();
    assert.equal(server.seen[0]?.clientCN, "tenant-ts");
    await assert.rejects(anonymous.listModels());
    assert.equal(server.seen.length, 1);
  } finally {
    presenting.close();
    anonymous.close();
    await server.close();
  }
});

test("plaintext refuses secrets unless allowed, and then only to loopback", async () => {
  const server = await serve("none");
  assert.throws(() => createRestoreClient(server.address, { credentials: new ClientCredentials({ apiKey: key }) }), (e: unknown) =>
    e instanceof CredentialsError && /plaintext/.test(e.message) && !e.message.includes(key));
  assert.throws(() => createRestoreClient("http://example.com:5000", { credentials: new ClientCredentials({ apiKey: key, allowInsecureCredentials: true }) }), /loopback/);
  const client = createRestoreClient(server.address, { credentials: new ClientCredentials({ apiKey: key, allowInsecureCredentials: true }) });
  try {
    await client.listModels();
    assert.equal(server.seen[0]?.apiKey, key);
  } finally {
    client.close();
    await server.close();
  }
});

test("the secrets never show in toString, JSON or util.inspect, nor in refusals of bad values", () => {
  const credentials = new ClientCredentials({ apiKey: key, bearerToken: token, caFile: "ca.pem" });
  for (const text of [String(credentials), JSON.stringify(credentials), inspect(credentials), inspect({ credentials }, { depth: 5 })]) {
    assert.ok(!text.includes(key) && !text.includes(token), text);
    assert.match(text, /\*\*\*/);
    assert.match(text, /ca\.pem/);
  }
  assert.throws(() => new ClientCredentials({ apiKey: "bad key-0b9e" }), (e: unknown) => e instanceof CredentialsError && !e.message.includes("0b9e"));
});

test("fromEnv reads RESTORE_API_KEY and RESTORE_TOKEN, under what is given", () => {
  const env = { RESTORE_API_KEY: key, RESTORE_TOKEN: token };
  assert.match(inspect(ClientCredentials.fromEnv({}, env)), /apiKey: \*\*\*, bearerToken: \*\*\*/);
  assert.equal(ClientCredentials.fromEnv({}, {}).sendsSecrets, false);
  assert.equal(ClientCredentials.fromEnv({ tokenProvider: () => "x" }, env).sendsSecrets, true);
});

// Client credentials for the Node entry: TLS trust (a private CA), a client certificate (mTLS), and an API key or
// bearer token sent on every call as `x-api-key` / `authorization: Bearer …` metadata (a Connect interceptor).
// The secrets live in private fields: toString, JSON and util.inspect never show them.
import type { Interceptor } from "@connectrpc/connect";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { SecureClientSessionOptions } from "node:http2";

export const apiKeyHeader = "x-api-key";
export const authorizationHeader = "authorization";
export const apiKeyEnvironment = "RESTORE_API_KEY";
export const tokenEnvironment = "RESTORE_TOKEN";

/** Settings for {@link ClientCredentials}; file paths are PEM. */
export interface ClientCredentialsInit {
  /** Sent as `x-api-key` on every call. */
  apiKey?: string;
  /** A bearer token (JWT) sent as `authorization: Bearer …` on every call. */
  bearerToken?: string;
  /** Instead of bearerToken: asked before every call (for tokens that expire). */
  tokenProvider?: () => string | Promise<string>;
  /** PEM bundle of the CAs that sign the server's certificate (instead of Node's roots); needs an https:// address. */
  caFile?: string;
  /** Client certificate and its key for mTLS; need an https:// address. */
  certFile?: string;
  keyFile?: string;
  /** Lets the key / token go over plaintext http:// to a loopback address; refused otherwise. */
  allowInsecureCredentials?: boolean;
}

/** Credentials that do not fit together or cannot be read; the message never holds a secret. */
export class CredentialsError extends Error {
  override name = "CredentialsError";
}

function headerSafe(value: string, name: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    throw new CredentialsError(`${name} is empty`);
  }
  if (!/^[\x21-\x7e]+$/.test(trimmed)) {
    throw new CredentialsError(`${name} holds characters a gRPC header cannot carry (only visible ASCII); its value is not shown`);
  }
  return trimmed;
}

function readPem(path: string, what: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    throw new CredentialsError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!data.includes("-----BEGIN")) {
    throw new CredentialsError(`the ${what} ${path} holds no PEM block (-----BEGIN ...-----)`);
  }
  return data;
}

/** True for localhost, 127.x and [::1]. */
export function isLoopbackUrl(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost") {
    return true;
  }
  if (isIP(host) === 4) {
    return host.startsWith("127.");
  }
  return isIP(host) === 6 && (host === "::1" || host === "0:0:0:0:0:0:0:1");
}

/**
 * API key, bearer token (or token provider), CA bundle and client certificate for {@link createRestoreClient}.
 * `ClientCredentials.fromEnv()` reads `$RESTORE_API_KEY` and `$RESTORE_TOKEN`.
 */
export class ClientCredentials {
  readonly #apiKey: string | undefined;
  readonly #bearerToken: string | undefined;
  readonly #tokenProvider: (() => string | Promise<string>) | undefined;
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly allowInsecureCredentials: boolean;

  constructor(init: ClientCredentialsInit = {}) {
    if (init.bearerToken !== undefined && init.tokenProvider !== undefined) {
      throw new CredentialsError("set bearerToken or tokenProvider, not both");
    }
    if ((init.certFile === undefined) !== (init.keyFile === undefined)) {
      throw new CredentialsError("a client certificate needs both certFile and keyFile");
    }
    this.#apiKey = init.apiKey === undefined ? undefined : headerSafe(init.apiKey, "apiKey");
    this.#bearerToken = init.bearerToken === undefined ? undefined : headerSafe(init.bearerToken, "bearerToken");
    this.#tokenProvider = init.tokenProvider;
    this.caFile = init.caFile;
    this.certFile = init.certFile;
    this.keyFile = init.keyFile;
    this.allowInsecureCredentials = init.allowInsecureCredentials ?? false;
  }

  /** `$RESTORE_API_KEY` and `$RESTORE_TOKEN` (unset or empty ones left out), under what `init` gives. */
  static fromEnv(init: ClientCredentialsInit = {}, env: NodeJS.ProcessEnv = process.env): ClientCredentials {
    const fromEnv: ClientCredentialsInit = {};
    const apiKey = env[apiKeyEnvironment]?.trim();
    const token = env[tokenEnvironment]?.trim();
    if (apiKey) {
      fromEnv.apiKey = apiKey;
    }
    if (token && init.tokenProvider === undefined) {
      fromEnv.bearerToken = token;
    }
    return new ClientCredentials({ ...fromEnv, ...init });
  }

  /** Whether a key or token is sent. */
  get sendsSecrets(): boolean {
    return this.#apiKey !== undefined || this.#bearerToken !== undefined || this.#tokenProvider !== undefined;
  }

  /** The http2 TLS options (ca, cert, key) for an https:// `baseUrl`; refuses settings that do not fit it. */
  tlsOptions(baseUrl: string): SecureClientSessionOptions {
    const tls = baseUrl.startsWith("https:");
    if (!tls && (this.caFile !== undefined || this.certFile !== undefined)) {
      throw new CredentialsError(`a CA bundle or client certificate needs an https:// address (got ${new URL(baseUrl).origin})`);
    }
    if (!tls && this.sendsSecrets) {
      if (!this.allowInsecureCredentials) {
        throw new CredentialsError(`refusing to send an API key or bearer token in plaintext to ${new URL(baseUrl).origin}: use https://, or allowInsecureCredentials for a loopback address`);
      }
      if (!isLoopbackUrl(baseUrl)) {
        throw new CredentialsError(`allowInsecureCredentials covers loopback addresses only, not ${new URL(baseUrl).origin}: use https://`);
      }
    }
    const options: SecureClientSessionOptions = {};
    if (this.caFile !== undefined) {
      options.ca = readPem(this.caFile, "CA bundle");
    }
    if (this.certFile !== undefined && this.keyFile !== undefined) {
      options.cert = readPem(this.certFile, "client certificate");
      options.key = readPem(this.keyFile, "client key");
    }
    return options;
  }

  /** The interceptor that adds the key and the (possibly refreshed) token to every call; none when neither is set. */
  interceptor(): Interceptor | undefined {
    if (!this.sendsSecrets) {
      return undefined;
    }
    const apiKey = this.#apiKey;
    const token = this.#bearerToken;
    const provider = this.#tokenProvider;
    return (next) => async (request) => {
      if (apiKey !== undefined) {
        request.header.set(apiKeyHeader, apiKey);
      }
      const bearer = provider !== undefined ? headerSafe(await provider(), "tokenProvider's token") : token;
      if (bearer !== undefined) {
        request.header.set(authorizationHeader, `Bearer ${bearer}`);
      }
      return next(request);
    };
  }

  toString(): string {
    const parts: string[] = [];
    if (this.#apiKey !== undefined) parts.push("apiKey: ***");
    if (this.#bearerToken !== undefined || this.#tokenProvider !== undefined) parts.push("bearerToken: ***");
    if (this.caFile !== undefined) parts.push(`caFile: ${this.caFile}`);
    if (this.certFile !== undefined) parts.push(`certFile: ${this.certFile}`, `keyFile: ${this.keyFile}`);
    return `ClientCredentials { ${parts.join(", ")} }`;
  }

  toJSON(): Record<string, unknown> {
    return {
      apiKey: this.#apiKey === undefined ? undefined : "***",
      bearerToken: this.#bearerToken === undefined && this.#tokenProvider === undefined ? undefined : "***",
      caFile: this.caFile,
      certFile: this.certFile,
      keyFile: this.keyFile,
    };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

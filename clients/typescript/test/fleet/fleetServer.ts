// One RestoreGrpc server instance of a fleet as its own process (the built server, as clients/conformance/run.sh
// starts it, but with the built-in resampler as its default model: no model files), with a gRPC and a metrics
// endpoint on loopback port 0. It can be SIGKILLed (a crash) or SIGTERMed (a drain, as Kubernetes stops a pod).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The built server (RESTOREGRPC_SERVER_DLL, as test.sh sets it, else the Release build in this checkout); tests run
 * from dist/test/fleet. */
export function serverDll(): string {
  return process.env.RESTOREGRPC_SERVER_DLL ?? resolve(here, "../../../../../src/RestoreGrpc.Server/bin/Release/net10.0/RestoreGrpc.Server.dll");
}

export const startLimitMs = 120_000;

export class FleetServer {
  #output = "";
  #exit: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly address: string,
    readonly metrics: string,
    output: string,
    exit: Promise<number | null>,
  ) {
    this.#output = output;
    this.#exit = exit;
    process.stdout?.on("data", (d: Buffer) => (this.#output += d.toString()));
    process.stderr?.on("data", (d: Buffer) => (this.#output += d.toString()));
  }

  get output(): string {
    return this.#output;
  }

  /**
   * Starts an instance; `endpoint` is the gRPC URL (default http://127.0.0.1:0, a free port), `drainSeconds` the
   * grace period a SIGTERM gives running calls.
   */
  static start(drainSeconds: number, endpoint = "http://127.0.0.1:0"): Promise<FleetServer> {
    const noModels = join(tmpdir(), "restoregrpc-no-models");
    mkdirSync(noModels, { recursive: true });
    const child = spawn("dotnet", [
      serverDll(),
      `--Kestrel:Endpoints:Grpc:Url=${endpoint}`,
      "--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:0",
      `--Restore:Models:Directory=${noModels}`,
      "--Restore:Models:DefaultModel=builtin-lanczos-x4",
      "--Restore:Models:ExecutionProvider=Cpu",
      "--Restore:Models:DownloadMissing=false",
      `--Restore:Server:DrainSeconds=${drainSeconds}`,
      "--Logging:LogLevel:Default=Warning",
      "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
      "--Logging:LogLevel:RestoreGrpc.Server.Draining=Information",
    ], { cwd: tmpdir(), stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1" } });
    const exit = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    return new Promise((done, fail) => {
      let output = "";
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        fail(new Error(`the server did not start within ${startLimitMs / 1000} s:\n${output}`));
      }, startLimitMs);
      const onData = (d: Buffer): void => {
        output += d.toString();
        // Kestrel binds the endpoints in key order (Grpc, then Metrics) and logs each before this line.
        if (output.includes("Application started")) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          child.stderr?.off("data", onData);
          const listening = [...output.matchAll(/Now listening on: (\S+)/g)].map((m) => m[1]!);
          if (listening.length < 2) {
            child.kill("SIGKILL");
            fail(new Error(`the server started without its two endpoints:\n${output}`));
            return;
          }
          done(new FleetServer(child, listening[0]!, listening[1]!, output, exit));
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      void exit.then((code) => {
        clearTimeout(timer);
        fail(new Error(`the server exited (${code}) before it started:\n${output}`));
      });
    });
  }

  /** A crash: SIGKILL, no drain. */
  kill(): void {
    this.process.kill("SIGKILL");
  }

  /** What Kubernetes sends a pod it stops: SIGTERM, and the server drains. */
  terminate(): void {
    this.process.kill("SIGTERM");
  }

  /** The exit code once the process has ended (null when a signal ended it). */
  exited(): Promise<number | null> {
    return this.#exit;
  }

  /** Successful Restore calls this instance served, from its Prometheus scrape. */
  async restoreCount(): Promise<number> {
    const exposition = await (await fetch(new URL("/metrics", this.metrics))).text();
    let count = 0;
    for (const line of exposition.split("\n")) {
      if (line.startsWith("restoregrpc_requests_total{") && line.includes('rpc_method="restoregrpc.v1.RestoreService/Restore"') && line.includes('rpc_status_code="OK"')) {
        count += Number(line.slice(line.lastIndexOf("}") + 1).trim().split(/\s+/)[0]);
      }
    }
    return count;
  }

  /** Ends the process if it still runs. */
  dispose(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill("SIGKILL");
    }
  }
}

export function serverBuilt(): boolean {
  return existsSync(serverDll());
}

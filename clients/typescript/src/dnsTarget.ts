import { lookup } from "node:dns/promises";

/** A `dns:///host:port` target (gRPC's name syntax; an authority between the slashes is not supported). */
export interface DnsTarget {
  readonly host: string;
  readonly port: number;
}

/** The target of a `dns:` address, or undefined for any other address. */
export function parseDnsTarget(address: string): DnsTarget | undefined {
  const match = /^dns:(?:\/\/\/)?(.+)$/i.exec(address);
  if (match === null) {
    return undefined;
  }
  if (address.toLowerCase().startsWith("dns://") && !address.toLowerCase().startsWith("dns:///")) {
    throw new Error(`${address}: a DNS authority (dns://server/name) is not supported; use dns:///host:port`);
  }
  const hostPort = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(match[1]!);
  if (hostPort === null) {
    throw new Error(`${address}: expected dns:///host:port`);
  }
  return { host: hostPort[1] ?? hostPort[2]!, port: Number(hostPort[3]) };
}

/**
 * Every address the name resolves to (A and AAAA records through the system resolver, as node:dns lookup does),
 * as base URLs for `scheme` ("http" or "https"): a Kubernetes headless Service answers one record per ready pod.
 */
export async function resolveDnsTarget(target: DnsTarget, scheme: "http" | "https"): Promise<string[]> {
  const records = await lookup(target.host, { all: true, verbatim: true });
  return records.map((r) => `${scheme}://${r.family === 6 ? `[${r.address}]` : r.address}:${target.port}`);
}

import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
  type BadRequest_FieldViolation,
  type ErrorInfo,
  type ResourceInfo,
} from "./gen/google/rpc/error_details_pb.js";

export { Code, ConnectError };

/**
 * Failed calls reject with a ConnectError: `code` is the gRPC status code (Code.InvalidArgument = 3, …), and the
 * google.rpc details of the grpc-status-details-bin trailer are decoded by the helpers below.
 */
export function asConnectError(error: unknown): ConnectError {
  return ConnectError.from(error);
}

/** The status code name as gRPC spells it: INVALID_ARGUMENT, NOT_FOUND, … ("OK" for no error). */
export function codeName(error: unknown): string {
  if (error === undefined || error === null) {
    return "OK";
  }
  const name = Code[asConnectError(error).code];
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** The google.rpc.BadRequest field violations of an INVALID_ARGUMENT error. */
export function fieldViolations(error: unknown): BadRequest_FieldViolation[] {
  return asConnectError(error).findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations);
}

/** The google.rpc.RetryInfo delay in milliseconds, when the error has one. */
export function retryDelayMs(error: unknown): number | undefined {
  const info = asConnectError(error).findDetails(RetryInfoSchema)[0];
  const delay = info?.retryDelay;
  return delay ? Number(delay.seconds) * 1000 + delay.nanos / 1e6 : undefined;
}

/** The google.rpc.ResourceInfo of a NOT_FOUND error (e.g. the unknown model). */
export function resourceInfo(error: unknown): ResourceInfo | undefined {
  return asConnectError(error).findDetails(ResourceInfoSchema)[0];
}

export function errorInfo(error: unknown): ErrorInfo | undefined {
  return asConnectError(error).findDetails(ErrorInfoSchema)[0];
}

/** Node's codes of a connection that failed or ended under a call (socket and HTTP/2 session errors). */
const connectionErrorCodes = new Set(["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"]);

/** What Connect reports a call cut by the transport as, depending on the moment (an HTTP/2 reset: CANCEL, INTERNAL…). */
const transportCodes = new Set([Code.Unavailable, Code.Internal, Code.Canceled, Code.Aborted]);

/**
 * Whether the call failed because its connection did rather than with a status the server sent: refused, reset, the
 * HTTP/2 session or stream torn down (as when a server process dies or a stopping one closes its connections). The
 * error's cause chain holds a Node socket or HTTP/2 error, or the call ended UNAVAILABLE / INTERNAL / CANCELED /
 * ABORTED without a grpc-status from the server (an HTTP/2 RST_STREAM). A call the caller aborted also ends
 * CANCELED without one: check the caller's signal first.
 */
export function isLostConnection(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (connectionErrorCodes.has(code) || code.startsWith("ERR_HTTP2_"))) {
      return true;
    }
  }
  const e = asConnectError(error);
  return transportCodes.has(e.code) && !e.metadata.has("grpc-status");
}

/** One line: the code, then the field violations or the message. */
export function describe(error: unknown): string {
  const e = asConnectError(error);
  const violations = fieldViolations(e);
  const detail = violations.length > 0 ? violations.map((v) => `${v.field}: ${v.description}`).join("; ") : e.rawMessage;
  return `${codeName(e)}: ${detail}`;
}

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

/** One line: the code, then the field violations or the message. */
export function describe(error: unknown): string {
  const e = asConnectError(error);
  const violations = fieldViolations(e);
  const detail = violations.length > 0 ? violations.map((v) => `${v.field}: ${v.description}`).join("; ") : e.rawMessage;
  return `${codeName(e)}: ${detail}`;
}

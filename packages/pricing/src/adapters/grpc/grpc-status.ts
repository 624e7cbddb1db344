import { Metadata, type ServiceError, type status } from "@grpc/grpc-js";
import type { Any } from "./gen/google/protobuf/any.js";
import { ErrorInfo } from "./gen/google/rpc/error_details.js";
import { Status } from "./gen/google/rpc/status.js";

/** `ErrorInfo.domain` of every error this service sends (spec §7). */
export const ERROR_DOMAIN = "pricing.carfare";
/** The trailer that carries a serialized `google.rpc.Status` (the gRPC "richer error model"). */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";
const ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo";

/**
 * Builds the error a grpc-js handler passes to `callback(err)` (or `call.emit("error", err)`): status `code`,
 * details `"<reason>: <message>"` so the stable code leads the message, and a `google.rpc.Status` in
 * `grpc-status-details-bin` holding one `google.rpc.ErrorInfo` (`reason`, `domain` = pricing.carfare,
 * `metadata`, e.g. `{ field: "end_at" }`).
 *
 * @example callback(grpcError(status.INVALID_ARGUMENT, "PRICING.INVALID_PERIOD", "end_at is not on the 10-minute grid"))
 */
export function grpcError(
  code: status,
  reason: string,
  message: string,
  metadata: Readonly<Record<string, string>> = {},
): ServiceError {
  const details = `${reason}: ${message}`;
  const info = ErrorInfo.encode({ reason, domain: ERROR_DOMAIN, metadata: { ...metadata } }).finish();
  const rpcStatus = Status.encode({
    code,
    message: details,
    details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: Buffer.from(info) }],
  }).finish();
  const trailers = new Metadata();
  trailers.set(STATUS_DETAILS_KEY, Buffer.from(rpcStatus));
  return Object.assign(new Error(details), { code, details, metadata: trailers });
}

/**
 * The `ErrorInfo` of an error received by a grpc-js client built from the generated code (the CLI), or
 * undefined when the error carries none (for example a transport failure).
 */
export function errorInfoOf(err: Pick<ServiceError, "metadata">): ErrorInfo | undefined {
  const raw = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!(raw instanceof Uint8Array)) return undefined;
  const detail = Status.decode(raw).details.find((any: Any) => any.typeUrl === ERROR_INFO_TYPE_URL);
  return detail === undefined ? undefined : ErrorInfo.decode(detail.value);
}

import type { DomainError } from "@carfare/kit";
import { type ServiceError, status } from "@grpc/grpc-js";
import { grpcError } from "./grpc-status.js";

/**
 * The one place where pricing error codes become gRPC statuses (spec §8). A code missing here is a bug the
 * catalog test catches; at run time it falls back to INVALID_ARGUMENT rather than INTERNAL, because every
 * domain error is a refusal of the caller's input.
 */
export const STATUS_OF_CODE: Readonly<Record<string, status>> = {
  "PRICING.INVALID_REQUEST": status.INVALID_ARGUMENT,
  "PRICING.INVALID_PERIOD": status.INVALID_ARGUMENT,
  "PRICING.INVALID_RETURN": status.INVALID_ARGUMENT,
  "PRICING.UNKNOWN_MEMBER_TIER": status.INVALID_ARGUMENT,
  "PRICING.BAD_QUOTE_TOKEN": status.INVALID_ARGUMENT,
  "PRICING.INVALID_TARIFF": status.INVALID_ARGUMENT,
  "PRICING.INVALID_COUPON": status.INVALID_ARGUMENT,
  "PRICING.TARIFF_NOT_FOUND": status.NOT_FOUND,
  "PRICING.CAR_MODEL_NOT_FOUND": status.NOT_FOUND,
  "PRICING.COUPON_NOT_FOUND": status.NOT_FOUND,
  "PRICING.COUPON_NOT_YET_VALID": status.FAILED_PRECONDITION,
  "PRICING.COUPON_EXPIRED": status.FAILED_PRECONDITION,
  "PRICING.COUPON_MIN_DURATION": status.FAILED_PRECONDITION,
  "PRICING.COUPON_CAR_CLASS": status.FAILED_PRECONDITION,
  "PRICING.DELIVERY_UNAVAILABLE": status.FAILED_PRECONDITION,
  "PRICING.ALREADY_SETTLED": status.FAILED_PRECONDITION,
  "PRICING.MARKET_TAKEN": status.FAILED_PRECONDITION,
  "PRICING.UNAUTHENTICATED": status.UNAUTHENTICATED,
};

/** How many field problems a message lists before it summarises the rest. */
const LISTED_ISSUES = 20;

export function toGrpcError(error: DomainError): ServiceError {
  const code = STATUS_OF_CODE[error.code] ?? status.INVALID_ARGUMENT;
  const issues = error.issues;
  let message = error.message;
  if (issues.length > 1) {
    const listed = issues.slice(0, LISTED_ISSUES).map((i) => `${i.field}: ${i.message}`);
    const more = issues.length > LISTED_ISSUES ? `; … ${issues.length - LISTED_ISSUES} more` : "";
    message = `${issues.length} problems: ${listed.join("; ")}${more}`;
  }
  const first = issues[0];
  return grpcError(code, error.code, message, first === undefined ? {} : { field: first.field });
}

import { DomainError } from "@carfare/kit";

/**
 * Every refusal of the damage-waiver context, one class per stable code (spec/damage-waiver.md §5). The HTTP
 * adapter maps each code to its status in one place; nothing here knows about HTTP.
 */
export class InvalidRequestError extends DomainError {
  readonly code = "WAIVER.INVALID_REQUEST";
}
export class MalformedJsonError extends DomainError {
  readonly code = "WAIVER.MALFORMED_JSON";
}
export class InvalidPeriodError extends DomainError {
  readonly code = "WAIVER.INVALID_PERIOD";
}
export class IdempotencyKeyRequiredError extends DomainError {
  readonly code = "WAIVER.IDEMPOTENCY_KEY_REQUIRED";
}
export class InvalidPolicyError extends DomainError {
  readonly code = "WAIVER.INVALID_POLICY";
}
export class UnauthenticatedError extends DomainError {
  readonly code = "WAIVER.UNAUTHENTICATED";
}
export class PolicyNotFoundError extends DomainError {
  readonly code = "WAIVER.POLICY_NOT_FOUND";
}
export class IncidentNotFoundError extends DomainError {
  readonly code = "WAIVER.INCIDENT_NOT_FOUND";
}
export class IllegalTransitionError extends DomainError {
  readonly code = "WAIVER.ILLEGAL_TRANSITION";
}
export class VersionMismatchError extends DomainError {
  readonly code = "WAIVER.VERSION_MISMATCH";
}
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = "WAIVER.UNSUPPORTED_MEDIA_TYPE";
}
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = "WAIVER.IDEMPOTENCY_KEY_REUSED";
}
export class UnknownProductError extends DomainError {
  readonly code = "WAIVER.UNKNOWN_PRODUCT";
}
export class ResolutionAboveChargeError extends DomainError {
  readonly code = "WAIVER.RESOLUTION_ABOVE_CHARGE";
}
export class PolicyMarketTakenError extends DomainError {
  readonly code = "WAIVER.POLICY_MARKET_TAKEN";
}

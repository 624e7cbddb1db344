import { DomainError } from "@carfare/kit";

/**
 * Every refusal of the pricing context, one class per stable code (spec/pricing.md §8). The README's error
 * catalog lists these codes and a test keeps the two in step; the gRPC adapter maps them to statuses.
 */
export class InvalidRequestError extends DomainError {
  readonly code = "PRICING.INVALID_REQUEST";
}
export class InvalidPeriodError extends DomainError {
  readonly code = "PRICING.INVALID_PERIOD";
}
export class InvalidReturnError extends DomainError {
  readonly code = "PRICING.INVALID_RETURN";
}
export class UnknownMemberTierError extends DomainError {
  readonly code = "PRICING.UNKNOWN_MEMBER_TIER";
}
export class BadQuoteTokenError extends DomainError {
  readonly code = "PRICING.BAD_QUOTE_TOKEN";
}
export class InvalidTariffError extends DomainError {
  readonly code = "PRICING.INVALID_TARIFF";
}
export class InvalidCouponError extends DomainError {
  readonly code = "PRICING.INVALID_COUPON";
}
export class TariffNotFoundError extends DomainError {
  readonly code = "PRICING.TARIFF_NOT_FOUND";
}
export class CarModelNotFoundError extends DomainError {
  readonly code = "PRICING.CAR_MODEL_NOT_FOUND";
}
export class CouponNotFoundError extends DomainError {
  readonly code = "PRICING.COUPON_NOT_FOUND";
}
export class CouponNotYetValidError extends DomainError {
  readonly code = "PRICING.COUPON_NOT_YET_VALID";
}
export class CouponExpiredError extends DomainError {
  readonly code = "PRICING.COUPON_EXPIRED";
}
export class CouponMinDurationError extends DomainError {
  readonly code = "PRICING.COUPON_MIN_DURATION";
}
export class CouponCarClassError extends DomainError {
  readonly code = "PRICING.COUPON_CAR_CLASS";
}
export class DeliveryUnavailableError extends DomainError {
  readonly code = "PRICING.DELIVERY_UNAVAILABLE";
}
export class AlreadySettledError extends DomainError {
  readonly code = "PRICING.ALREADY_SETTLED";
}
export class MarketTakenError extends DomainError {
  readonly code = "PRICING.MARKET_TAKEN";
}
export class UnauthenticatedError extends DomainError {
  readonly code = "PRICING.UNAUTHENTICATED";
}

export type CouponRefusal =
  | CouponNotFoundError
  | CouponNotYetValidError
  | CouponExpiredError
  | CouponMinDurationError
  | CouponCarClassError;

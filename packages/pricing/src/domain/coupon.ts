import type { CarClass } from "./tariff.js";

/** A discount code of one market (spec §5). `code` is stored upper-case; lookups are case-insensitive. */
export type Coupon = PercentCoupon | FixedCoupon;

interface CouponBase {
  readonly code: string;
  readonly market: string;
  /** The rental's startAt must lie in [validFrom, validUntil). */
  readonly validFrom: Date;
  readonly validUntil: Date;
  /** Shortest rental (minutes) the coupon applies to; 0 = any. */
  readonly minMinutes: number;
  /** Car classes the coupon applies to; empty = all. */
  readonly carClasses: readonly CarClass[];
}

export interface PercentCoupon extends CouponBase {
  readonly kind: "PERCENT";
  readonly percent: number;
  /** Most the coupon takes off; 0 = no cap. */
  readonly maxDiscount: number;
}

export interface FixedCoupon extends CouponBase {
  readonly kind: "FIXED";
  readonly amount: number;
}

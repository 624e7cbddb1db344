import { err, type FieldIssue, isValidAmount, MAX_INPUT_AMOUNT, ok, type Result } from "@carfare/kit";
import { CAR_CLASSES, type CarClass } from "./tariff.js";

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

/** A coupon as an administrator submits it, before validation (wire zeros and empties mean "not given"). */
export interface CouponInput {
  readonly code: string;
  readonly market: string;
  readonly kind: string;
  readonly percent: number;
  readonly maxDiscount: number;
  readonly amount: number;
  readonly validFrom?: Date;
  readonly validUntil?: Date;
  readonly minMinutes: number;
  readonly carClasses: readonly string[];
}

const CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;

/**
 * Checks a submitted coupon against spec §5 and returns it normalised (code upper-case), or every problem
 * found. `roundingIncrement` is that of the market's tariff: amounts must be multiples of it.
 */
export function validateCoupon(input: CouponInput, roundingIncrement: number): Result<Coupon, FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const code = input.code.trim().toUpperCase();
  if (!CODE_PATTERN.test(code))
    issues.push({ field: "code", message: "1–64 letters, digits, _ or -, starting with a letter or digit" });
  if (input.market === "") issues.push({ field: "market", message: "required" });
  const money = (field: string, value: number) => {
    if (!isValidAmount(value)) issues.push({ field, message: `must be a whole amount from 0 to ${MAX_INPUT_AMOUNT}` });
    else if (value % roundingIncrement !== 0)
      issues.push({ field, message: `must be a multiple of the rounding increment ${roundingIncrement}` });
  };
  if (input.kind === "PERCENT") {
    if (!Number.isInteger(input.percent) || input.percent < 1 || input.percent > 100)
      issues.push({ field: "percent", message: "must be 1–100" });
    money("max_discount", input.maxDiscount);
    if (input.amount !== 0) issues.push({ field: "amount", message: "only a FIXED coupon has an amount" });
  } else if (input.kind === "FIXED") {
    money("amount", input.amount);
    if (input.amount === 0) issues.push({ field: "amount", message: "a FIXED coupon needs an amount above 0" });
    if (input.percent !== 0) issues.push({ field: "percent", message: "only a PERCENT coupon has a percent" });
    if (input.maxDiscount !== 0)
      issues.push({ field: "max_discount", message: "only a PERCENT coupon has a max_discount" });
  } else {
    issues.push({ field: "kind", message: "must be PERCENT or FIXED" });
  }
  const validFrom = input.validFrom;
  const validUntil = input.validUntil;
  if (validFrom === undefined) issues.push({ field: "valid_from", message: "required" });
  if (validUntil === undefined) issues.push({ field: "valid_until", message: "required" });
  if (validFrom !== undefined && validUntil !== undefined && validFrom.getTime() >= validUntil.getTime()) {
    issues.push({ field: "valid_until", message: "must be later than valid_from" });
  }
  if (!Number.isSafeInteger(input.minMinutes) || input.minMinutes < 0)
    issues.push({ field: "min_minutes", message: "must be a whole number ≥ 0" });
  const classes: CarClass[] = [];
  input.carClasses.forEach((carClass, i) => {
    if (!(CAR_CLASSES as readonly string[]).includes(carClass))
      issues.push({ field: `car_classes[${i}]`, message: `unknown car class "${carClass}"` });
    else if (classes.includes(carClass as CarClass))
      issues.push({ field: `car_classes[${i}]`, message: `${carClass} is listed twice` });
    else classes.push(carClass as CarClass);
  });
  if (issues.length > 0 || validFrom === undefined || validUntil === undefined) return err(issues);

  const base = { code, market: input.market, validFrom, validUntil, minMinutes: input.minMinutes, carClasses: classes };
  return ok(
    input.kind === "PERCENT"
      ? { ...base, kind: "PERCENT", percent: input.percent, maxDiscount: input.maxDiscount }
      : { ...base, kind: "FIXED", amount: input.amount },
  );
}

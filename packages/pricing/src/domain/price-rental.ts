import { err, ok, percentFloorTo, type Result } from "@carfare/kit";
import { type CompiledCarModel, type CompiledTariff, deliveryFee, distanceFee } from "./compiled-tariff.js";
import type { Coupon } from "./coupon.js";
import {
  CouponCarClassError,
  CouponExpiredError,
  CouponMinDurationError,
  CouponNotFoundError,
  CouponNotYetValidError,
  type CouponRefusal,
  DeliveryUnavailableError,
  InvalidPeriodError,
  UnknownMemberTierError,
} from "./pricing-errors.js";
import type { PriceLine, QuoteLineCode, RentalPrice } from "./quote.js";
import { explainRentalFee, rentalFee } from "./rental-fee.js";

/** The options of a rental to price, once the tariff version and car model have been found. */
export interface PricingOptions {
  readonly startAt: Date;
  readonly endAt: Date;
  readonly memberTier?: string;
  /** The code the customer gave ("" or absent: none) and the coupon found under it, if any. */
  readonly couponCode?: string;
  readonly coupon?: Coupon;
  readonly delivery?: boolean;
  readonly estimatedKm?: number;
  readonly explain?: boolean;
}

export type PricingRefusal = InvalidPeriodError | UnknownMemberTierError | CouponRefusal | DeliveryUnavailableError;

/** A rental period checked against the tariff's billing rules, in UTC minutes on the unit grid. */
export interface BillingPeriod {
  readonly startMinute: number;
  readonly endMinute: number;
  readonly durationMinutes: number;
}

/** Spec §3.1: both ends on the unit grid since the epoch, duration within [minimum, maximum]. */
export function checkPeriod(
  tariff: CompiledTariff,
  startAt: Date,
  endAt: Date,
): Result<BillingPeriod, InvalidPeriodError> {
  const unitMs = tariff.unitMinutes * 60_000;
  const start = startAt.getTime();
  const end = endAt.getTime();
  if (start % unitMs !== 0) {
    return err(
      new InvalidPeriodError(`start_at must be a whole multiple of ${tariff.unitMinutes} minutes (no seconds)`, [
        { field: "start_at", message: "not on the billing-unit grid" },
      ]),
    );
  }
  if (end % unitMs !== 0) {
    return err(
      new InvalidPeriodError(`end_at must be a whole multiple of ${tariff.unitMinutes} minutes (no seconds)`, [
        { field: "end_at", message: "not on the billing-unit grid" },
      ]),
    );
  }
  const durationMinutes = (end - start) / 60_000;
  if (durationMinutes < tariff.minimumMinutes) {
    return err(
      new InvalidPeriodError(
        `the rental must last at least ${tariff.minimumMinutes} minutes (end_at − start_at is ${durationMinutes})`,
        [{ field: "end_at", message: "rental shorter than the minimum" }],
      ),
    );
  }
  if (durationMinutes > tariff.maximumMinutes) {
    return err(
      new InvalidPeriodError(
        `the rental may last at most ${tariff.maximumMinutes} minutes (end_at − start_at is ${durationMinutes})`,
        [{ field: "end_at", message: "rental longer than the maximum" }],
      ),
    );
  }
  return ok({ startMinute: start / 60_000, endMinute: end / 60_000, durationMinutes });
}

/**
 * Prices one rental by the rules of spec §3 steps 1–10 on a compiled tariff version. Pure: the caller has
 * already chosen the version in effect, found the car model and looked the coupon up.
 */
export function priceRental(
  tariff: CompiledTariff,
  car: CompiledCarModel,
  options: PricingOptions,
): Result<RentalPrice, PricingRefusal> {
  const period = checkPeriod(tariff, options.startAt, options.endAt);
  if (!period.ok) return period;
  const { startMinute, endMinute, durationMinutes } = period.value;
  const doc = tariff.document;
  const increment = tariff.increment;

  let explanation: RentalPrice["explanation"];
  let rental: number;
  if (options.explain === true) {
    const explained = explainRentalFee(tariff, car, startMinute, endMinute);
    rental = explained.fee;
    explanation = explained.windows;
  } else {
    rental = rentalFee(tariff, car, startMinute, endMinute);
  }

  let longRentalPercent = 0;
  for (const tier of doc.longRentalDiscounts) {
    if (durationMinutes >= tier.minHours * 60) longRentalPercent = tier.percent;
  }
  const longRental = percentFloorTo(rental, longRentalPercent, increment);

  let member = 0;
  const tier = options.memberTier ?? "";
  if (tier !== "") {
    const percent = tariff.memberDiscounts.get(tier);
    if (percent === undefined) {
      return err(
        new UnknownMemberTierError(`member tier "${tier}" does not exist in tariff ${doc.id}`, [
          { field: "member_tier", message: "unknown member tier" },
        ]),
      );
    }
    member = percentFloorTo(rental - longRental, percent, increment);
  }

  let coupon = 0;
  const couponCode = options.couponCode ?? "";
  if (couponCode !== "") {
    const base = rental - longRental - member;
    const applied = applyCoupon(options.coupon, couponCode, car, options.startAt, durationMinutes, base, increment);
    if (!applied.ok) return applied;
    coupon = applied.value;
  }

  let delivery = 0;
  if (options.delivery === true) {
    if (doc.delivery === undefined) {
      return err(
        new DeliveryUnavailableError(`market ${doc.market} offers no delivery`, [
          { field: "delivery", message: "delivery unavailable" },
        ]),
      );
    }
    delivery = deliveryFee(doc.delivery, durationMinutes);
  }

  const km = options.estimatedKm;
  const distance = km === undefined ? 0 : distanceFee(car.model.distanceRates, km, increment);

  const dueAtBooking = rental - longRental - member - coupon + delivery;
  const lines: PriceLine<QuoteLineCode>[] = [];
  if (rental !== 0) lines.push({ code: "RENTAL_FEE", label: "Rental fee", amount: rental });
  if (longRental !== 0) {
    lines.push({
      code: "LONG_RENTAL_DISCOUNT",
      label: `Long-rental discount (${longRentalPercent} %)`,
      amount: -longRental,
    });
  }
  if (member !== 0) lines.push({ code: "MEMBER_DISCOUNT", label: `Member discount (${tier})`, amount: -member });
  if (coupon !== 0)
    lines.push({ code: "COUPON_DISCOUNT", label: `Coupon ${couponCode.toUpperCase()}`, amount: -coupon });
  if (delivery !== 0) lines.push({ code: "DELIVERY_FEE", label: "Delivery fee", amount: delivery });
  if (distance !== 0)
    lines.push({ code: "DISTANCE_FEE_ESTIMATE", label: `Distance fee estimate (${km} km)`, amount: distance });

  return ok({
    rentalFee: rental,
    longRentalDiscount: longRental,
    memberDiscount: member,
    couponDiscount: coupon,
    deliveryFee: delivery,
    distanceFeeEstimate: distance,
    dueAtBooking,
    estimatedAfterReturn: distance,
    totalEstimate: dueAtBooking + distance,
    lines,
    ...(explanation === undefined ? {} : { explanation }),
  });
}

/** Spec §5: the coupon's refusals in their order, then its discount on `base`. */
function applyCoupon(
  coupon: Coupon | undefined,
  code: string,
  car: CompiledCarModel,
  startAt: Date,
  durationMinutes: number,
  base: number,
  increment: number,
): Result<number, CouponRefusal> {
  const field = [{ field: "coupon_code", message: "coupon not applicable" }];
  if (coupon === undefined) {
    return err(
      new CouponNotFoundError(`coupon ${code.toUpperCase()} does not exist in this market`, [
        { field: "coupon_code", message: "unknown coupon" },
      ]),
    );
  }
  if (startAt.getTime() < coupon.validFrom.getTime()) {
    return err(
      new CouponNotYetValidError(
        `coupon ${coupon.code} is valid for rentals starting from ${coupon.validFrom.toISOString()}`,
        field,
      ),
    );
  }
  if (startAt.getTime() >= coupon.validUntil.getTime()) {
    return err(
      new CouponExpiredError(
        `coupon ${coupon.code} was valid for rentals starting before ${coupon.validUntil.toISOString()}`,
        field,
      ),
    );
  }
  if (durationMinutes < coupon.minMinutes) {
    return err(
      new CouponMinDurationError(
        `coupon ${coupon.code} needs a rental of at least ${coupon.minMinutes} minutes`,
        field,
      ),
    );
  }
  if (coupon.carClasses.length > 0 && !coupon.carClasses.includes(car.model.class)) {
    return err(
      new CouponCarClassError(
        `coupon ${coupon.code} applies to ${coupon.carClasses.join(", ")}, not ${car.model.class}`,
        field,
      ),
    );
  }
  if (coupon.kind === "FIXED") return ok(Math.min(coupon.amount, base));
  const discount = percentFloorTo(base, coupon.percent, increment);
  return ok(coupon.maxDiscount === 0 ? discount : Math.min(discount, coupon.maxDiscount));
}

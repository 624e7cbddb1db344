import { err, ok, type Result } from "@carfare/kit";
import { type Coupon, type CouponInput, validateCoupon } from "../domain/coupon.js";
import { InvalidCouponError, TariffNotFoundError } from "../domain/pricing-errors.js";
import type { CouponBook } from "./coupon-book.js";
import type { Clock, CouponRepository } from "./ports.js";
import type { TariffCatalog } from "./tariff-catalog.js";

export interface PutCouponDeps {
  readonly coupons: CouponRepository;
  readonly book: CouponBook;
  readonly catalog: TariffCatalog;
  readonly clock: Clock;
}

/**
 * PutCoupon use case (spec §5): creates or replaces the coupon (market, code). Amounts are checked against
 * the rounding increment of the market's newest tariff version, so a market needs a tariff first.
 */
export async function putCoupon(
  deps: PutCouponDeps,
  input: CouponInput,
  putBy: string,
): Promise<Result<Coupon, InvalidCouponError | TariffNotFoundError>> {
  const tariff = input.market === "" ? undefined : deps.catalog.newestOfMarket(input.market);
  if (input.market !== "" && tariff === undefined) {
    return err(
      new TariffNotFoundError(`market "${input.market}" has no tariff; publish one before its coupons`, [
        { field: "market", message: "no tariff" },
      ]),
    );
  }
  const coupon = validateCoupon(input, tariff?.tariff.increment ?? 1);
  if (!coupon.ok) {
    const first = coupon.error[0];
    const summary = first === undefined ? "invalid coupon" : `${first.field}: ${first.message}`;
    const more = coupon.error.length > 1 ? ` (and ${coupon.error.length - 1} more)` : "";
    return err(new InvalidCouponError(`${summary}${more}`, coupon.error));
  }
  await deps.coupons.put(coupon.value, putBy, deps.clock.now());
  deps.book.put(coupon.value);
  return ok(coupon.value);
}

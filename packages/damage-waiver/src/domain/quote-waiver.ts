import { err, ok, percentFloorTo, type Result } from "@carfare/kit";
import { InvalidPeriodError } from "./waiver-errors.js";
import type { CarClass, ProductPrice, WaiverPolicyDocument, WaiverProduct } from "./waiver-policy.js";

/** The longest rental a waiver quote covers: 30 days. */
export const MAX_WAIVER_PERIOD_MINUTES = 30 * 24 * 60;

const WINDOW_MINUTES = 24 * 60;

/** What a waiver quote is asked for, once the policy in effect for the market has been found. */
export interface WaiverQuoteRequest {
  readonly carClass: CarClass;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly driverAge: number;
  readonly licenseYears: number;
}

/** Why a driver may not buy a product; the age is checked first. */
export type IneligibleReason = "DRIVER_TOO_YOUNG" | "LICENSE_TOO_NEW";

/** One product offered with the rental: its fee, and whether this driver may buy it. */
export interface WaiverOption {
  readonly productCode: string;
  readonly name: string;
  /** Present for CAPPED products: the most the customer pays per accident. */
  readonly selfPayCap?: number;
  readonly fee: number;
  readonly eligible: boolean;
  readonly ineligibleReason?: IneligibleReason;
}

/**
 * Spec §2's period check: both ends on whole minutes, `startAt < endAt`, at most 30 days. Returns the
 * length in minutes.
 */
export function checkWaiverPeriod(startAt: Date, endAt: Date): Result<number, InvalidPeriodError> {
  const start = startAt.getTime();
  const end = endAt.getTime();
  for (const [field, at] of [
    ["startAt", start],
    ["endAt", end],
  ] as const) {
    if (!(at % 60_000 === 0)) {
      return err(
        new InvalidPeriodError(`${field} must be on a whole minute (no seconds)`, [
          { field, message: "not on a whole minute" },
        ]),
      );
    }
  }
  if (start >= end) {
    return err(
      new InvalidPeriodError("endAt must be later than startAt", [{ field: "endAt", message: "not after startAt" }]),
    );
  }
  const minutes = (end - start) / 60_000;
  if (minutes > MAX_WAIVER_PERIOD_MINUTES) {
    return err(
      new InvalidPeriodError(
        `the rental may last at most 30 days (${MAX_WAIVER_PERIOD_MINUTES} minutes), got ${minutes}`,
        [{ field: "endAt", message: "more than 30 days after startAt" }],
      ),
    );
  }
  return ok(minutes);
}

/**
 * The waiver fee of a rental of `minutes` before any surcharge (spec §2.1): 24-hour windows from the start,
 * the last possibly partial; each costs its started hours at the hourly price, but never more than the daily.
 *
 * @example waiverFee({ hourly: 1000, daily: 10000 }, 26 * 60) // 10,000 + min(2 · 1,000, 10,000) = 12,000
 */
export function waiverFee(price: ProductPrice, minutes: number): number {
  const fullWindows = Math.floor(minutes / WINDOW_MINUTES);
  const rest = minutes - fullWindows * WINDOW_MINUTES;
  const windowFee = (windowMinutes: number) => Math.min(Math.ceil(windowMinutes / 60) * price.hourly, price.daily);
  return fullWindows * windowFee(WINDOW_MINUTES) + (rest > 0 ? windowFee(rest) : 0);
}

/**
 * Prices every product the policy sells for the car class, in the policy's product order (spec §2): the
 * fee, the young-driver surcharge, and whether the driver is eligible. Products that are not sellable or
 * have no price for the class are left out, so a class without prices gets no options.
 */
export function quoteWaiver(
  policy: WaiverPolicyDocument,
  request: WaiverQuoteRequest,
): Result<WaiverOption[], InvalidPeriodError> {
  const period = checkWaiverPeriod(request.startAt, request.endAt);
  if (!period.ok) return period;
  const minutes = period.value;
  const pricesOfClass = policy.prices[request.carClass] ?? {};
  const young = policy.youngDriver !== undefined && request.driverAge < policy.youngDriver.underAge;
  const options: WaiverOption[] = [];
  for (const product of policy.products) {
    if (!product.sellable || !Object.hasOwn(pricesOfClass, product.code)) continue;
    const price = pricesOfClass[product.code] as ProductPrice;
    let fee = waiverFee(price, minutes);
    if (young && policy.youngDriver !== undefined) {
      fee += percentFloorTo(fee, policy.youngDriver.surchargePercent, policy.roundingIncrement);
    }
    const reason = ineligibility(product, request);
    options.push({
      productCode: product.code,
      name: product.name,
      ...(product.model === "CAPPED" ? { selfPayCap: product.selfPayCap } : {}),
      fee,
      eligible: reason === undefined,
      ...(reason === undefined ? {} : { ineligibleReason: reason }),
    });
  }
  return ok(options);
}

function ineligibility(product: WaiverProduct, request: WaiverQuoteRequest): IneligibleReason | undefined {
  if (request.driverAge < product.minDriverAge) return "DRIVER_TOO_YOUNG";
  if (request.licenseYears < product.minLicenseYears) return "LICENSE_TOO_NEW";
  return undefined;
}

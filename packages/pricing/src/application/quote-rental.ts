import { randomUUID } from "node:crypto";
import { err, ok, type Result } from "@carfare/kit";
import { type PricingRefusal, priceRental } from "../domain/price-rental.js";
import { CarModelNotFoundError, type InvalidRequestError, TariffNotFoundError } from "../domain/pricing-errors.js";
import type { Quote, RentalRequest } from "../domain/quote.js";
import type { CouponBook } from "./coupon-book.js";
import type { Clock, QuoteRecorder } from "./ports.js";
import type { QuoteTokens } from "./quote-token.js";
import { checkDistance, missingField } from "./request-checks.js";
import type { TariffCatalog } from "./tariff-catalog.js";

/** How long a quote may be booked (spec §3). Settlement is not limited by it. */
export const QUOTE_VALIDITY_MS = 15 * 60_000;

export interface QuoteRentalDeps {
  readonly catalog: TariffCatalog;
  readonly coupons: CouponBook;
  readonly tokens: QuoteTokens;
  readonly recorder: QuoteRecorder;
  readonly clock: Clock;
  readonly newId?: () => string;
}

export type QuoteRefusal = InvalidRequestError | TariffNotFoundError | CarModelNotFoundError | PricingRefusal;

/**
 * Quote use case (spec §3): picks the tariff version in effect now, prices the rental from memory, signs
 * the quote token and hands the quote to the recorder, which writes it later in a batch — so a quote never
 * waits on the database.
 */
export function quoteRental(deps: QuoteRentalDeps, request: RentalRequest): Result<Quote, QuoteRefusal> {
  const missing = missingField(request, ["market", "carModelId", "startAt", "endAt"]);
  if (missing !== undefined) return err(missing);
  const badKm = checkDistance("estimated_km", request.estimatedKm);
  if (badKm !== undefined) return err(badKm);

  const now = deps.clock.now();
  const entry = deps.catalog.inEffect(request.market, now);
  if (entry === undefined) {
    return err(
      new TariffNotFoundError(`no tariff is in effect for market "${request.market}"`, [
        { field: "market", message: "no tariff in effect" },
      ]),
    );
  }
  const { tariff, published } = entry;
  const car = tariff.carModels.get(request.carModelId);
  if (car === undefined) {
    return err(
      new CarModelNotFoundError(
        `car model "${request.carModelId}" is not in tariff ${published.tariffId} version ${published.version}`,
        [{ field: "car_model_id", message: "unknown car model" }],
      ),
    );
  }

  const couponCode = (request.couponCode ?? "").toUpperCase();
  const priced = priceRental(tariff, car, {
    startAt: request.startAt,
    endAt: request.endAt,
    ...(request.memberTier === undefined ? {} : { memberTier: request.memberTier }),
    couponCode,
    ...(couponCode === "" ? {} : { coupon: deps.coupons.find(request.market, couponCode) }),
    delivery: request.delivery === true,
    ...(request.estimatedKm === undefined ? {} : { estimatedKm: request.estimatedKm }),
    explain: request.explain === true,
  });
  if (!priced.ok) return priced;

  const price = priced.value;
  const expiresAt = new Date(now.getTime() + QUOTE_VALIDITY_MS);
  // Built field by field rather than by spreading: the quote is made on every search, and objects of one
  // fixed shape are markedly cheaper to create, sign and encode than spread-merged ones.
  const quote: Omit<Quote, "token"> & { token: string } = {
    quoteId: (deps.newId ?? randomUUID)(),
    market: request.market,
    carModelId: car.model.id,
    carClass: car.model.class,
    tariffId: published.tariffId,
    tariffVersion: published.version,
    currency: tariff.document.currency,
    startAt: request.startAt,
    endAt: request.endAt,
    memberTier: request.memberTier ?? "",
    couponCode,
    delivery: request.delivery === true,
    estimatedKm: request.estimatedKm,
    quotedAt: now,
    expiresAt,
    token: "",
    rentalFee: price.rentalFee,
    longRentalDiscount: price.longRentalDiscount,
    memberDiscount: price.memberDiscount,
    couponDiscount: price.couponDiscount,
    deliveryFee: price.deliveryFee,
    distanceFeeEstimate: price.distanceFeeEstimate,
    dueAtBooking: price.dueAtBooking,
    estimatedAfterReturn: price.estimatedAfterReturn,
    totalEstimate: price.totalEstimate,
    lines: price.lines,
    explanation: price.explanation,
  };
  quote.token = deps.tokens.sign(quote);
  deps.recorder.record(quote);
  return ok(quote);
}

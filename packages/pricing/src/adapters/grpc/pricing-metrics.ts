import { Counter, type Registry } from "@carfare/kit";
import type { Quote, Settlement } from "../../domain/quote.js";

/** What the gRPC adapter reports about the business it served (the pricing counters of /metrics). */
export interface PricingObserver {
  quoted(quote: Pick<Quote, "market" | "carClass">): void;
  settled(settlement: Pick<Settlement, "market">): void;
  /** A call refused with a domain error, by its stable code (`PRICING.COUPON_EXPIRED`). */
  refused(code: string): void;
}

/** Observes nothing: the default when no registry is given. */
export const IGNORE_PRICING: PricingObserver = { quoted: () => {}, settled: () => {}, refused: () => {} };

/**
 * The pricing business counters in `registry`:
 * `carfare_quotes_total{market,car_class}`, `carfare_settlements_total{market}` and
 * `carfare_pricing_refusals_total{code}` (every refusal, coupon refusals included, by `PRICING.*` code).
 * Label children are cached, so counting a quote allocates nothing after the first of its kind.
 */
export function createPricingMetrics(registry: Registry): PricingObserver {
  const quotes = new Counter({
    name: "carfare_quotes_total",
    help: "Quotes given, by market and car class.",
    labelNames: ["market", "car_class"],
    registers: [registry],
  });
  const settlements = new Counter({
    name: "carfare_settlements_total",
    help: "Rentals settled after return, by market.",
    labelNames: ["market"],
    registers: [registry],
  });
  const refusals = new Counter({
    name: "carfare_pricing_refusals_total",
    help: "Pricing calls refused with a domain error, by its code (PRICING.COUPON_EXPIRED, …).",
    labelNames: ["code"],
    registers: [registry],
  });
  const children = new Map<string, { inc(): void }>();
  const child = (key: string, make: () => { inc(): void }) => {
    let found = children.get(key);
    if (found === undefined) {
      found = make();
      children.set(key, found);
    }
    return found;
  };
  return {
    quoted: ({ market, carClass }) =>
      child(`q\u0000${market}\u0000${carClass}`, () => quotes.labels({ market, car_class: carClass })).inc(),
    settled: ({ market }) => child(`s\u0000${market}`, () => settlements.labels({ market })).inc(),
    refused: (code) => child(`r\u0000${code}`, () => refusals.labels({ code })).inc(),
  };
}

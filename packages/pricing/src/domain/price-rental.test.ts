import { describe, expect, it } from "vitest";
import { aTariff, compiled, referenceTariff, seoul } from "../../test/builders/tariff-builder.js";
import type { CompiledTariff } from "./compiled-tariff.js";
import type { Coupon } from "./coupon.js";
import { type PricingOptions, priceRental } from "./price-rental.js";
import type { TariffDocument } from "./tariff.js";

const reference = compiled();

function price(options: PricingOptions, tariff: CompiledTariff = reference, model = "sonata-dn8") {
  const car = tariff.carModels.get(model);
  if (car === undefined) throw new Error(`no model ${model}`);
  return priceRental(tariff, car, options);
}

function priced(options: PricingOptions, tariff?: CompiledTariff) {
  const result = price(options, tariff);
  if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function refusal(options: PricingOptions, tariff?: CompiledTariff) {
  const result = price(options, tariff);
  if (result.ok) throw new Error("expected a refusal");
  return result.error;
}

const workedExample: PricingOptions = {
  startAt: seoul("2026-11-28 10:00"),
  endAt: seoul("2026-11-29 12:00"),
  estimatedKm: 120,
};

describe("priceRental — the worked example of spec §3", () => {
  it("prices Sat 10:00 → Sun 12:00 on the Sonata at 103,310 due and 128,830 in total", () => {
    const quote = priced(workedExample);
    expect(quote.rentalFee).toBe(114_780);
    expect(quote.longRentalDiscount).toBe(11_470);
    expect(quote.dueAtBooking).toBe(103_310);
    expect(quote.distanceFeeEstimate).toBe(25_520);
    expect(quote.estimatedAfterReturn).toBe(25_520);
    expect(quote.totalEstimate).toBe(128_830);
    expect(quote.lines.map((l) => [l.code, l.amount])).toEqual([
      ["RENTAL_FEE", 114_780],
      ["LONG_RENTAL_DISCOUNT", -11_470],
      ["DISTANCE_FEE_ESTIMATE", 25_520],
    ]);
  });

  it("explains one capped 24-hour window and one partial window", () => {
    const quote = priced({ ...workedExample, explain: true });
    expect(quote.explanation).toEqual([
      {
        startAt: seoul("2026-11-28 10:00"),
        endAt: seoul("2026-11-29 10:00"),
        slotGroups: [
          { dayType: "WEEKEND", timeBand: "", slotPrice: 1590, count: 120 },
          { dayType: "WEEKEND", timeBand: "late-night", slotPrice: 1110, count: 24 },
        ],
        sum: 217_440,
        cap: 95_700,
        fee: 95_700,
      },
      {
        startAt: seoul("2026-11-29 10:00"),
        endAt: seoul("2026-11-29 12:00"),
        slotGroups: [{ dayType: "WEEKEND", timeBand: "", slotPrice: 1590, count: 12 }],
        sum: 19_080,
        cap: 95_700,
        fee: 19_080,
      },
    ]);
  });

  it("gives PASSPORT members 51,650 off and leaves 51,660 due", () => {
    const quote = priced({ ...workedExample, memberTier: "PASSPORT" });
    expect(quote.memberDiscount).toBe(51_650);
    expect(quote.dueAtBooking).toBe(51_660);
  });

  it("caps a weekday Tue 08:00 → Wed 08:00 (155,760 in slots) at 68,900, 62,010 due", () => {
    const quote = priced({ startAt: seoul("2026-11-24 08:00"), endAt: seoul("2026-11-25 08:00"), explain: true });
    expect(quote.explanation?.[0]?.sum).toBe(155_760);
    expect(quote.explanation?.[0]?.slotGroups).toEqual([
      { dayType: "WEEKDAY", timeBand: "", slotPrice: 1140, count: 120 },
      { dayType: "WEEKDAY", timeBand: "late-night", slotPrice: 790, count: 24 },
    ]);
    expect(quote.rentalFee).toBe(68_900);
    expect(quote.longRentalDiscount).toBe(6_890);
    expect(quote.dueAtBooking).toBe(62_010);
  });
});

describe("priceRental — day types", () => {
  it("prices Fri 18:00 → 20:00 as one weekday hour and one weekend hour (the weekend starts Fri 19:00)", () => {
    // 6 × 1,140 + 6 × 1,590
    expect(priced({ startAt: seoul("2026-11-27 18:00"), endAt: seoul("2026-11-27 20:00") }).rentalFee).toBe(16_380);
  });

  it("prices Sun 18:00 → 20:00 as one weekend hour and one weekday hour (the weekend ends Sun 19:00)", () => {
    expect(priced({ startAt: seoul("2026-11-29 18:00"), endAt: seoul("2026-11-29 20:00") }).rentalFee).toBe(16_380);
  });

  it("prices Fri 18:00 → Sun 20:00 across both edges: 95,700 + 95,700 + 16,380", () => {
    const quote = priced({ startAt: seoul("2026-11-27 18:00"), endAt: seoul("2026-11-29 20:00"), explain: true });
    // Window 0 (Fri 18:00 → Sat 18:00): 6 weekday slots, 114 weekend slots and 24 weekend late-night slots.
    expect(quote.explanation?.[0]?.sum).toBe(6 * 1140 + 114 * 1590 + 24 * 1110);
    expect(quote.explanation?.map((w) => w.fee)).toEqual([95_700, 95_700, 16_380]);
    expect(quote.rentalFee).toBe(207_780);
    expect(quote.longRentalDiscount).toBe(20_770);
    expect(quote.dueAtBooking).toBe(187_010);
  });

  it("prices a holiday like a weekend, from 19:00 the evening before", () => {
    // Christmas 2026 is a Friday; Thu 18:00 → 20:00 is one weekday hour and one holiday hour.
    expect(priced({ startAt: seoul("2026-12-24 18:00"), endAt: seoul("2026-12-24 20:00") }).rentalFee).toBe(16_380);
    expect(priced({ startAt: seoul("2026-12-25 10:00"), endAt: seoul("2026-12-25 12:00") }).rentalFee).toBe(19_080);
  });

  it("caps a window holding weekday and holiday slots at the higher daily rate", () => {
    const quote = priced({ startAt: seoul("2026-12-24 12:00"), endAt: seoul("2026-12-25 12:00"), explain: true });
    // 42 weekday slots, 78 holiday slots, 24 holiday late-night slots.
    expect(quote.explanation?.[0]?.sum).toBe(42 * 1140 + 78 * 1590 + 24 * 1110);
    expect(quote.explanation?.[0]?.cap).toBe(95_700);
    expect(quote.rentalFee).toBe(95_700);
  });

  it("prices a peak-season weekday like a weekend", () => {
    // Wed 2026-07-29 is inside the peak season 07-25 … 08-09.
    expect(priced({ startAt: seoul("2026-07-29 10:00"), endAt: seoul("2026-07-29 12:00") }).rentalFee).toBe(19_080);
  });
});

describe("priceRental — time bands and windows", () => {
  const nightTariff = compiled(aTariff({ timeBands: [{ name: "night", from: "22:00", to: "06:00", percent: 80 }] }));

  it("applies a band that wraps midnight on both sides of it (1,140 × 80 % floored = 910)", () => {
    expect(
      priced({ startAt: seoul("2026-11-24 21:00"), endAt: seoul("2026-11-24 23:00") }, nightTariff).rentalFee,
    ).toBe(6 * 1140 + 6 * 910);
    expect(
      priced({ startAt: seoul("2026-11-25 05:00"), endAt: seoul("2026-11-25 07:00") }, nightTariff).rentalFee,
    ).toBe(6 * 910 + 6 * 1140);
  });

  it("leaves a partial last window uncapped when its slots stay under the cap", () => {
    const quote = priced({ startAt: seoul("2026-11-24 08:00"), endAt: seoul("2026-11-25 11:00"), explain: true });
    expect(quote.explanation?.map((w) => [w.sum, w.fee])).toEqual([
      [155_760, 68_900],
      [18 * 1140, 18 * 1140],
    ]);
    expect(quote.rentalFee).toBe(68_900 + 20_520);
  });

  it("starts windows at startAt, not at midnight", () => {
    const quote = priced({ startAt: seoul("2026-11-24 13:10"), endAt: seoul("2026-11-25 13:20"), explain: true });
    expect(quote.explanation?.map((w) => w.startAt)).toEqual([seoul("2026-11-24 13:10"), seoul("2026-11-25 13:10")]);
    expect(quote.rentalFee).toBe(68_900 + 1140);
  });
});

describe("priceRental — period rules (§3.1)", () => {
  it.each([
    ["a start off the 10-minute grid", seoul("2026-11-24 10:05"), seoul("2026-11-24 12:00"), "start_at"],
    ["an end with seconds", seoul("2026-11-24 10:00"), new Date(seoul("2026-11-24 12:00").getTime() + 1000), "end_at"],
    ["a rental shorter than 30 minutes", seoul("2026-11-24 10:00"), seoul("2026-11-24 10:20"), "end_at"],
    ["a rental longer than 30 days", seoul("2026-11-01 10:00"), seoul("2026-12-01 10:10"), "end_at"],
    ["an end before the start", seoul("2026-11-24 12:00"), seoul("2026-11-24 10:00"), "end_at"],
  ])("refuses %s with PRICING.INVALID_PERIOD", (_name, startAt, endAt, field) => {
    const error = refusal({ startAt, endAt });
    expect(error.code).toBe("PRICING.INVALID_PERIOD");
    expect(error.issues[0]?.field).toBe(field);
  });

  it("accepts exactly 30 minutes and exactly 30 days", () => {
    expect(priced({ startAt: seoul("2026-11-24 10:00"), endAt: seoul("2026-11-24 10:30") }).rentalFee).toBe(3420);
    expect(priced({ startAt: seoul("2026-11-01 10:00"), endAt: seoul("2026-12-01 10:00") }).rentalFee).toBeGreaterThan(
      0,
    );
  });
});

describe("priceRental — discounts, coupons, delivery (§3.6–§3.10, §5)", () => {
  const weekday72h = { startAt: seoul("2026-11-24 08:00"), endAt: seoul("2026-11-27 08:00") };

  it("takes 20 % off from 72 hours and 10 % just below", () => {
    const quote = priced(weekday72h);
    expect(quote.rentalFee).toBe(3 * 68_900);
    expect(quote.longRentalDiscount).toBe(41_340);
    const shorter = priced({ ...weekday72h, endAt: seoul("2026-11-27 07:50") });
    expect(shorter.longRentalDiscount).toBe(floor10((2 * 68_900 + 68_900) * 0.1));
  });

  it("gives no long-rental discount under 24 hours", () => {
    expect(priced({ startAt: seoul("2026-11-24 08:00"), endAt: seoul("2026-11-25 07:50") }).longRentalDiscount).toBe(0);
  });

  it("refuses an unknown member tier (names are case-sensitive)", () => {
    expect(refusal({ ...workedExample, memberTier: "passport" }).code).toBe("PRICING.UNKNOWN_MEMBER_TIER");
  });

  const coupon = (overrides: Partial<Coupon> = {}): Coupon =>
    ({
      code: "WELCOME10",
      market: "kr",
      kind: "PERCENT",
      percent: 10,
      maxDiscount: 0,
      validFrom: new Date("2026-11-01T00:00:00Z"),
      validUntil: new Date("2026-12-01T00:00:00Z"),
      minMinutes: 0,
      carClasses: [],
      ...overrides,
    }) as Coupon;
  const withCoupon = (c: Coupon | undefined, code = "welcome10") => ({ ...workedExample, couponCode: code, coupon: c });

  it("takes a percentage of what is left after the other discounts, floored to 10 won", () => {
    // base = 114,780 − 11,470 = 103,310; 10 % = 10,331 → 10,330
    const quote = priced(withCoupon(coupon()));
    expect(quote.couponDiscount).toBe(10_330);
    expect(quote.dueAtBooking).toBe(92_980);
    expect(quote.lines.find((l) => l.code === "COUPON_DISCOUNT")?.amount).toBe(-10_330);
  });

  it("caps a percentage coupon at its maxDiscount", () => {
    expect(priced(withCoupon(coupon({ maxDiscount: 5000 } as Partial<Coupon>))).couponDiscount).toBe(5000);
  });

  it("never takes a fixed coupon beyond what is left", () => {
    const fixed = (amount: number) => coupon({ kind: "FIXED", amount } as Partial<Coupon>);
    expect(priced(withCoupon(fixed(3000))).couponDiscount).toBe(3000);
    const quote = priced(withCoupon(fixed(200_000)));
    expect(quote.couponDiscount).toBe(103_310);
    expect(quote.dueAtBooking).toBe(0);
  });

  it.each([
    ["an unknown code", undefined, "PRICING.COUPON_NOT_FOUND"],
    ["a coupon not valid yet", coupon({ validFrom: new Date("2026-11-28T01:00:01Z") }), "PRICING.COUPON_NOT_YET_VALID"],
    ["an expired coupon", coupon({ validUntil: new Date("2026-11-28T01:00:00Z") }), "PRICING.COUPON_EXPIRED"],
    ["a rental shorter than the coupon's minimum", coupon({ minMinutes: 1570 }), "PRICING.COUPON_MIN_DURATION"],
    ["a car class the coupon excludes", coupon({ carClasses: ["LIGHT", "EV" as never] }), "PRICING.COUPON_CAR_CLASS"],
  ])("refuses %s", (_name, c, code) => {
    expect(refusal(withCoupon(c as Coupon | undefined)).code).toBe(code);
  });

  it("accepts a coupon whose window starts exactly at startAt and a rental exactly at its minimum", () => {
    const exact = coupon({ validFrom: workedExample.startAt, minMinutes: 1560, carClasses: ["MIDSIZE"] });
    expect(priced(withCoupon(exact)).couponDiscount).toBe(10_330);
  });

  it("checks the validity window before the minimum duration and the car class", () => {
    const everythingWrong = coupon({
      validUntil: new Date("2026-11-01T00:00:01Z"),
      minMinutes: 99_999,
      carClasses: ["LIGHT"],
    });
    expect(refusal(withCoupon(everythingWrong)).code).toBe("PRICING.COUPON_EXPIRED");
  });

  it("refuses an unknown member tier before looking at the coupon", () => {
    expect(refusal({ ...withCoupon(undefined), memberTier: "GOLD" }).code).toBe("PRICING.UNKNOWN_MEMBER_TIER");
  });

  it("charges 15,900 for delivery under 24 hours, nothing from 24 hours, and never discounts it", () => {
    const short = priced({
      startAt: seoul("2026-11-24 10:00"),
      endAt: seoul("2026-11-24 12:00"),
      delivery: true,
      memberTier: "PASSPORT",
    });
    expect(short.deliveryFee).toBe(15_900);
    expect(short.dueAtBooking).toBe(13_680 - 6840 + 15_900);
    expect(short.lines.map((l) => l.code)).toEqual(["RENTAL_FEE", "MEMBER_DISCOUNT", "DELIVERY_FEE"]);
    expect(priced({ ...workedExample, delivery: true }).deliveryFee).toBe(0);
  });

  it("refuses delivery in a market without delivery tiers", () => {
    const { delivery: _none, ...withoutDelivery } = referenceTariff();
    const error = refusal({ ...workedExample, delivery: true }, compiled(withoutDelivery as TariffDocument));
    expect(error.code).toBe("PRICING.DELIVERY_UNAVAILABLE");
  });

  it("estimates distance tier by tier: 100 × 220 + 20 × 176", () => {
    expect(priced(workedExample).distanceFeeEstimate).toBe(25_520);
    expect(priced({ ...workedExample, estimatedKm: 100 }).distanceFeeEstimate).toBe(22_000);
    expect(priced({ ...workedExample, estimatedKm: 0 }).lines.map((l) => l.code)).toEqual([
      "RENTAL_FEE",
      "LONG_RENTAL_DISCOUNT",
    ]);
  });
});

function floor10(x: number): number {
  return Math.floor(x / 10) * 10;
}

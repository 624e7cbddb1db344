import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateOf, timestamp } from "../support/pricing-client.js";
import {
  amountsOf,
  createPricingTestDatabase,
  KR_TARIFF_YAML,
  type PricingUnderTest,
  seoul,
  startPricingUnderTest,
  testClock,
  workedExample,
} from "./pricing-service-under-test.js";

// Coupons apply to base = R − long − member (spec §3.8); on the worked example base = 114,780 − 11,470 =
// 103,310, so 10 % is floorTo(10,331) = 10,330.
const VALIDITY = { validFrom: timestamp("2026-11-01T00:00:00Z"), validUntil: timestamp("2027-01-01T00:00:00Z") };

describe.each(databasesUnderTest())("Coupons through the API, on %s", (kind) => {
  let database: TestDatabase;
  let service: PricingUnderTest;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    service = await startPricingUnderTest({ database, clock: testClock("2026-11-25T09:00:00Z") });
    await service.publish(KR_TARIFF_YAML);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.close();
  });

  describe("a coupon put and then replaced", () => {
    it("When welcome10 is put as PERCENT 10 %, then it is stored and returned as WELCOME10", async () => {
      const stored = await service.putCoupon({
        code: "welcome10",
        market: "kr",
        kind: "PERCENT",
        percent: 10,
        ...VALIDITY,
      });

      expect({ ...stored, validFrom: dateOf(stored.validFrom), validUntil: dateOf(stored.validUntil) }).toEqual({
        code: "WELCOME10",
        market: "kr",
        kind: "PERCENT",
        percent: 10,
        maxDiscount: 0,
        amount: 0,
        validFrom: new Date("2026-11-01T00:00:00Z"),
        validUntil: new Date("2027-01-01T00:00:00Z"),
        minMinutes: 0,
        carClasses: [],
      });
    });

    it("When the worked example is quoted with coupon Welcome10, then 10,330 comes off and 92,980 is due", async () => {
      const quote = await service.quote(workedExample({ couponCode: "Welcome10" }));

      expect(amountsOf(quote.lines)).toEqual([
        ["RENTAL_FEE", 114_780],
        ["LONG_RENTAL_DISCOUNT", -11_470],
        ["COUPON_DISCOUNT", -10_330],
        ["DISTANCE_FEE_ESTIMATE", 25_520],
      ]);
      expect([quote.dueAtBooking, quote.totalEstimate]).toEqual([92_980, 118_500]);
    });

    it("When a PASSPORT member uses it, then 10 % of what is left after the member discount comes off", async () => {
      // base = 114,780 − 11,470 − 51,650 = 51,660; 10 % = 5,166 → 5,160.
      const quote = await service.quote(workedExample({ memberTier: "PASSPORT", couponCode: "welcome10" }));

      expect(quote.lines.find((line) => line.code === "COUPON_DISCOUNT")?.amount).toBe(-5_160);
      expect(quote.dueAtBooking).toBe(46_500);
    });

    it("When WELCOME10 is replaced by FIXED 3,000, then the next quote takes 3,000 off and one coupon row remains", async () => {
      const stored = await service.putCoupon({
        code: "WELCOME10",
        market: "kr",
        kind: "FIXED",
        amount: 3_000,
        ...VALIDITY,
      });

      const quote = await service.quote(workedExample({ couponCode: "Welcome10" }));

      expect([stored.kind, stored.amount, stored.percent]).toEqual(["FIXED", 3_000, 0]);
      expect(quote.lines.find((line) => line.code === "COUPON_DISCOUNT")?.amount).toBe(-3_000);
      expect(quote.dueAtBooking).toBe(100_310);
      const rows = await queryRows<{ kind: string; amount: string | null; revisions: number }>(
        database.db,
        sql`SELECT kind, amount::text AS amount,
                   (SELECT count(*)::int FROM pricing.coupon_revisions r WHERE r.market = c.market AND r.code = c.code) AS revisions
            FROM pricing.coupons c WHERE market = 'kr' AND code = 'WELCOME10'`,
      );
      expect(rows).toEqual([{ kind: "FIXED", amount: "3000", revisions: 2 }]);
    });
  });

  it("When a PERCENT coupon has a max_discount below its percentage, then the discount stops at max_discount", async () => {
    await service.putCoupon({
      code: "TEN-UPTO-5000",
      market: "kr",
      kind: "PERCENT",
      percent: 10,
      maxDiscount: 5_000,
      ...VALIDITY,
    });

    const quote = await service.quote(workedExample({ couponCode: "ten-upto-5000" }));

    expect(quote.lines.find((line) => line.code === "COUPON_DISCOUNT")?.amount).toBe(-5_000);
    expect(quote.dueAtBooking).toBe(98_310);
  });

  it("When a FIXED coupon exceeds the base, then it takes the base off and the delivery fee stays", async () => {
    await service.putCoupon({ code: "BIG", market: "kr", kind: "FIXED", amount: 1_000_000_000_000, ...VALIDITY });

    // Tue 09:00 → 12:00: 18 weekday slots at 1,140 = 20,520, delivery under 24 hours 15,900.
    const quote = await service.quote(
      workedExample({
        startAt: seoul("2026-12-01T09:00"),
        endAt: seoul("2026-12-01T12:00"),
        estimatedKm: undefined,
        delivery: true,
        couponCode: "BIG",
      }),
    );

    expect(amountsOf(quote.lines)).toEqual([
      ["RENTAL_FEE", 20_520],
      ["COUPON_DISCOUNT", -20_520],
      ["DELIVERY_FEE", 15_900],
    ]);
    expect(quote.dueAtBooking).toBe(15_900);
  });

  it("When a rental starts exactly at valid_from, lasts exactly min_minutes and is of a listed class, then the coupon applies", async () => {
    await service.putCoupon({
      code: "EXACT",
      market: "kr",
      kind: "FIXED",
      amount: 1_000,
      validFrom: seoul("2026-11-28T10:00"),
      validUntil: seoul("2026-11-28T10:10"),
      minMinutes: 26 * 60,
      carClasses: ["MIDSIZE", "SUV"],
    });

    const quote = await service.quote(workedExample({ couponCode: "exact" }));

    expect(quote.lines.find((line) => line.code === "COUPON_DISCOUNT")?.amount).toBe(-1_000);
  });
});

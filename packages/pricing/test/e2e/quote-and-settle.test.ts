import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateOf } from "../support/pricing-client.js";
import {
  amountsOf,
  countRows,
  createPricingTestDatabase,
  expectRefusal,
  KR_TARIFF_YAML,
  type PricingUnderTest,
  type QuoteMessage,
  seoul,
  startPricingUnderTest,
  testClock,
  UUID,
  workedExample,
} from "./pricing-service-under-test.js";

// Every amount below is one of spec/pricing.md's hand-checked numbers (§3 worked example, §4 example), or
// worked out the same way in the comment next to it, on kr.yaml, whose Sonata DN8 is the reference model.
const NOW = "2026-11-25T09:00:00.000Z";

describe.each(databasesUnderTest())("Quote and Settle through the API, on %s", (kind) => {
  let database: TestDatabase;
  let service: PricingUnderTest;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    service = await startPricingUnderTest({ database, clock: testClock(NOW) });
    await service.publish(KR_TARIFF_YAML);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.close();
  });

  describe("Quote", () => {
    it("When the worked example is quoted, then it carries the spec's lines and totals", async () => {
      const quote = await service.quote(workedExample());

      expect(amountsOf(quote.lines)).toEqual([
        ["RENTAL_FEE", 114_780],
        ["LONG_RENTAL_DISCOUNT", -11_470],
        ["DISTANCE_FEE_ESTIMATE", 25_520],
      ]);
      expect(quote.lines.every((line) => line.label.length > 0)).toBe(true);
      expect([quote.dueAtBooking, quote.estimatedAfterReturn, quote.totalEstimate]).toEqual([103_310, 25_520, 128_830]);
      expect([quote.tariffId, quote.tariffVersion, quote.currency]).toEqual(["kr-standard", 1, "KRW"]);
      expect(quote.explanation).toEqual([]);
    });

    it("When a quote is made, then it has a UUID, a token, and expires 15 minutes after the clock's now", async () => {
      const quote = await service.quote(workedExample());

      expect(quote.quoteId).toMatch(UUID);
      expect(quote.token.length).toBeGreaterThan(0);
      expect(dateOf(quote.expiresAt)?.toISOString()).toBe("2026-11-25T09:15:00.000Z");
      expect((await service.quote(workedExample())).quoteId).not.toBe(quote.quoteId);
    });

    it("When the worked example is quoted with explain, then each cap window shows its slot groups, sum, cap and fee", async () => {
      const quote = await service.quote(workedExample({ explain: true }));

      const windows = quote.explanation.map((w) => ({
        from: dateOf(w.startAt)?.toISOString(),
        to: dateOf(w.endAt)?.toISOString(),
        groups: w.slotGroups
          .map((g) => [g.dayType, g.timeBand, g.slotPrice, g.count])
          .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
        sum: w.sum,
        cap: w.cap,
        fee: w.fee,
      }));
      expect(windows).toEqual([
        {
          // Sat 10:00 → Sun 10:00 in Seoul: 120 weekend slots at 1,590 and 24 late-night ones at 1,110.
          from: "2026-11-28T01:00:00.000Z",
          to: "2026-11-29T01:00:00.000Z",
          groups: [
            ["WEEKEND", "", 1_590, 120],
            ["WEEKEND", "late-night", 1_110, 24],
          ],
          sum: 217_440,
          cap: 95_700,
          fee: 95_700,
        },
        {
          from: "2026-11-29T01:00:00.000Z",
          to: "2026-11-29T03:00:00.000Z",
          groups: [["WEEKEND", "", 1_590, 12]],
          sum: 19_080,
          cap: 95_700,
          fee: 19_080,
        },
      ]);
      expect(quote.dueAtBooking).toBe(103_310);
    });

    it("When a PASSPORT member quotes the worked example, then the member discount is 51,650 and 51,660 is due", async () => {
      const quote = await service.quote(workedExample({ memberTier: "PASSPORT" }));

      expect(amountsOf(quote.lines)).toEqual([
        ["RENTAL_FEE", 114_780],
        ["LONG_RENTAL_DISCOUNT", -11_470],
        ["MEMBER_DISCOUNT", -51_650],
        ["DISTANCE_FEE_ESTIMATE", 25_520],
      ]);
      expect([quote.dueAtBooking, quote.totalEstimate]).toEqual([51_660, 77_180]);
    });

    it("When a weekday Tue 08:00 → Wed 08:00 is quoted, then 155,760 of slots is capped at 68,900 and 62,010 is due", async () => {
      const quote = await service.quote(
        workedExample({ startAt: seoul("2026-12-01T08:00"), endAt: seoul("2026-12-02T08:00"), estimatedKm: undefined }),
      );

      expect(amountsOf(quote.lines)).toEqual([
        ["RENTAL_FEE", 68_900],
        ["LONG_RENTAL_DISCOUNT", -6_890],
      ]);
      expect([quote.dueAtBooking, quote.estimatedAfterReturn, quote.totalEstimate]).toEqual([62_010, 0, 62_010]);
    });

    it("When delivery is asked for a 3-hour weekday rental, then the under-24-hours delivery fee of 15,900 is added", async () => {
      // Tue 09:00 → 12:00: 18 weekday slots at 1,140 = 20,520; no long-rental discount under 24 hours.
      const quote = await service.quote(
        workedExample({
          startAt: seoul("2026-12-01T09:00"),
          endAt: seoul("2026-12-01T12:00"),
          delivery: true,
          estimatedKm: undefined,
        }),
      );

      expect(amountsOf(quote.lines)).toEqual([
        ["RENTAL_FEE", 20_520],
        ["DELIVERY_FEE", 15_900],
      ]);
      expect(quote.dueAtBooking).toBe(36_420);
    });

    it("When delivery is asked for the 26-hour worked example, then the open delivery tier costs 0 and shows no line", async () => {
      const quote = await service.quote(workedExample({ delivery: true }));

      expect(quote.lines.map((line) => line.code)).toEqual([
        "RENTAL_FEE",
        "LONG_RENTAL_DISCOUNT",
        "DISTANCE_FEE_ESTIMATE",
      ]);
      expect(quote.dueAtBooking).toBe(103_310);
    });

    it("When estimated_km is an explicit 0, then there is no distance line and the total is what is due", async () => {
      const quote = await service.quote(workedExample({ estimatedKm: 0 }));

      expect(quote.lines.map((line) => line.code)).toEqual(["RENTAL_FEE", "LONG_RENTAL_DISCOUNT"]);
      expect([quote.dueAtBooking, quote.estimatedAfterReturn, quote.totalEstimate]).toEqual([103_310, 0, 103_310]);
    });

    it("When 1,000,000 km (the most allowed) are estimated, then the estimate is 100·220 + 999,900·176", async () => {
      const quote = await service.quote(workedExample({ estimatedKm: 1_000_000 }));

      expect(quote.estimatedAfterReturn).toBe(176_004_400);
      expect(quote.totalEstimate).toBe(103_310 + 176_004_400);
    });
  });

  describe("Settle", () => {
    let workedQuote: QuoteMessage;
    const returnedSunday11 = seoul("2026-11-29T11:00");

    beforeAll(async () => {
      workedQuote = await service.quote(workedExample());
    });

    it("When the worked example's quote is returned at Sun 11:00 with 120 km, then 25,520 is due and 4,770 is credited", async () => {
      const settlement = await service.settle({
        token: workedQuote.token,
        returnedAt: returnedSunday11,
        drivenKm: 120,
      });

      expect(settlement.quoteId).toBe(workedQuote.quoteId);
      expect(settlement.currency).toBe("KRW");
      expect(amountsOf(settlement.lines)).toEqual([["DISTANCE_FEE", 25_520]]);
      expect(settlement.dueAfterReturn).toBe(25_520);
      // floorTo((114,780 − 105,240) · 50 %): the fee of Sat 10:00 → Sun 11:00 is 95,700 + 6 · 1,590.
      expect(amountsOf(settlement.credits)).toEqual([["EARLY_RETURN_CREDIT", 4_770]]);
    });

    it("When the settled quote is settled again with the same inputs, then the same settlement comes back and one is recorded", async () => {
      const request = { token: workedQuote.token, returnedAt: returnedSunday11, drivenKm: 120 };
      const first = await service.settle(request);

      const again = await service.settle(request);

      expect(again).toEqual(first);
      expect(await countRows(database, "settlements", workedQuote.quoteId)).toBe(1);
      expect(await countRows(database, "settlement_lines", workedQuote.quoteId)).toBe(2);
    });

    it("When the settled quote is settled with other inputs, then FAILED_PRECONDITION ALREADY_SETTLED and nothing changes", async () => {
      await service.settle({ token: workedQuote.token, returnedAt: returnedSunday11, drivenKm: 120 });

      for (const other of [
        { returnedAt: returnedSunday11, drivenKm: 121 },
        { returnedAt: seoul("2026-11-29T11:10"), drivenKm: 120 },
      ]) {
        await expectRefusal(service.settle({ token: workedQuote.token, ...other }), {
          status: "FAILED_PRECONDITION",
          reason: "PRICING.ALREADY_SETTLED",
          field: "token",
        });
      }
      expect(await countRows(database, "settlements", workedQuote.quoteId)).toBe(1);
      const unchanged = await service.settle({ token: workedQuote.token, returnedAt: returnedSunday11, drivenKm: 120 });
      expect(unchanged.dueAfterReturn).toBe(25_520);
    });

    it("When a weekday rental ending at noon is returned 40 minutes late, then the late-return fee is 10,000 + 2·4·1,140", async () => {
      const quote = await service.quote(
        workedExample({ startAt: seoul("2026-12-01T09:00"), endAt: seoul("2026-12-01T12:00"), estimatedKm: undefined }),
      );

      const settlement = await service.settle({
        token: quote.token,
        returnedAt: seoul("2026-12-01T12:40"),
        drivenKm: 30,
      });

      // Spec §4: lines come in the order of its rules, late return before distance.
      expect(amountsOf(settlement.lines)).toEqual([
        ["LATE_RETURN_FEE", 19_120],
        ["DISTANCE_FEE", 6_600],
      ]);
      expect(settlement.dueAfterReturn).toBe(25_720);
      expect(settlement.credits).toEqual([]);
    });

    it("When a rental is returned exactly on time with 0 km, then nothing is due and nothing credited", async () => {
      const quote = await service.quote(workedExample());

      const settlement = await service.settle({ token: quote.token, returnedAt: seoul("2026-11-29T12:00") });

      expect(settlement).toEqual({
        quoteId: quote.quoteId,
        currency: "KRW",
        lines: [],
        dueAfterReturn: 0,
        credits: [],
      });
      expect(await countRows(database, "settlements", quote.quoteId)).toBe(1);
    });

    it("When one quote is settled twice at once with different inputs, then one settlement is recorded and the other call does not override it", async () => {
      const quote = await service.quote(workedExample());
      const early = { token: quote.token, returnedAt: returnedSunday11, drivenKm: 120 };
      const onTime = { token: quote.token, returnedAt: seoul("2026-11-29T12:00"), drivenKm: 10 };

      const outcomes = await Promise.allSettled([service.settle(early), service.settle(onTime)]);

      const settled = outcomes.filter((o) => o.status === "fulfilled");
      expect(settled).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === "rejected");
      await expectRefusal(Promise.reject(refused?.reason), {
        status: "FAILED_PRECONDITION",
        reason: "PRICING.ALREADY_SETTLED",
      });
      expect(await countRows(database, "settlements", quote.quoteId)).toBe(1);
    });
  });
});

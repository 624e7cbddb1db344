import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countRows,
  createPricingTestDatabase,
  expectRefusal,
  KR_TARIFF_YAML,
  type PricingUnderTest,
  seoul,
  startPricingUnderTest,
  testClock,
  workedExample,
} from "./pricing-service-under-test.js";

// Every quote given is recorded for analysts in pricing.quotes and pricing.quote_lines, in batches written
// after the call returned; `recorder.flush()` waits for what is buffered. Refused quotes are not recorded.
const NOW = "2026-11-25T09:00:00.000Z";

/** An instant column as ISO text in UTC, whatever the session's TimeZone. */
const iso = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

describe.each(databasesUnderTest())("Recording quotes for analysts, on %s", (kind) => {
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

  it("When three quotes are made, then after a flush pricing.quotes holds three rows and quote_lines their nine lines", async () => {
    const worked = await service.quote(workedExample());
    const passport = await service.quote(workedExample({ memberTier: "PASSPORT" }));
    const weekday = await service.quote(
      workedExample({ startAt: seoul("2026-12-01T08:00"), endAt: seoul("2026-12-02T08:00"), estimatedKm: undefined }),
    );

    await service.running.recorder.flush();

    expect(await countRows(database, "quotes")).toBe(3);
    expect(await countRows(database, "quote_lines")).toBe(3 + 4 + 2);
    const [row] = await queryRows<Record<string, unknown>>(
      database.db,
      sql`SELECT market, tariff_id, tariff_version, car_model_id, car_class, currency, duration_minutes,
                 member_tier, coupon_code, delivery, estimated_km,
                 rental_fee::text, long_rental_discount::text, member_discount::text, coupon_discount::text,
                 delivery_fee::text, distance_fee_estimate::text, due_at_booking::text,
                 estimated_after_return::text, total_estimate::text,
                 ${iso("start_at")} AS start_at, ${iso("end_at")} AS end_at,
                 ${iso("quoted_at")} AS quoted_at, ${iso("expires_at")} AS expires_at
          FROM pricing.quotes WHERE quote_id = ${worked.quoteId}::uuid`,
    );
    expect(row).toEqual({
      market: "kr",
      tariff_id: "kr-standard",
      tariff_version: 1,
      car_model_id: "sonata-dn8",
      car_class: "MIDSIZE",
      currency: "KRW",
      duration_minutes: 26 * 60,
      member_tier: null,
      coupon_code: null,
      delivery: false,
      estimated_km: 120,
      rental_fee: "114780",
      long_rental_discount: "11470",
      member_discount: "0",
      coupon_discount: "0",
      delivery_fee: "0",
      distance_fee_estimate: "25520",
      due_at_booking: "103310",
      estimated_after_return: "25520",
      total_estimate: "128830",
      start_at: "2026-11-28T01:00:00.000Z",
      end_at: "2026-11-29T03:00:00.000Z",
      quoted_at: NOW,
      expires_at: "2026-11-25T09:15:00.000Z",
    });
    const lines = await queryRows<{
      quote_id: string;
      line_no: number;
      code: string;
      amount: string;
      currency: string;
    }>(
      database.db,
      sql`SELECT quote_id::text, line_no, code, amount::text, currency FROM pricing.quote_lines ORDER BY quote_id, line_no`,
    );
    const linesOf = (quoteId: string) =>
      lines.filter((line) => line.quote_id === quoteId).map((line) => [line.line_no, line.code, Number(line.amount)]);
    expect(linesOf(worked.quoteId)).toEqual([
      [1, "RENTAL_FEE", 114_780],
      [2, "LONG_RENTAL_DISCOUNT", -11_470],
      [3, "DISTANCE_FEE_ESTIMATE", 25_520],
    ]);
    expect(linesOf(passport.quoteId)).toEqual([
      [1, "RENTAL_FEE", 114_780],
      [2, "LONG_RENTAL_DISCOUNT", -11_470],
      [3, "MEMBER_DISCOUNT", -51_650],
      [4, "DISTANCE_FEE_ESTIMATE", 25_520],
    ]);
    expect(linesOf(weekday.quoteId)).toEqual([
      [1, "RENTAL_FEE", 68_900],
      [2, "LONG_RENTAL_DISCOUNT", -6_890],
    ]);
    expect(new Set(lines.map((line) => line.currency))).toEqual(new Set(["KRW"]));
  });

  it("When quotes are refused and a quote is settled, then no quote is recorded for them", async () => {
    await service.running.recorder.flush();
    const before = await countRows(database, "quotes");
    const quote = await service.quote(workedExample());
    await service.running.recorder.flush();

    await expectRefusal(service.quote(workedExample({ endAt: seoul("2026-11-28T10:20") })), {
      status: "INVALID_ARGUMENT",
      reason: "PRICING.INVALID_PERIOD",
    });
    await expectRefusal(service.quote(workedExample({ couponCode: "NO-SUCH-CODE" })), {
      status: "NOT_FOUND",
      reason: "PRICING.COUPON_NOT_FOUND",
    });
    await expectRefusal(service.quote(workedExample({ memberTier: "GOLD" })), {
      status: "INVALID_ARGUMENT",
      reason: "PRICING.UNKNOWN_MEMBER_TIER",
    });
    await service.settle({ token: quote.token, returnedAt: seoul("2026-11-29T12:00"), drivenKm: 120 });
    await service.running.recorder.flush();

    expect(await countRows(database, "quotes")).toBe(before + 1);
  });

  it("When many quotes are made at once, then every one is recorded once", async () => {
    await service.running.recorder.flush();
    const before = await countRows(database, "quotes");
    const linesBefore = await countRows(database, "quote_lines");

    const quotes = await Promise.all(Array.from({ length: 50 }, () => service.quote(workedExample())));
    await service.running.recorder.flush();

    expect(new Set(quotes.map((quote) => quote.quoteId)).size).toBe(50);
    expect(await countRows(database, "quotes")).toBe(before + 50);
    expect(await countRows(database, "quote_lines")).toBe(linesBefore + 50 * 3);
  });
});

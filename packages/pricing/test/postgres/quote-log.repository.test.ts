import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresQuoteLog } from "../../src/adapters/postgres/quote-log.repository.js";
import { BatchingQuoteRecorder } from "../../src/application/batching-quote-recorder.js";
import type { Quote } from "../../src/domain/quote.js";
import { aQuote, countRows, createPricingDatabase, emptyPricingTables } from "./pricing-test-data.js";

describe.each(databasesUnderTest())("PostgresQuoteLog on %s", (kind) => {
  let database: TestDatabase;
  let log: PostgresQuoteLog;

  beforeAll(async () => {
    database = await createPricingDatabase(kind);
    log = new PostgresQuoteLog(database.db);
  });
  afterAll(() => database.close());
  beforeEach(() => emptyPricingTables(database));

  it("records a batch of 500 quotes with their lines", async () => {
    const batch = Array.from({ length: 500 }, (_, i) => aQuote({ estimatedKm: i }));

    await log.append(batch.map((q) => log.entry(q)));

    expect(await countRows(database, "quotes")).toBe(500);
    expect(await countRows(database, "quote_lines")).toBe(1_500);
  });

  it("records every column of a quote, with no member tier or coupon as null", async () => {
    const quote = aQuote();

    await log.append([log.entry(quote)]);

    const [row] = await queryRows(
      database.db,
      sql`SELECT quote_id::text, quoted_at::text = '2026-11-25 09:00:00.123+00' AS quoted_at_ok, market,
                 tariff_id, tariff_version, car_model_id, car_class, currency,
                 start_at = '2026-11-28T01:00:00Z' AS start_at_ok, end_at = '2026-11-29T03:00:00Z' AS end_at_ok,
                 duration_minutes, member_tier, coupon_code, delivery, estimated_km,
                 rental_fee::int, long_rental_discount::int, member_discount::int, coupon_discount::int,
                 delivery_fee::int, distance_fee_estimate::int, due_at_booking::int, estimated_after_return::int,
                 total_estimate::int, expires_at = '2026-11-25T09:15:00.123Z' AS expires_at_ok
          FROM pricing.quotes`,
    );
    expect(row).toEqual({
      quote_id: quote.quoteId,
      quoted_at_ok: true,
      market: "kr",
      tariff_id: "kr-standard",
      tariff_version: 1,
      car_model_id: "sonata-dn8",
      car_class: "MIDSIZE",
      currency: "KRW",
      start_at_ok: true,
      end_at_ok: true,
      duration_minutes: 1_560,
      member_tier: null,
      coupon_code: null,
      delivery: false,
      estimated_km: 120,
      rental_fee: 114_780,
      long_rental_discount: 11_470,
      member_discount: 0,
      coupon_discount: 0,
      delivery_fee: 0,
      distance_fee_estimate: 25_520,
      due_at_booking: 103_310,
      estimated_after_return: 25_520,
      total_estimate: 128_830,
      expires_at_ok: true,
    });
    expect(
      await queryRows(
        database.db,
        sql`SELECT line_no, code, label, amount::int, currency FROM pricing.quote_lines ORDER BY line_no`,
      ),
    ).toEqual([
      { line_no: 1, code: "RENTAL_FEE", label: "Rental fee", amount: 114_780, currency: "KRW" },
      {
        line_no: 2,
        code: "LONG_RENTAL_DISCOUNT",
        label: "Long-rental discount (10%)",
        amount: -11_470,
        currency: "KRW",
      },
      {
        line_no: 3,
        code: "DISTANCE_FEE_ESTIMATE",
        label: "Distance fee estimate (120 km)",
        amount: 25_520,
        currency: "KRW",
      },
    ]);
  });

  it("records member tier, coupon, delivery and a missing distance estimate as given", async () => {
    const quote: Quote = aQuote({
      memberTier: "PASSPORT",
      couponCode: "WELCOME10",
      delivery: true,
      estimatedKm: undefined,
      lines: [{ code: "RENTAL_FEE", label: `Rental "fee", {odd} \\ label`, amount: 114_780 }],
    });

    await log.append([log.entry(quote)]);

    expect(
      await queryRows(database.db, sql`SELECT member_tier, coupon_code, delivery, estimated_km FROM pricing.quotes`),
    ).toEqual([{ member_tier: "PASSPORT", coupon_code: "WELCOME10", delivery: true, estimated_km: null }]);
    expect(await queryRows(database.db, sql`SELECT label FROM pricing.quote_lines`)).toEqual([
      { label: `Rental "fee", {odd} \\ label` },
    ]);
  });

  it("records a quote once when its batch is appended again (a retry)", async () => {
    const batch = [aQuote(), aQuote()];

    await log.append(batch.map((q) => log.entry(q)));
    await log.append([...batch, aQuote()].map((q) => log.entry(q)));

    expect(await countRows(database, "quotes")).toBe(3);
    expect(await countRows(database, "quote_lines")).toBe(9);
  });

  it("receives every quote of a BatchingQuoteRecorder that is closed", async () => {
    const recorder = new BatchingQuoteRecorder(log, { batchSize: 500 });

    for (let i = 0; i < 1_234; i += 1) recorder.record(aQuote());
    await recorder.close();

    expect([recorder.recorded, recorder.dropped]).toEqual([1_234, 0]);
    expect(await countRows(database, "quotes")).toBe(1_234);
  });

  it("does nothing for an empty batch", async () => {
    await log.append([]);

    expect(await countRows(database, "quotes")).toBe(0);
  });
});

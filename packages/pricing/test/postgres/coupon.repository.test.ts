import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresCouponRepository } from "../../src/adapters/postgres/coupon.repository.js";
import { PostgresTariffRepository } from "../../src/adapters/postgres/tariff.repository.js";
import type { Coupon } from "../../src/domain/coupon.js";
import {
  aPercentCoupon,
  countRows,
  createPricingDatabase,
  emptyPricingTables,
  malaysianTariff,
  referenceTariff,
} from "./pricing-test-data.js";

const monday = new Date("2026-11-23T00:00:00Z");
const tuesday = new Date("2026-11-24T00:00:00Z");

describe.each(databasesUnderTest())("PostgresCouponRepository on %s", (kind) => {
  let database: TestDatabase;
  let coupons: PostgresCouponRepository;

  beforeAll(async () => {
    database = await createPricingDatabase(kind);
    coupons = new PostgresCouponRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await emptyPricingTables(database);
    const tariffs = new PostgresTariffRepository(database.db);
    await tariffs.publish(referenceTariff(), "alice", monday);
    await tariffs.publish(malaysianTariff(), "alice", monday);
  });

  it("stores a put coupon and lists it as it was put", async () => {
    const coupon = aPercentCoupon({ carClasses: ["MIDSIZE", "SUV"], minMinutes: 60 });

    await coupons.put(coupon, "carol", monday);

    expect(await coupons.listAll()).toEqual([coupon]);
  });

  it("replaces the coupon of the same market and code, keeping every put in its history", async () => {
    await coupons.put(aPercentCoupon(), "carol", monday);
    const replacement: Coupon = { ...aPercentCoupon(), kind: "FIXED", amount: 5_000 } as Coupon;
    delete (replacement as { percent?: number }).percent;
    delete (replacement as { maxDiscount?: number }).maxDiscount;

    await coupons.put(replacement, "dave", tuesday);

    expect(await coupons.listAll()).toEqual([replacement]);
    const history = await coupons.listRevisions("kr", "welcome10");
    expect(history.map((h) => [h.coupon.kind, h.putBy, h.putAt])).toEqual([
      ["PERCENT", "carol", monday],
      ["FIXED", "dave", tuesday],
    ]);
    expect(await countRows(database, "coupons")).toBe(1);
  });

  it("keeps coupons with the same code in different markets apart", async () => {
    await coupons.put(aPercentCoupon(), "carol", monday);
    await coupons.put(aPercentCoupon({ market: "my", percent: 15 }), "carol", monday);

    const listed = await coupons.listAll();

    expect(listed.map((c) => [c.market, c.code, c.kind === "PERCENT" && c.percent])).toEqual([
      ["kr", "WELCOME10", 10],
      ["my", "WELCOME10", 15],
    ]);
  });

  it("stores codes upper-case and amounts in the currency of the market's tariff", async () => {
    await coupons.put(aPercentCoupon({ market: "my", code: "Raya5" }), "carol", monday);

    const [revision] = await coupons.listRevisions("my", "RAYA5");

    expect(revision?.coupon.code).toBe("RAYA5");
    expect(await queryRows(database.db, sql`SELECT code, currency FROM pricing.coupons`)).toEqual([
      { code: "RAYA5", currency: "MYR" },
    ]);
  });

  it("moves the change marker on every put, replacements included", async () => {
    expect(await coupons.changeMarker()).toBe("0");
    await coupons.put(aPercentCoupon(), "carol", monday);
    const afterFirst = await coupons.changeMarker();

    await coupons.put(aPercentCoupon({ percent: 20 }), "carol", tuesday);

    expect(afterFirst).not.toBe("0");
    expect(await coupons.changeMarker()).not.toBe(afterFirst);
  });

  it("refuses a coupon for a market that has no tariff, whose currency is unknown", async () => {
    await expect(coupons.put(aPercentCoupon({ market: "jp" }), "carol", monday)).rejects.toThrow(/no tariff/);
    expect(await countRows(database, "coupon_revisions")).toBe(0);
  });

  it("keeps the last of concurrent puts of one coupon as its current state", async () => {
    const percents = [11, 12, 13, 14, 15];

    await Promise.all(percents.map((percent) => coupons.put(aPercentCoupon({ percent }), "carol", monday)));

    const history = await coupons.listRevisions("kr", "WELCOME10");
    const last = history.at(-1)?.coupon;
    expect(history).toHaveLength(5);
    expect(await coupons.listAll()).toEqual([last]);
  });
});

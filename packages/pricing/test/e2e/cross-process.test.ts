import { setTimeout as sleep } from "node:timers/promises";
import { type DatabaseHandle, databasesUnderTest, openDatabase, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestamp } from "../support/pricing-client.js";
import {
  createPricingTestDatabase,
  KR_TARIFF_YAML,
  krVariant,
  type PricingUnderTest,
  seoul,
  sonataOf,
  startPricingUnderTest,
  testClock,
  workedExample,
} from "./pricing-service-under-test.js";

// Two replicas of the service on one PostgreSQL database, each with its own pool: what one publishes or puts
// is visible to it at once and to the other within 5 seconds (spec §5; docs/decisions/001: polling every 1 s).
// PostgreSQL only: an embedded PGlite belongs to one process.
const VISIBLE_WITHIN_MS = 5_000;
const weekdayDay = () =>
  workedExample({ startAt: seoul("2026-12-01T08:00"), endAt: seoul("2026-12-02T08:00"), estimatedKm: undefined });

/** Milliseconds until `seen()` holds, polling every 25 ms; throws after `giveUpMs`. */
async function msUntil(seen: () => Promise<boolean>, giveUpMs = 10_000): Promise<number> {
  const began = performance.now();
  while (!(await seen())) {
    if (performance.now() - began > giveUpMs) throw new Error(`not seen within ${giveUpMs} ms`);
    await sleep(25);
  }
  return performance.now() - began;
}

describe.runIf(databasesUnderTest().includes("postgres"))("Two replicas on one PostgreSQL database", () => {
  let database: TestDatabase;
  let secondPool: DatabaseHandle;
  let a: PricingUnderTest;
  let b: PricingUnderTest;

  beforeAll(async () => {
    database = await createPricingTestDatabase("postgres");
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = `/${database.name}`;
    secondPool = await openDatabase({ url: url.toString(), poolSize: 2, applicationName: "carfare-e2e-replica-b" });
    const clock = testClock("2026-11-25T09:00:00Z");
    a = await startPricingUnderTest({ database, clock });
    await a.publish(KR_TARIFF_YAML);
    b = await startPricingUnderTest({ database: { ...database, db: secondPool.db }, clock });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await secondPool?.close();
    await database?.close();
  });

  it("When replica A publishes a new version, then replica B quotes with it within 5 seconds", async () => {
    expect((await b.quote(weekdayDay())).tariffVersion).toBe(1);

    const published = await a.publish(
      krVariant((doc) => {
        sonataOf(doc).dailyRate.weekday = 72_000;
      }),
    );
    const aQuote = await a.quote(weekdayDay());
    const ms = await msUntil(async () => (await b.quote(weekdayDay())).tariffVersion === 2);

    expect(published.version).toBe(2);
    expect([aQuote.tariffVersion, aQuote.dueAtBooking]).toEqual([2, 64_800]);
    expect((await b.quote(weekdayDay())).dueAtBooking).toBe(64_800);
    expect(ms).toBeLessThan(VISIBLE_WITHIN_MS);
  });

  it("When replica A puts and then replaces a coupon, then replica B applies each within 5 seconds", async () => {
    const discountOnB = async () => {
      try {
        const quote = await b.quote(workedExample({ couponCode: "cross10" }));
        return quote.lines.find((line) => line.code === "COUPON_DISCOUNT")?.amount;
      } catch {
        return undefined; // COUPON_NOT_FOUND until B has loaded it
      }
    };
    const validity = { validFrom: timestamp("2026-11-01T00:00:00Z"), validUntil: timestamp("2027-01-01T00:00:00Z") };

    await a.putCoupon({ code: "CROSS10", market: "kr", kind: "PERCENT", percent: 10, ...validity });
    const msToPut = await msUntil(async () => (await discountOnB()) === -10_330);
    await a.putCoupon({ code: "CROSS10", market: "kr", kind: "FIXED", amount: 3_000, ...validity });
    const msToReplace = await msUntil(async () => (await discountOnB()) === -3_000);

    expect(msToPut).toBeLessThan(VISIBLE_WITHIN_MS);
    expect(msToReplace).toBeLessThan(VISIBLE_WITHIN_MS);
  });
});

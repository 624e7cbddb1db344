import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateOf } from "../support/pricing-client.js";
import {
  createPricingTestDatabase,
  expectRefusal,
  KR_TARIFF_YAML,
  krTariffDocument,
  krVariant,
  type PricingUnderTest,
  type QuoteMessage,
  seoul,
  sonataOf,
  startPricingUnderTest,
  type TariffVersionMessage,
  type TestClock,
  testClock,
  workedExample,
} from "./pricing-service-under-test.js";

// One scenario, test after test: version 1 at 09:00, a version 2 published at 09:00 to take effect at 10:00,
// and the clock moved across it. The quote is a weekday Tue 08:00 → Wed 08:00 Sonata DN8 rental: spec §3
// gives 68,900 − 6,890 = 62,010 on version 1; at a 72,000 weekday rate 144 slots cost 164,160, capped to
// 72,000, minus 10 % = 64,800.
const PUBLISHED_AT = "2026-11-25T09:00:00.000Z";
const V2_EFFECTIVE = "2026-11-25T10:00:00.000Z";
const weekdayDay = () =>
  workedExample({ startAt: seoul("2026-12-01T08:00"), endAt: seoul("2026-12-02T08:00"), estimatedKm: undefined });

/** kr.yaml with the Sonata DN8 at another weekday rate (and, if given, another first distance tier). */
function sonataAt(weekday: number, effectiveFrom: string, perKmUpTo100?: number): string {
  return krVariant((doc) => {
    const sonata = sonataOf(doc);
    sonata.dailyRate.weekday = weekday;
    if (perKmUpTo100 !== undefined) sonata.distanceRates = [{ upToKm: 100, perKm: perKmUpTo100 }, { perKm: 176 }];
    doc.effectiveFrom = effectiveFrom;
  });
}

interface ListResponse {
  versions: TariffVersionMessage[];
}
const summary = (v: TariffVersionMessage) => ({
  tariffId: v.tariffId,
  version: v.version,
  market: v.market,
  publishedAt: dateOf(v.publishedAt)?.toISOString(),
  publishedBy: v.publishedBy,
  effectiveFrom: dateOf(v.effectiveFrom)?.toISOString(),
});

describe.each(databasesUnderTest())("Tariff versions through the API, on %s", (kind) => {
  let database: TestDatabase;
  let service: PricingUnderTest;
  let clock: TestClock;
  let quotedUnderVersion1: QuoteMessage;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    clock = testClock(PUBLISHED_AT);
    service = await startPricingUnderTest({ database, clock });
    await service.publish(KR_TARIFF_YAML);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.close();
  });

  it("When kr.yaml is published again, then version 1 comes back unchanged and one version is listed", async () => {
    clock.advance(60_000);

    const again = await service.publish(KR_TARIFF_YAML);

    expect(summary(again)).toEqual({
      tariffId: "kr-standard",
      version: 1,
      market: "kr",
      publishedAt: PUBLISHED_AT,
      publishedBy: "ops",
      effectiveFrom: PUBLISHED_AT,
    });
    const list = await service.admin<ListResponse>("ListTariffVersions", { tariffId: "kr-standard" });
    expect(list.versions.map((v) => v.version)).toEqual([1]);
  });

  it("When the same document is published as JSON, then it is still version 1", async () => {
    const again = await service.publish(JSON.stringify(krTariffDocument()));

    expect(again.version).toBe(1);
  });

  it("When a changed document is published to take effect an hour later, then version 2 is listed with that effective_from", async () => {
    clock.set(PUBLISHED_AT);
    quotedUnderVersion1 = await service.quote(workedExample());

    const published = await service.publish(sonataAt(72_000, V2_EFFECTIVE, 300));

    expect(summary(published)).toEqual({
      tariffId: "kr-standard",
      version: 2,
      market: "kr",
      publishedAt: PUBLISHED_AT,
      publishedBy: "ops",
      effectiveFrom: V2_EFFECTIVE,
    });
    const list = await service.admin<ListResponse>("ListTariffVersions", { tariffId: "kr-standard" });
    expect(list.versions.map((v) => [v.version, dateOf(v.effectiveFrom)?.toISOString()])).toEqual([
      [1, PUBLISHED_AT],
      [2, V2_EFFECTIVE],
    ]);
  });

  it("When quoting a millisecond before version 2's effectiveFrom, then version 1 still prices: 62,010 due", async () => {
    clock.set(new Date(Date.parse(V2_EFFECTIVE) - 1));

    const quote = await service.quote(weekdayDay());

    expect([quote.tariffVersion, quote.dueAtBooking]).toEqual([1, 62_010]);
  });

  it("When the clock reaches version 2's effectiveFrom, then version 2 prices: 72,000 capped, 7,200 off, 64,800 due", async () => {
    clock.set(V2_EFFECTIVE);

    const quote = await service.quote(weekdayDay());

    expect(quote.tariffVersion).toBe(2);
    expect(quote.lines.map((line) => [line.code, line.amount])).toEqual([
      ["RENTAL_FEE", 72_000],
      ["LONG_RENTAL_DISCOUNT", -7_200],
    ]);
    expect(quote.dueAtBooking).toBe(64_800);
  });

  it("When a quote made under version 1 is settled after version 2 took effect, then version 1's distance rates apply", async () => {
    // Version 2 charges 300 won/km up to 100 km: 100·300 + 20·176 = 33,520 on version 2, 25,520 on version 1.
    const settlement = await service.settle({
      token: quotedUnderVersion1.token,
      returnedAt: seoul("2026-11-29T12:00"),
      drivenKm: 120,
    });

    expect(quotedUnderVersion1.tariffVersion).toBe(1);
    expect(settlement.lines.map((line) => [line.code, line.amount])).toEqual([["DISTANCE_FEE", 25_520]]);
  });

  it("When GetTariffVersion is asked for version 2, then it returns the document as JSON with its changes", async () => {
    const got = await service.admin<{ version: TariffVersionMessage; document: string }>("GetTariffVersion", {
      tariffId: "kr-standard",
      version: 2,
    });

    expect(summary(got.version)).toMatchObject({ version: 2, effectiveFrom: V2_EFFECTIVE });
    const document = JSON.parse(got.document);
    expect(sonataOf(document).dailyRate).toEqual({ weekday: 72_000, weekend: 95_700 });
    expect(document.effectiveFrom).toBe(V2_EFFECTIVE);
    expect(document.carModels).toHaveLength(krTariffDocument().carModels.length);
  });

  it("When GetTariffVersion is asked for version 0 or 1, then it returns the newest or the first", async () => {
    const newest = await service.admin<{ version: TariffVersionMessage }>("GetTariffVersion", {
      tariffId: "kr-standard",
    });
    const first = await service.admin<{ version: TariffVersionMessage; document: string }>("GetTariffVersion", {
      tariffId: "kr-standard",
      version: 1,
    });

    expect(newest.version.version).toBe(2);
    expect(sonataOf(JSON.parse(first.document)).dailyRate.weekday).toBe(68_900);
  });

  it("When a later version takes effect before an earlier scheduled one, then the latest effectiveFrom in effect wins", async () => {
    clock.set("2026-11-25T10:30:00Z");
    await service.publish(sonataAt(74_000, "2026-11-25T12:00:00Z")); // version 3
    await service.publish(sonataAt(73_000, "2026-11-25T11:00:00Z")); // version 4

    const before = await service.quote(weekdayDay());
    clock.set("2026-11-25T11:30:00Z");
    const between = await service.quote(weekdayDay());
    clock.set("2026-11-25T12:00:00Z");
    const after = await service.quote(weekdayDay());

    expect([before.tariffVersion, before.dueAtBooking]).toEqual([2, 64_800]);
    expect([between.tariffVersion, between.dueAtBooking]).toEqual([4, 73_000 - 7_300]);
    expect([after.tariffVersion, after.dueAtBooking]).toEqual([3, 74_000 - 7_400]);
  });

  it("When ListTariffVersions is given an empty tariff_id, then it lists every version of every tariff", async () => {
    await service.publish(
      krVariant((doc) => {
        doc.id = "jp-e2e";
        doc.market = "jp";
      }),
    );

    const list = await service.admin<ListResponse>("ListTariffVersions", { tariffId: "" });

    expect(list.versions.map((v) => [v.tariffId, v.version, v.market])).toEqual([
      ["jp-e2e", 1, "jp"],
      ["kr-standard", 1, "kr"],
      ["kr-standard", 2, "kr"],
      ["kr-standard", 3, "kr"],
      ["kr-standard", 4, "kr"],
    ]);
  });

  it("When ListTariffVersions names an unknown tariff, then it answers NOT_FOUND PRICING.TARIFF_NOT_FOUND", async () => {
    await expectRefusal(service.admin("ListTariffVersions", { tariffId: "kr-premium" }), {
      status: "NOT_FOUND",
      reason: "PRICING.TARIFF_NOT_FOUND",
      field: "tariff_id",
    });
  });
});

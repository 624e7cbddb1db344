import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresTariffRepository } from "../../src/adapters/postgres/tariff.repository.js";
import { InvalidTariffError } from "../../src/domain/pricing-errors.js";
import {
  countRows,
  createPricingDatabase,
  emptyPricingTables,
  malaysianTariff,
  referenceTariff,
} from "./pricing-test-data.js";

const monday = new Date("2026-11-23T00:00:00Z");
const tuesday = new Date("2026-11-24T00:00:00Z");

describe.each(databasesUnderTest())("PostgresTariffRepository on %s", (kind) => {
  let database: TestDatabase;
  let tariffs: PostgresTariffRepository;

  beforeAll(async () => {
    database = await createPricingDatabase(kind);
    tariffs = new PostgresTariffRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(() => emptyPricingTables(database));

  it("publishes the first document of a tariff id as version 1 and lists it", async () => {
    const outcome = await tariffs.publish(referenceTariff(), "alice", monday);

    expect(outcome).toEqual({
      kind: "created",
      tariff: {
        tariffId: "kr-standard",
        version: 1,
        market: "kr",
        document: referenceTariff(),
        publishedAt: monday,
        publishedBy: "alice",
        effectiveFrom: monday,
      },
    });
    expect(await tariffs.listAll()).toEqual([outcome.kind === "created" ? outcome.tariff : undefined]);
  });

  it("numbers the versions of an id 1, 2, 3 and lists every version oldest first", async () => {
    await tariffs.publish(referenceTariff(), "alice", monday);
    await tariffs.publish(malaysianTariff(), "alice", monday);
    await tariffs.publish(referenceTariff({ holidays: ["2026-12-25"] }), "bob", tuesday);
    await tariffs.publish(referenceTariff({ holidays: [] }), "bob", tuesday);

    const listed = await tariffs.listAll();

    expect(listed.map((t) => [t.tariffId, t.version, t.publishedBy])).toEqual([
      ["kr-standard", 1, "alice"],
      ["my-standard", 1, "alice"],
      ["kr-standard", 2, "bob"],
      ["kr-standard", 3, "bob"],
    ]);
    expect(listed[2]?.document.holidays).toEqual(["2026-12-25"]);
  });

  it("returns the newest version and creates nothing when the document equals it, whatever its key order", async () => {
    await tariffs.publish(referenceTariff(), "alice", monday);
    const markerBefore = await tariffs.changeMarker();
    const reordered = Object.fromEntries(Object.entries(referenceTariff()).reverse()) as ReturnType<
      typeof referenceTariff
    >;

    const outcome = await tariffs.publish(reordered, "bob", tuesday);

    expect(outcome.kind).toBe("unchanged");
    expect(outcome.kind === "unchanged" && outcome.tariff).toMatchObject({
      version: 1,
      publishedBy: "alice",
      publishedAt: monday,
    });
    expect(await countRows(database, "tariff_versions")).toBe(1);
    expect(await tariffs.changeMarker()).toBe(markerBefore);
  });

  it("publishes a document equal to an older version, not the newest, as a new version", async () => {
    await tariffs.publish(referenceTariff(), "alice", monday);
    await tariffs.publish(referenceTariff({ holidays: [] }), "alice", monday);

    const outcome = await tariffs.publish(referenceTariff(), "alice", tuesday);

    expect(outcome.kind === "created" && outcome.tariff.version).toBe(3);
  });

  it("refuses a document whose market is held by another tariff id", async () => {
    await tariffs.publish(referenceTariff(), "alice", monday);

    const outcome = await tariffs.publish(referenceTariff({ id: "kr-premium" }), "bob", tuesday);

    expect(outcome).toEqual({ kind: "market-taken", heldBy: "kr-standard" });
    expect(await countRows(database, "tariffs")).toBe(1);
    expect(await countRows(database, "tariff_versions")).toBe(1);
  });

  it("throws when a published tariff id is given another market", async () => {
    await tariffs.publish(referenceTariff(), "alice", monday);

    await expect(tariffs.publish(referenceTariff({ market: "jp" }), "bob", tuesday)).rejects.toBeInstanceOf(
      InvalidTariffError,
    );
  });

  it("stores the document's effectiveFrom, and the publication time when it has none", async () => {
    const withEffectiveFrom = await tariffs.publish(
      referenceTariff({ effectiveFrom: "2026-12-01T00:00:00+09:00" }),
      "alice",
      monday,
    );
    const without = await tariffs.publish(malaysianTariff(), "alice", tuesday);

    expect(withEffectiveFrom.kind === "created" && withEffectiveFrom.tariff.effectiveFrom).toEqual(
      new Date("2026-11-30T15:00:00Z"),
    );
    expect(without.kind === "created" && without.tariff.effectiveFrom).toEqual(tuesday);
    const stored = await tariffs.listAll();
    expect(stored.map((t) => t.effectiveFrom)).toEqual([new Date("2026-11-30T15:00:00Z"), tuesday]);
  });

  it("writes one row per car model with its daily rates, so analysts need not read the document", async () => {
    await tariffs.publish(referenceTariff(), "alice", monday);

    const rows = await queryRows(
      database.db,
      sql`SELECT tariff_id, version, car_model_id, car_model_name, car_class, fuel,
                 weekday_daily_rate::int AS weekday, weekend_daily_rate::int AS weekend, currency
          FROM pricing.tariff_car_models`,
    );

    expect(rows).toEqual([
      {
        tariff_id: "kr-standard",
        version: 1,
        car_model_id: "sonata-dn8",
        car_model_name: "Sonata DN8",
        car_class: "MIDSIZE",
        fuel: "GASOLINE",
        weekday: 68_900,
        weekend: 95_700,
        currency: "KRW",
      },
    ]);
  });

  it("moves the change marker on each publication and lists only what came after a marker", async () => {
    expect(await tariffs.changeMarker()).toBe("0");
    await tariffs.publish(referenceTariff(), "alice", monday);
    const marker = await tariffs.changeMarker();

    await tariffs.publish(malaysianTariff(), "alice", tuesday);
    await tariffs.publish(referenceTariff({ holidays: [] }), "alice", tuesday);

    expect(await tariffs.changeMarker()).not.toBe(marker);
    expect((await tariffs.listSince(marker)).map((t) => [t.tariffId, t.version])).toEqual([
      ["my-standard", 1],
      ["kr-standard", 2],
    ]);
    expect(await tariffs.listSince(await tariffs.changeMarker())).toEqual([]);
  });

  it("gives concurrent publishes of different documents distinct consecutive versions", async () => {
    const documents = [0, 1, 2, 3, 4, 5].map((i) => referenceTariff({ holidays: [`2026-12-2${i}`] }));

    const outcomes = await Promise.all(documents.map((document) => tariffs.publish(document, "alice", monday)));

    const versions = outcomes.map((o) => (o.kind === "created" ? o.tariff.version : 0));
    expect([...versions].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await countRows(database, "tariff_car_models")).toBe(6);
  });

  it("lets only one of two ids publishing for the same market at once have it", async () => {
    const outcomes = await Promise.all([
      tariffs.publish(referenceTariff({ id: "kr-a" }), "alice", monday),
      tariffs.publish(referenceTariff({ id: "kr-b" }), "bob", monday),
    ]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(["created", "market-taken"]);
  });
});

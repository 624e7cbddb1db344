import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresWaiverPolicyRepository } from "../../src/adapters/postgres/policy.repository.js";
import type { WaiverPolicyDocument } from "../../src/domain/waiver-policy.js";
import {
  countRows,
  createWaiverDatabase,
  emptyWaiverTables,
  malaysianPolicy,
  referencePolicy,
} from "./waiver-test-data.js";

const monday = new Date("2026-11-23T00:00:00Z");
const tuesday = new Date("2026-11-24T00:00:00Z");

describe.each(databasesUnderTest())("PostgresWaiverPolicyRepository on %s", (kind) => {
  let database: TestDatabase;
  let policies: PostgresWaiverPolicyRepository;

  beforeAll(async () => {
    database = await createWaiverDatabase(kind);
    policies = new PostgresWaiverPolicyRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(() => emptyWaiverTables(database));

  it("publishes the first document of a policy id as version 1 and lists it", async () => {
    const outcome = await policies.publish(referencePolicy(), "alice", monday);

    expect(outcome).toEqual({
      kind: "created",
      policy: {
        policyId: "kr-waiver",
        version: 1,
        market: "kr",
        document: referencePolicy(),
        publishedAt: monday,
        publishedBy: "alice",
        effectiveFrom: monday,
      },
    });
    expect(await policies.listAll()).toEqual([outcome.kind === "created" ? outcome.policy : undefined]);
  });

  it("numbers the versions of an id 1, 2, 3 and lists every version oldest first", async () => {
    await policies.publish(referencePolicy(), "alice", monday);
    await policies.publish(malaysianPolicy(), "alice", monday);
    await policies.publish(referencePolicy({ youngDriver: { underAge: 25, surchargePercent: 20 } }), "bob", tuesday);
    await policies.publish(referencePolicy({ lossOfUse: { percentOfDailyRate: 50, maxDays: 7 } }), "bob", tuesday);

    const listed = await policies.listAll();

    expect(listed.map((p) => [p.policyId, p.version, p.publishedBy])).toEqual([
      ["kr-waiver", 1, "alice"],
      ["my-waiver", 1, "alice"],
      ["kr-waiver", 2, "bob"],
      ["kr-waiver", 3, "bob"],
    ]);
    expect(listed[3]?.document.lossOfUse.maxDays).toBe(7);
  });

  it("returns the newest version and creates nothing when the document equals it, whatever its key order", async () => {
    await policies.publish(referencePolicy(), "alice", monday);
    const markerBefore = await policies.changeMarker();
    const reordered = Object.fromEntries(Object.entries(referencePolicy()).reverse()) as WaiverPolicyDocument;

    const outcome = await policies.publish(reordered, "bob", tuesday);

    expect(outcome.kind).toBe("unchanged");
    expect(outcome.kind === "unchanged" && outcome.policy).toMatchObject({
      version: 1,
      publishedBy: "alice",
      publishedAt: monday,
    });
    expect(await countRows(database, "policy_versions")).toBe(1);
    expect(await countRows(database, "policy_products")).toBe(5);
    expect(await policies.changeMarker()).toBe(markerBefore);
  });

  it("publishes a document equal to an older version, not the newest, as a new version", async () => {
    await policies.publish(referencePolicy(), "alice", monday);
    await policies.publish(referencePolicy({ youngDriver: { underAge: 25, surchargePercent: 10 } }), "alice", monday);

    const outcome = await policies.publish(referencePolicy(), "alice", tuesday);

    expect(outcome.kind === "created" && outcome.policy.version).toBe(3);
  });

  it("refuses a document whose market is held by another policy id", async () => {
    await policies.publish(referencePolicy(), "alice", monday);

    const outcome = await policies.publish(referencePolicy({ id: "kr-premium" }), "bob", tuesday);

    expect(outcome).toEqual({ kind: "market-taken", heldBy: "kr-waiver" });
    expect(await countRows(database, "policies")).toBe(1);
    expect(await countRows(database, "policy_versions")).toBe(1);
  });

  it("refuses a published policy id under another market: the id keeps its market", async () => {
    await policies.publish(referencePolicy(), "alice", monday);

    const outcome = await policies.publish(referencePolicy({ market: "jp", currency: "JPY" }), "bob", tuesday);

    expect(outcome).toEqual({ kind: "market-taken", heldBy: "kr-waiver" });
    expect(await countRows(database, "policies")).toBe(1);
    expect(await countRows(database, "policy_versions")).toBe(1);
  });

  it("stores the document's effectiveFrom, and the publication time when it has none", async () => {
    const withEffectiveFrom = await policies.publish(
      referencePolicy({ effectiveFrom: "2026-12-01T00:00:00+09:00" }),
      "alice",
      monday,
    );
    const without = await policies.publish(malaysianPolicy(), "alice", tuesday);

    expect(withEffectiveFrom.kind === "created" && withEffectiveFrom.policy.effectiveFrom).toEqual(
      new Date("2026-11-30T15:00:00Z"),
    );
    expect(without.kind === "created" && without.policy.effectiveFrom).toEqual(tuesday);
    const stored = await policies.listAll();
    expect(stored.map((p) => p.effectiveFrom)).toEqual([new Date("2026-11-30T15:00:00Z"), tuesday]);
  });

  it("writes one row per product, in the policy's order, so analysts need not read the document", async () => {
    await policies.publish(referencePolicy(), "alice", monday);

    const rows = await queryRows(
      database.db,
      sql`SELECT policy_id, version, position, product_code, product_name, model, self_pay_cap::int AS self_pay_cap,
                 deductible::int AS deductible, currency, min_driver_age, min_license_years, sellable
          FROM waiver.policy_products ORDER BY position`,
    );

    expect(rows.map((r) => [r.position, r.product_code, r.model, r.self_pay_cap, r.deductible, r.sellable])).toEqual([
      [1, "CAP_700K", "CAPPED", 700_000, null, true],
      [2, "CAP_300K", "CAPPED", 300_000, null, true],
      [3, "CAP_50K", "CAPPED", 50_000, null, true],
      [4, "CAP_0", "CAPPED", 0, null, true],
      [5, "LEGACY_FIXED_300K", "FIXED_DEDUCTIBLE", null, 300_000, false],
    ]);
    expect(rows[1]).toEqual({
      policy_id: "kr-waiver",
      version: 1,
      position: 2,
      product_code: "CAP_300K",
      product_name: "Self-pay up to 300,000",
      model: "CAPPED",
      self_pay_cap: 300_000,
      deductible: null,
      currency: "KRW",
      min_driver_age: 21,
      min_license_years: 1,
      sellable: true,
    });
  });

  it("writes one price row per car class and product, joinable to the products", async () => {
    await policies.publish(referencePolicy(), "alice", monday);

    const rows = await queryRows(
      database.db,
      sql`SELECT p.car_class, p.product_code, p.hourly::int AS hourly, p.daily::int AS daily, p.currency
          FROM waiver.policy_prices p
          JOIN waiver.policy_products USING (policy_id, version, product_code)
          ORDER BY position`,
    );

    expect(rows).toEqual([
      { car_class: "MIDSIZE", product_code: "CAP_700K", hourly: 800, daily: 8_000, currency: "KRW" },
      { car_class: "MIDSIZE", product_code: "CAP_300K", hourly: 1_000, daily: 10_000, currency: "KRW" },
      { car_class: "MIDSIZE", product_code: "CAP_50K", hourly: 1_400, daily: 14_000, currency: "KRW" },
      { car_class: "MIDSIZE", product_code: "CAP_0", hourly: 1_800, daily: 18_000, currency: "KRW" },
    ]);
  });

  it("publishes a policy that prices no class", async () => {
    const outcome = await policies.publish(referencePolicy({ prices: {} }), "alice", monday);

    expect(outcome.kind).toBe("created");
    expect(await countRows(database, "policy_prices")).toBe(0);
  });

  it("moves the change marker on each publication and lists only what came after a marker", async () => {
    expect(await policies.changeMarker()).toBe("0");
    await policies.publish(referencePolicy(), "alice", monday);
    const marker = await policies.changeMarker();

    await policies.publish(malaysianPolicy(), "alice", tuesday);
    await policies.publish(referencePolicy({ youngDriver: undefined }), "alice", tuesday);

    expect(await policies.changeMarker()).not.toBe(marker);
    expect((await policies.listSince(marker)).map((p) => [p.policyId, p.version])).toEqual([
      ["my-waiver", 1],
      ["kr-waiver", 2],
    ]);
    expect(await policies.listSince(await policies.changeMarker())).toEqual([]);
  });

  it("refuses a change marker that is not one", async () => {
    await expect(policies.listSince("abc")).rejects.toBeInstanceOf(RangeError);
  });

  it("gives concurrent publishes of different documents distinct consecutive versions", async () => {
    const documents = [0, 1, 2, 3, 4, 5].map((i) =>
      referencePolicy({ lossOfUse: { percentOfDailyRate: 50, maxDays: i + 1 } }),
    );

    const outcomes = await Promise.all(documents.map((document) => policies.publish(document, "alice", monday)));

    const versions = outcomes.map((o) => (o.kind === "created" ? o.policy.version : 0));
    expect([...versions].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await countRows(database, "policy_products")).toBe(30);
    expect((await policies.listAll()).map((p) => p.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("lets only one of two ids publishing for the same market at once have it", async () => {
    const outcomes = await Promise.all([
      policies.publish(referencePolicy({ id: "kr-a" }), "alice", monday),
      policies.publish(referencePolicy({ id: "kr-b" }), "bob", monday),
    ]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(["created", "market-taken"]);
    expect(await countRows(database, "policies")).toBe(1);
  });
});

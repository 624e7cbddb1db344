import { canonicalJson } from "@carfare/kit";
import { describe, expect, it } from "vitest";
import { FakeClock, InMemoryIncidents, sequentialIds } from "../../test/builders/fakes.js";
import { workedAssessment } from "../../test/builders/incident-builder.js";
import { aPolicy, published, referencePolicy } from "../../test/builders/policy-builder.js";
import type { CarClass } from "../domain/waiver-policy.js";
import { assessIncident } from "./assess-incident.js";
import { PolicyCatalog } from "./policy-catalog.js";
import type { IncidentCreation } from "./ports.js";
import {
  type IncidentReport,
  type ReportIncidentCommand,
  type ReportIncidentDeps,
  reportIncident,
} from "./report-incident.js";

const NOW = new Date("2026-11-28T06:00:00Z");
const FIRST_ID = "00000000-0000-4000-8000-000000000001";

function setup() {
  const catalog = new PolicyCatalog();
  catalog.add([published(referencePolicy(), 1, new Date("2026-01-01T00:00:00Z"))]);
  const incidents = new InMemoryIncidents();
  const clock = new FakeClock(NOW);
  return { catalog, incidents, clock, deps: { catalog, incidents, clock, newId: sequentialIds() } };
}

type Deps = ReportIncidentDeps;

/** The booking of spec §3's worked example, as the booking backend reports it. */
const report: IncidentReport = {
  rentalId: "rental-1",
  market: "kr",
  carClass: "MIDSIZE",
  dailyRate: 95_700,
  productCode: "CAP_300K",
  policyVersion: 1,
  occurredAt: new Date("2026-11-28T03:00:00Z"),
  description: "rear bumper scraped",
};

/** The command for `body`, fingerprinted as the HTTP adapter does (dates as the RFC 3339 text they came as). */
function command(body: IncidentReport = report, key: string | undefined = "key-1"): ReportIncidentCommand {
  return { idempotencyKey: key, requestFingerprint: canonicalJson(body), report: body, actor: "booking-backend" };
}

async function reported(deps: Deps, c: ReportIncidentCommand = command()) {
  const result = await reportIncident(deps, c);
  if (!result.ok) throw result.error;
  return result.value;
}

async function refusal(deps: Deps, c: ReportIncidentCommand) {
  const result = await reportIncident(deps, c);
  return result.ok ? "created" : [result.error.code, result.error.issues.map((i) => i.field)];
}

describe("reportIncident", () => {
  it("creates a REPORTED incident at version 1 under the booking's policy version, and stores it under the key", async () => {
    const { deps, incidents } = setup();
    const { incident, replayed } = await reported(deps);
    expect(replayed).toBe(false);
    expect(incident).toMatchObject({
      id: FIRST_ID,
      rentalId: "rental-1",
      market: "kr",
      carClass: "MIDSIZE",
      dailyRate: 95_700,
      productCode: "CAP_300K",
      policyId: "kr-waiver",
      policyVersion: 1,
      status: "REPORTED",
      occurredAt: report.occurredAt,
      reportedAt: NOW,
      description: "rear bumper scraped",
      version: 1,
    });
    expect(incident.events).toEqual([expect.objectContaining({ type: "REPORTED", at: NOW, actor: "booking-backend" })]);
    expect(await incidents.findByIdempotencyKey("key-1")).toEqual({
      incident,
      requestFingerprint: canonicalJson(report),
    });
  });

  describe("idempotency", () => {
    it("answers the same key and body with the incident as it is now, flagged as a replay, and creates nothing", async () => {
      const { deps, incidents } = setup();
      await reported(deps);
      const assessed = await assessIncident(deps, {
        incidentId: FIRST_ID,
        assessment: workedAssessment,
        actor: "adjuster",
      });
      expect(assessed.ok).toBe(true);
      const again = await reported(deps, command({ ...report }));
      expect(again.replayed).toBe(true);
      expect(again.incident).toMatchObject({ id: FIRST_ID, status: "ASSESSED", version: 2 });
      expect(await incidents.list({ limit: 10 })).toHaveLength(1);
    });

    it("treats bodies that differ only in key order as the same body", async () => {
      const { deps } = setup();
      await reported(deps);
      const reordered = Object.fromEntries(Object.entries(report).reverse()) as unknown as IncidentReport;
      expect((await reported(deps, command(reordered))).replayed).toBe(true);
    });

    it("refuses the same key with another body with IDEMPOTENCY_KEY_REUSED", async () => {
      const { deps } = setup();
      await reported(deps);
      expect(await refusal(deps, command({ ...report, dailyRate: 95_710 }))).toEqual([
        "WAIVER.IDEMPOTENCY_KEY_REUSED",
        ["Idempotency-Key"],
      ]);
    });

    it("refuses a missing or blank key with IDEMPOTENCY_KEY_REQUIRED, before looking at the body", async () => {
      const { deps } = setup();
      const badBody = { ...report, dailyRate: -1 };
      expect(await refusal(deps, { ...command(badBody), idempotencyKey: undefined })).toEqual([
        "WAIVER.IDEMPOTENCY_KEY_REQUIRED",
        ["Idempotency-Key"],
      ]);
      expect((await refusal(deps, command(report, "  ")))[0]).toBe("WAIVER.IDEMPOTENCY_KEY_REQUIRED");
    });

    it("refuses a key longer than 255 characters as INVALID_REQUEST", async () => {
      const { deps } = setup();
      expect(await refusal(deps, command(report, "k".repeat(256)))).toEqual([
        "WAIVER.INVALID_REQUEST",
        ["Idempotency-Key"],
      ]);
    });

    it("settles two identical reports racing for one key: one creates, the other replays", async () => {
      const { deps, incidents } = setup();
      // Both requests passed the replay check before either created: the repository decides.
      const racing = Object.assign(Object.create(incidents) as InMemoryIncidents, {
        findByIdempotencyKey: async () => undefined,
        create: (creation: IncidentCreation) => incidents.create(creation),
      });
      const both = await Promise.all([
        reported({ ...deps, incidents: racing }),
        reported({ ...deps, incidents: racing }),
      ]);
      expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
      expect(both[0]?.incident.id).toBe(both[1]?.incident.id);
    });

    it("refuses the loser of a race with another body with IDEMPOTENCY_KEY_REUSED", async () => {
      const { deps, incidents } = setup();
      await reported(deps);
      const racing = Object.assign(Object.create(incidents) as InMemoryIncidents, {
        findByIdempotencyKey: async () => undefined,
        create: (creation: IncidentCreation) => incidents.create(creation),
      });
      const other = command({ ...report, rentalId: "rental-2" });
      expect((await refusal({ ...deps, incidents: racing }, other))[0]).toBe("WAIVER.IDEMPOTENCY_KEY_REUSED");
    });
  });

  describe("the order of checks: key, body, replay, policy version, product", () => {
    it("refuses a bad body before replaying", async () => {
      const { deps } = setup();
      await reported(deps);
      expect((await refusal(deps, command({ ...report, dailyRate: 1.5 })))[0]).toBe("WAIVER.INVALID_REQUEST");
    });

    it("replays before checking the policy version and product", async () => {
      const { deps, catalog } = setup();
      await reported(deps);
      // A key reused with a body naming an unknown product is still a reuse, not UNKNOWN_PRODUCT.
      expect((await refusal(deps, command({ ...report, productCode: "CAP_9" })))[0]).toBe(
        "WAIVER.IDEMPOTENCY_KEY_REUSED",
      );
      // Whatever happened to the catalog since, a replay answers with the incident.
      catalog.add([published(aPolicy({ products: referencePolicy().products.slice(0, 1) }), 2)]);
      expect((await reported(deps)).replayed).toBe(true);
    });

    it("replays before refusing a policy version the market does not have", async () => {
      const { deps } = setup();
      await reported(deps);
      expect((await refusal(deps, command({ ...report, policyVersion: 9 })))[0]).toBe("WAIVER.IDEMPOTENCY_KEY_REUSED");
      expect(await refusal(deps, command({ ...report, policyVersion: 9 }, "key-2"))).toEqual([
        "WAIVER.POLICY_NOT_FOUND",
        ["policyVersion"],
      ]);
    });

    it("creates with one repository call: the creation itself finds an earlier incident under the key", async () => {
      const { deps, incidents } = setup();
      const calls: string[] = [];
      const counted = Object.assign(Object.create(incidents) as InMemoryIncidents, {
        findByIdempotencyKey: (key: string) => {
          calls.push("findByIdempotencyKey");
          return incidents.findByIdempotencyKey(key);
        },
        create: (creation: IncidentCreation) => {
          calls.push("create");
          return incidents.create(creation);
        },
      });
      await reported({ ...deps, incidents: counted });
      expect((await reported({ ...deps, incidents: counted })).replayed).toBe(true);
      expect(calls).toEqual(["create", "create"]);
    });

    it("checks the policy version before the product", async () => {
      const { deps } = setup();
      expect(await refusal(deps, command({ ...report, policyVersion: 7, productCode: "CAP_9" }))).toEqual([
        "WAIVER.POLICY_NOT_FOUND",
        ["policyVersion"],
      ]);
    });
  });

  describe("the policy version", () => {
    it("refuses a policyVersion the market does not have with POLICY_NOT_FOUND", async () => {
      const { deps } = setup();
      expect(await refusal(deps, command({ ...report, policyVersion: 2 }))).toEqual([
        "WAIVER.POLICY_NOT_FOUND",
        ["policyVersion"],
      ]);
      expect((await refusal(deps, command({ ...report, market: "my" })))[0]).toBe("WAIVER.POLICY_NOT_FOUND");
    });

    it("takes, when none is given, the version in effect when the incident occurred", async () => {
      const { deps, catalog } = setup();
      catalog.add([published(referencePolicy(), 2, new Date("2026-11-28T04:00:00Z"))]);
      const { policyVersion: _, ...withoutVersion } = report;
      const before = await reported(deps, command(withoutVersion, "key-a"));
      expect(before.incident.policyVersion).toBe(1);
      const after = await reported(
        deps,
        command({ ...withoutVersion, occurredAt: new Date("2026-11-28T04:00:00Z") }, "key-b"),
      );
      expect(after.incident.policyVersion).toBe(2);
    });

    it("refuses an incident that occurred before any version took effect, naming occurredAt", async () => {
      const { deps } = setup();
      const { policyVersion: _, ...withoutVersion } = report;
      expect(await refusal(deps, command({ ...withoutVersion, occurredAt: new Date("2025-12-31T23:59:00Z") }))).toEqual(
        ["WAIVER.POLICY_NOT_FOUND", ["occurredAt"]],
      );
    });

    it("refreshes the catalog once when the version is not there yet (published by another process)", async () => {
      const { deps, catalog } = setup();
      let refreshes = 0;
      const refreshCatalog = async () => {
        refreshes++;
        catalog.add([published(referencePolicy(), 2, new Date("2026-11-28T05:59:00Z"))]);
      };
      const { incident } = await reported({ ...deps, refreshCatalog }, command({ ...report, policyVersion: 2 }));
      expect([incident.policyVersion, refreshes]).toEqual([2, 1]);
      await reported({ ...deps, refreshCatalog }, command({ ...report, policyVersion: 1 }, "key-2"));
      expect(refreshes).toBe(1);
    });
  });

  describe("the product", () => {
    it("refuses a product the version does not have with UNKNOWN_PRODUCT", async () => {
      const { deps } = setup();
      expect(await refusal(deps, command({ ...report, productCode: "CAP_1M" }))).toEqual([
        "WAIVER.UNKNOWN_PRODUCT",
        ["productCode"],
      ]);
    });

    it("accepts a product that is no longer sellable, for incidents on old bookings", async () => {
      const { deps } = setup();
      const { incident } = await reported(deps, command({ ...report, productCode: "LEGACY_FIXED_300K" }));
      expect(incident.productCode).toBe("LEGACY_FIXED_300K");
    });

    it("accepts a product whatever the car class's prices (class snapshot is the booking's)", async () => {
      const { deps } = setup();
      const { incident } = await reported(deps, command({ ...report, carClass: "VAN" }));
      expect(incident.carClass).toBe("VAN");
    });
  });

  it("refuses a bad body with INVALID_REQUEST listing every bad field", async () => {
    const { deps } = setup();
    const bad = {
      rentalId: "",
      market: "kr",
      carClass: "SEDAN" as CarClass,
      dailyRate: 1e12 + 1,
      productCode: "",
      policyVersion: 0,
      occurredAt: new Date(Number.NaN),
      description: "x".repeat(2001),
    };
    expect(await refusal(deps, command(bad))).toEqual([
      "WAIVER.INVALID_REQUEST",
      ["rentalId", "carClass", "dailyRate", "productCode", "policyVersion", "occurredAt", "description"],
    ]);
  });
});

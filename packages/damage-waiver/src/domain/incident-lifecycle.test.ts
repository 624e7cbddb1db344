import { describe, expect, it } from "vitest";
import { anIncident, aSnapshot, minutesLater, workedAssessment } from "../../test/builders/incident-builder.js";
import { productOf, referencePolicy } from "../../test/builders/policy-builder.js";
import { INCIDENT_STATUSES, type Incident, type IncidentStatus } from "./incident.js";
import {
  assess,
  cancel,
  changeIncident,
  charge,
  dispute,
  type IncidentAction,
  type IncidentChange,
  reportIncident,
  resolve,
  settle,
} from "./incident-lifecycle.js";
import { computeLiability } from "./liability.js";

const AT = new Date("2026-12-01T09:00:00Z");
const policy = referencePolicy();

function liabilityFor(assessment = workedAssessment, code = "CAP_300K") {
  return computeLiability(policy, productOf(code), 95_700, assessment);
}

function value<T>(result: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** One change of each action, as the API would send it. */
const CHANGES: Record<IncidentAction, IncidentChange> = {
  assess: { action: "assess", assessment: workedAssessment, liability: liabilityFor() },
  charge: { action: "charge" },
  settle: { action: "settle" },
  dispute: { action: "dispute", reason: "not my scratch" },
  resolve: { action: "resolve", note: "goodwill" },
  cancel: { action: "cancel", reason: "duplicate report" },
};

/** Spec §4, written out by hand: the status each action leads to from each status, or "illegal". */
const EXPECTED: Record<IncidentAction, Partial<Record<IncidentStatus, IncidentStatus>>> = {
  assess: { REPORTED: "ASSESSED", ASSESSED: "ASSESSED" },
  charge: { ASSESSED: "CHARGED" },
  settle: { CHARGED: "SETTLED" },
  dispute: { CHARGED: "DISPUTED" },
  resolve: { DISPUTED: "RESOLVED" },
  cancel: { REPORTED: "CANCELLED", ASSESSED: "CANCELLED" },
};

const cases = (Object.keys(CHANGES) as IncidentAction[]).flatMap((action) =>
  INCIDENT_STATUSES.map((from) => ({ action, from, to: EXPECTED[action][from] })),
);

describe("the incident lifecycle", () => {
  describe("reportIncident", () => {
    it("opens an incident at version 1, REPORTED, with one REPORTED event carrying the booking's snapshot", () => {
      const incident = reportIncident(aSnapshot({ description: "rear bumper" }), "booking-backend", AT);
      expect(incident).toEqual({
        id: "00000000-0000-4000-8000-000000000001",
        rentalId: "rental-1",
        market: "kr",
        carClass: "MIDSIZE",
        dailyRate: 95_700,
        productCode: "CAP_300K",
        policyId: "kr-waiver",
        policyVersion: 1,
        status: "REPORTED",
        occurredAt: new Date("2026-11-28T03:00:00Z"),
        reportedAt: AT,
        description: "rear bumper",
        version: 1,
        events: [
          {
            at: AT,
            type: "REPORTED",
            actor: "booking-backend",
            data: {
              rentalId: "rental-1",
              market: "kr",
              carClass: "MIDSIZE",
              dailyRate: 95_700,
              productCode: "CAP_300K",
              policyId: "kr-waiver",
              policyVersion: 1,
              occurredAt: "2026-11-28T03:00:00.000Z",
              description: "rear bumper",
            },
          },
        ],
      });
    });

    it("leaves description out when none was given", () => {
      const incident = reportIncident(aSnapshot(), "a", AT);
      expect(incident).not.toHaveProperty("description");
      expect(incident.events[0]?.data).not.toHaveProperty("description");
    });
  });

  describe("every action from every status (spec §4)", () => {
    it.each(cases.filter((c) => c.to !== undefined))(
      "$action from $from → $to: status changed, version + 1, one event of the new status appended",
      ({ action, from, to }) => {
        const before = anIncident(from);
        const after = value(changeIncident(before, CHANGES[action], "clerk", AT));
        expect(after.status).toBe(to);
        expect(after.version).toBe(before.version + 1);
        expect(after.events.slice(0, -1)).toEqual(before.events);
        expect(after.events.at(-1)).toMatchObject({ at: AT, type: to, actor: "clerk" });
      },
    );

    it.each(cases.filter((c) => c.to === undefined))(
      "$action from $from is ILLEGAL_TRANSITION and changes nothing",
      ({ action, from }) => {
        const before = anIncident(from);
        const copy = structuredClone(before);
        const result = changeIncident(before, CHANGES[action], "clerk", AT);
        expect(result.ok ? "changed" : result.error.code).toBe("WAIVER.ILLEGAL_TRANSITION");
        expect(before).toEqual(copy);
      },
    );
  });

  describe("assessment", () => {
    it("records the assessment and liability and their event data", () => {
      const liability = liabilityFor();
      const assessed = value(
        assess(anIncident("REPORTED"), { assessment: workedAssessment, liability }, "adjuster", AT),
      );
      expect(assessed).toMatchObject({ status: "ASSESSED", assessment: workedAssessment, liability, version: 2 });
      expect(assessed.events[1]).toEqual({
        at: AT,
        type: "ASSESSED",
        actor: "adjuster",
        data: { assessment: workedAssessment, liability },
      });
    });

    it("may be redone while ASSESSED: the new assessment and liability replace the old, another ASSESSED event follows", () => {
      const first = anIncident("ASSESSED");
      const lighter = { ...workedAssessment, repairCost: 100_000, repairDays: 1 };
      const again = value(assess(first, { assessment: lighter, liability: liabilityFor(lighter) }, "adjuster", AT));
      expect(again).toMatchObject({ status: "ASSESSED", assessment: lighter, version: first.version + 1 });
      expect(again.liability?.owed).toBe(147_850);
      expect(again.events.map((e) => e.type)).toEqual(["REPORTED", "ASSESSED", "ASSESSED"]);
    });
  });

  describe("charging", () => {
    it("freezes charged at the liability's owed amount", () => {
      const charged = value(charge(anIncident("ASSESSED"), "billing", AT));
      expect(charged).toMatchObject({ status: "CHARGED", charged: 300_000 });
      expect(charged.events.at(-1)?.data).toEqual({ charged: 300_000 });
    });
  });

  describe("resolution of a dispute", () => {
    const disputed = () => anIncident("DISPUTED");

    it("defaults to the charged amount", () => {
      const resolved = value(resolve(disputed(), { note: "upheld" }, "clerk", AT));
      expect(resolved).toMatchObject({ status: "RESOLVED", resolution: { owed: 300_000, note: "upheld" } });
      expect(resolved.events.at(-1)?.data).toEqual({ owed: 300_000, note: "upheld" });
    });

    it("may lower what is owed, and keeps the liability and the charge as they were", () => {
      const before = disputed();
      const resolved = value(resolve(before, { owed: 120_000, note: "partly upheld" }, "clerk", AT));
      expect(resolved).toMatchObject({ resolution: { owed: 120_000, note: "partly upheld" }, charged: 300_000 });
      expect(resolved.liability).toEqual(before.liability);
    });

    it("may equal the charge or waive it all", () => {
      expect(value(resolve(disputed(), { owed: 300_000, note: "upheld" }, "c", AT)).resolution?.owed).toBe(300_000);
      expect(value(resolve(disputed(), { owed: 0, note: "waived" }, "c", AT)).resolution?.owed).toBe(0);
    });

    it("refuses more than was charged with RESOLUTION_ABOVE_CHARGE, naming owed, and changes nothing", () => {
      const before = disputed();
      const copy = structuredClone(before);
      const result = resolve(before, { owed: 300_010, note: "more" }, "clerk", AT);
      expect(result.ok ? "resolved" : [result.error.code, result.error.issues[0]?.field]).toEqual([
        "WAIVER.RESOLUTION_ABOVE_CHARGE",
        "owed",
      ]);
      expect(before).toEqual(copy);
    });

    it("refuses to resolve what is not disputed before looking at the amount", () => {
      const result = resolve(anIncident("CHARGED"), { owed: 999_999_999, note: "x" }, "clerk", AT);
      expect(result.ok ? "resolved" : result.error.code).toBe("WAIVER.ILLEGAL_TRANSITION");
    });
  });

  it("keeps the whole history, one event and one version per change", () => {
    let incident: Incident = reportIncident(aSnapshot(), "booking", minutesLater(0));
    incident = value(
      assess(incident, { assessment: workedAssessment, liability: liabilityFor() }, "adjuster", minutesLater(1)),
    );
    incident = value(charge(incident, "billing", minutesLater(2)));
    incident = value(dispute(incident, { reason: "not my scratch" }, "customer-care", minutesLater(3)));
    incident = value(resolve(incident, { owed: 150_000, note: "half" }, "customer-care", minutesLater(4)));
    expect(incident.version).toBe(5);
    expect(incident.events.map((e) => [e.type, e.actor, e.at])).toEqual([
      ["REPORTED", "booking", minutesLater(0)],
      ["ASSESSED", "adjuster", minutesLater(1)],
      ["CHARGED", "billing", minutesLater(2)],
      ["DISPUTED", "customer-care", minutesLater(3)],
      ["RESOLVED", "customer-care", minutesLater(4)],
    ]);
    expect(incident.events.map((e) => e.data).slice(2)).toEqual([
      { charged: 300_000 },
      { reason: "not my scratch" },
      { owed: 150_000, note: "half" },
    ]);
  });

  it("records why an incident was cancelled, and settles without data", () => {
    expect(value(cancel(anIncident("ASSESSED"), { reason: "duplicate" }, "c", AT)).events.at(-1)?.data).toEqual({
      reason: "duplicate",
    });
    expect(value(settle(anIncident("CHARGED"), "c", AT)).events.at(-1)).toEqual({
      at: AT,
      type: "SETTLED",
      actor: "c",
      data: {},
    });
  });
});

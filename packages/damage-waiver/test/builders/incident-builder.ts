import type { Assessment, Incident, IncidentStatus } from "../../src/domain/incident.js";
import {
  assess,
  cancel,
  charge,
  dispute,
  type IncidentSnapshot,
  reportIncident,
  resolve,
  settle,
} from "../../src/domain/incident-lifecycle.js";
import { computeLiability } from "../../src/domain/liability.js";
import type { WaiverPolicyDocument } from "../../src/domain/waiver-policy.js";
import { productOf, referencePolicy } from "./policy-builder.js";

/** The assessment of spec §3's worked example: repair 1,200,000, 3 days, fault 100 %, no exclusion. */
export const workedAssessment: Assessment = { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] };

/** The booking of spec §3's worked example: a MIDSIZE car at 95,700 a day with CAP_300K, policy version 1. */
export function aSnapshot(overrides: Partial<IncidentSnapshot> = {}): IncidentSnapshot {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    rentalId: "rental-1",
    market: "kr",
    carClass: "MIDSIZE",
    dailyRate: 95_700,
    productCode: "CAP_300K",
    policyId: "kr-waiver",
    policyVersion: 1,
    occurredAt: new Date("2026-11-28T03:00:00Z"),
    ...overrides,
  };
}

const T0 = Date.parse("2026-11-28T05:00:00Z");

/** An instant `minutes` after the report of a built incident. */
export function minutesLater(minutes: number): Date {
  return new Date(T0 + minutes * 60_000);
}

/**
 * An incident brought to `status` through the real lifecycle (reported, assessed with the worked example,
 * charged, …), one minute between steps, by actor "builder".
 */
export function anIncident(
  status: IncidentStatus,
  overrides: Partial<IncidentSnapshot> = {},
  policy: WaiverPolicyDocument = referencePolicy(),
): Incident {
  const snapshot = aSnapshot(overrides);
  let minute = 0;
  const next = () => minutesLater(minute++);
  let incident = reportIncident(snapshot, "builder", next());
  const step = (result: { ok: true; value: Incident } | { ok: false; error: Error }) => {
    if (!result.ok) throw result.error;
    incident = result.value;
  };
  if (status === "REPORTED") return incident;
  if (status === "CANCELLED") {
    step(cancel(incident, { reason: "reported by mistake" }, "builder", next()));
    return incident;
  }
  const liability = computeLiability(
    policy,
    productOf(snapshot.productCode, policy),
    snapshot.dailyRate,
    workedAssessment,
  );
  step(assess(incident, { assessment: workedAssessment, liability }, "builder", next()));
  if (status === "ASSESSED") return incident;
  step(charge(incident, "builder", next()));
  if (status === "CHARGED") return incident;
  if (status === "SETTLED") {
    step(settle(incident, "builder", next()));
    return incident;
  }
  step(dispute(incident, { reason: "the scratch was there before" }, "builder", next()));
  if (status === "DISPUTED") return incident;
  step(resolve(incident, { owed: 150_000, note: "half, as agreed" }, "builder", next()));
  return incident;
}

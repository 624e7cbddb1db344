import { describe, expect, it } from "vitest";
import { FakeClock, InMemoryIncidents } from "../../test/builders/fakes.js";
import { anIncident, workedAssessment } from "../../test/builders/incident-builder.js";
import { published, referencePolicy } from "../../test/builders/policy-builder.js";
import type { Assessment, Exclusion, Incident } from "../domain/incident.js";
import { charge } from "../domain/incident-lifecycle.js";
import { type AssessIncidentCommand, assessIncident } from "./assess-incident.js";
import { MAX_UPDATE_ATTEMPTS } from "./incident-updates.js";
import { PolicyCatalog } from "./policy-catalog.js";

const NOW = new Date("2026-12-01T09:00:00Z");
const ID = "00000000-0000-4000-8000-000000000001";

function setup(stored: Incident = anIncident("REPORTED")) {
  const catalog = new PolicyCatalog();
  catalog.add([published(referencePolicy(), 1)]);
  const incidents = new InMemoryIncidents();
  incidents.put(stored);
  const clock = new FakeClock(NOW);
  return { incidents, deps: { catalog, incidents, clock } };
}

type Deps = ReturnType<typeof setup>["deps"];

function command(overrides: Partial<AssessIncidentCommand> = {}): AssessIncidentCommand {
  return { incidentId: ID, assessment: workedAssessment, actor: "adjuster", ...overrides };
}

async function assessed(deps: Deps, c: AssessIncidentCommand = command()) {
  const result = await assessIncident(deps, c);
  if (!result.ok) throw result.error;
  return result.value;
}

async function refusal(deps: Deps, c: AssessIncidentCommand) {
  const result = await assessIncident(deps, c);
  return result.ok ? "assessed" : [result.error.code, result.error.issues.map((i) => i.field)];
}

describe("assessIncident", () => {
  it("computes spec §3's example for CAP_300K, 300,000 owed, and stores the ASSESSED incident", async () => {
    const { deps, incidents } = setup();
    const incident = await assessed(deps);
    expect(incident).toMatchObject({
      status: "ASSESSED",
      version: 2,
      assessment: workedAssessment,
      liability: {
        lossOfUse: 143_550,
        damage: 1_343_550,
        share: 1_343_550,
        owed: 300_000,
        basis: "CAPPED",
        currency: "KRW",
      },
    });
    expect(incident.events.at(-1)).toMatchObject({ type: "ASSESSED", at: NOW, actor: "adjuster" });
    expect(await incidents.get(ID)).toEqual(incident);
  });

  it("computes a legacy product's liability: LEGACY_FIXED_300K owes 443,550, and 400,480 at fault 70", async () => {
    const { deps } = setup(anIncident("REPORTED", { productCode: "LEGACY_FIXED_300K" }));
    expect((await assessed(deps)).liability).toMatchObject({ owed: 443_550, basis: "FIXED_DEDUCTIBLE" });
    const again = await assessed(deps, command({ assessment: { ...workedAssessment, faultPercent: 70 } }));
    expect(again.liability).toMatchObject({ owed: 400_480, basis: "FIXED_DEDUCTIBLE" });
  });

  it("voids the waiver for an exclusion: 1,343,550 with DRUNK_DRIVING", async () => {
    const { deps } = setup();
    const exclusions: Exclusion[] = ["DRUNK_DRIVING"];
    const incident = await assessed(deps, command({ assessment: { ...workedAssessment, exclusions } }));
    expect(incident.liability).toMatchObject({ owed: 1_343_550, basis: "EXCLUDED" });
  });

  it("uses the incident's own policy version, not the one in effect now", async () => {
    const { deps } = setup();
    const halfLossOfUse = { ...referencePolicy(), lossOfUse: { percentOfDailyRate: 25, maxDays: 5 } };
    deps.catalog.add([published(halfLossOfUse, 2, new Date("2026-11-30T00:00:00Z"))]);
    expect((await assessed(deps)).liability?.lossOfUse).toBe(143_550);
  });

  it("replaces the assessment while ASSESSED", async () => {
    const { deps } = setup(anIncident("ASSESSED"));
    const lighter: Assessment = { repairCost: 100_000, repairDays: 1, faultPercent: 100, exclusions: [] };
    const incident = await assessed(deps, command({ assessment: lighter }));
    expect(incident).toMatchObject({
      status: "ASSESSED",
      version: 3,
      assessment: lighter,
      liability: { owed: 147_850 },
    });
    expect(incident.events.map((e) => e.type)).toEqual(["REPORTED", "ASSESSED", "ASSESSED"]);
  });

  it("refuses to assess a charged incident with ILLEGAL_TRANSITION and changes nothing", async () => {
    const stored = anIncident("CHARGED");
    const { deps, incidents } = setup(stored);
    expect((await refusal(deps, command()))[0]).toBe("WAIVER.ILLEGAL_TRANSITION");
    expect(await incidents.get(ID)).toEqual(stored);
  });

  it("refuses a bad assessment with INVALID_REQUEST listing every bad field, before looking the incident up", async () => {
    const { deps } = setup();
    const bad = {
      repairCost: -5,
      repairDays: 400,
      faultPercent: 101,
      exclusions: ["SPEEDING"],
    } as unknown as Assessment;
    expect(await refusal(deps, command({ incidentId: "nope", assessment: bad }))).toEqual([
      "WAIVER.INVALID_REQUEST",
      ["repairCost", "repairDays", "faultPercent", "exclusions[0]"],
    ]);
  });

  it("answers INCIDENT_NOT_FOUND for an unknown id, or one that is not a UUID", async () => {
    const { deps } = setup();
    expect((await refusal(deps, command({ incidentId: "00000000-0000-4000-8000-000000000099" })))[0]).toBe(
      "WAIVER.INCIDENT_NOT_FOUND",
    );
    expect((await refusal(deps, command({ incidentId: "1; drop table" })))[0]).toBe("WAIVER.INCIDENT_NOT_FOUND");
  });

  describe("concurrency", () => {
    it("applies the change when If-Match names the current version", async () => {
      const { deps } = setup();
      expect((await assessed(deps, command({ expectedVersion: 1 }))).version).toBe(2);
    });

    it("refuses a stale If-Match with VERSION_MISMATCH and changes nothing", async () => {
      const stored = anIncident("ASSESSED");
      const { deps, incidents } = setup(stored);
      expect(await refusal(deps, command({ expectedVersion: 1 }))).toEqual(["WAIVER.VERSION_MISMATCH", ["If-Match"]]);
      expect(await incidents.get(ID)).toEqual(stored);
    });

    it("refuses with VERSION_MISMATCH when a concurrent change wins the race after an If-Match that held", async () => {
      const { deps, incidents } = setup(anIncident("ASSESSED"));
      incidents.interfere((store) => {
        const current = anIncident("ASSESSED");
        const won = charge(current, "billing", NOW);
        if (won.ok) store.overwrite(won.value);
      });
      const result = await assessIncident(deps, command({ expectedVersion: 2 }));
      expect(result.ok ? "assessed" : [result.error.code, result.error.message]).toEqual([
        "WAIVER.VERSION_MISMATCH",
        `incident ${ID} is at version 3, not 2: reload it and decide again`,
      ]);
      expect((await incidents.get(ID))?.status).toBe("CHARGED");
    });

    it("without If-Match, retries on the fresh state after losing a race, and judges that state", async () => {
      const { deps, incidents } = setup(anIncident("ASSESSED"));
      // A concurrent re-assessment wins: retrying on it is still legal, and the retry's assessment lands last.
      incidents.interfere((store) => store.overwrite({ ...anIncident("ASSESSED"), version: 3 }));
      const incident = await assessed(deps, command({ assessment: { ...workedAssessment, faultPercent: 50 } }));
      expect(incident).toMatchObject({ version: 4, assessment: { faultPercent: 50 } });
      expect(incidents.updateAttempts).toBe(2);
    });

    it("without If-Match, refuses the retry when the winner made the change illegal", async () => {
      const { deps, incidents } = setup(anIncident("ASSESSED"));
      incidents.interfere((store) => store.overwrite(anIncident("CHARGED")));
      expect((await refusal(deps, command()))[0]).toBe("WAIVER.ILLEGAL_TRANSITION");
    });

    it(`gives up with VERSION_MISMATCH after ${MAX_UPDATE_ATTEMPTS} lost races`, async () => {
      const { deps, incidents } = setup(anIncident("REPORTED"));
      let version = 1;
      const busy = Object.assign(Object.create(incidents) as InMemoryIncidents, {
        update: async () => {
          incidents.updateAttempts++;
          incidents.overwrite({ ...anIncident("REPORTED"), version: ++version });
          return false;
        },
      });
      expect((await refusal({ ...deps, incidents: busy }, command()))[0]).toBe("WAIVER.VERSION_MISMATCH");
      expect(incidents.updateAttempts).toBe(MAX_UPDATE_ATTEMPTS);
    });
  });
});

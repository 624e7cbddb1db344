import { describe, expect, it } from "vitest";
import { FakeClock, InMemoryIncidents } from "../../test/builders/fakes.js";
import { anIncident } from "../../test/builders/incident-builder.js";
import type { Incident, IncidentStatus } from "../domain/incident.js";
import { type ChangeIncidentStatusCommand, changeIncidentStatus, type StatusChange } from "./change-incident-status.js";

const NOW = new Date("2026-12-01T09:00:00Z");
const ID = "00000000-0000-4000-8000-000000000001";

function setup(status: IncidentStatus) {
  const incidents = new InMemoryIncidents();
  const stored = anIncident(status);
  incidents.put(stored);
  return { incidents, stored, deps: { incidents, clock: new FakeClock(NOW) } };
}

type Deps = ReturnType<typeof setup>["deps"];

function command(change: StatusChange, overrides: Partial<ChangeIncidentStatusCommand> = {}) {
  return { incidentId: ID, change, actor: "clerk", ...overrides };
}

async function changed(deps: Deps, c: ChangeIncidentStatusCommand): Promise<Incident> {
  const result = await changeIncidentStatus(deps, c);
  if (!result.ok) throw result.error;
  return result.value;
}

async function refusal(deps: Deps, c: ChangeIncidentStatusCommand) {
  const result = await changeIncidentStatus(deps, c);
  return result.ok ? "changed" : [result.error.code, result.error.issues.map((i) => i.field)];
}

describe("changeIncidentStatus", () => {
  it("charges an assessed incident, freezing 300,000 as charged, and stores it", async () => {
    const { deps, incidents } = setup("ASSESSED");
    const incident = await changed(deps, command({ action: "charge" }));
    expect(incident).toMatchObject({ status: "CHARGED", charged: 300_000, version: 3 });
    expect(incident.events.at(-1)).toEqual({ at: NOW, type: "CHARGED", actor: "clerk", data: { charged: 300_000 } });
    expect(await incidents.get(ID)).toEqual(incident);
  });

  it.each([
    ["CHARGED", { action: "settle" }, "SETTLED"],
    ["CHARGED", { action: "dispute", reason: "was there before" }, "DISPUTED"],
    ["DISPUTED", { action: "resolve", note: "upheld" }, "RESOLVED"],
    ["REPORTED", { action: "cancel", reason: "duplicate" }, "CANCELLED"],
    ["ASSESSED", { action: "cancel", reason: "customer paid the garage" }, "CANCELLED"],
  ] as const)("from %s, %o leads to %s", async (from, change, to) => {
    const { deps } = setup(from);
    expect((await changed(deps, command(change))).status).toBe(to);
  });

  it.each([
    ["REPORTED", { action: "charge" }],
    ["CHARGED", { action: "cancel", reason: "too late" }],
    ["SETTLED", { action: "dispute", reason: "too late" }],
    ["RESOLVED", { action: "resolve", note: "again" }],
    ["CANCELLED", { action: "settle" }],
  ] as const)("from %s, %o is ILLEGAL_TRANSITION and changes nothing", async (from, change) => {
    const { deps, incidents, stored } = setup(from);
    expect((await refusal(deps, command(change)))[0]).toBe("WAIVER.ILLEGAL_TRANSITION");
    expect(await incidents.get(ID)).toEqual(stored);
  });

  describe("resolution", () => {
    it("defaults to what was charged", async () => {
      const { deps } = setup("DISPUTED");
      const incident = await changed(deps, command({ action: "resolve", note: "upheld" }));
      expect(incident.resolution).toEqual({ owed: 300_000, note: "upheld" });
    });

    it("may lower what is owed", async () => {
      const { deps } = setup("DISPUTED");
      const incident = await changed(deps, command({ action: "resolve", owed: 120_000, note: "partly" }));
      expect(incident).toMatchObject({ resolution: { owed: 120_000, note: "partly" }, charged: 300_000 });
    });

    it("refuses more than was charged with RESOLUTION_ABOVE_CHARGE and changes nothing", async () => {
      const { deps, incidents, stored } = setup("DISPUTED");
      expect(await refusal(deps, command({ action: "resolve", owed: 300_010, note: "more" }))).toEqual([
        "WAIVER.RESOLUTION_ABOVE_CHARGE",
        ["owed"],
      ]);
      expect(await incidents.get(ID)).toEqual(stored);
    });
  });

  it("refuses a blank reason or note, or a bad owed amount, with INVALID_REQUEST", async () => {
    const { deps } = setup("DISPUTED");
    expect(await refusal(deps, command({ action: "dispute", reason: " " }))).toEqual([
      "WAIVER.INVALID_REQUEST",
      ["reason"],
    ]);
    expect(await refusal(deps, command({ action: "resolve", owed: -10, note: "" }))).toEqual([
      "WAIVER.INVALID_REQUEST",
      ["owed", "note"],
    ]);
    expect((await refusal(deps, command({ action: "cancel", reason: "x".repeat(2001) })))[0]).toBe(
      "WAIVER.INVALID_REQUEST",
    );
  });

  it("answers INCIDENT_NOT_FOUND for an unknown incident", async () => {
    const { deps } = setup("ASSESSED");
    const other = "00000000-0000-4000-8000-000000000002";
    expect((await refusal(deps, command({ action: "charge" }, { incidentId: other })))[0]).toBe(
      "WAIVER.INCIDENT_NOT_FOUND",
    );
  });

  describe("If-Match", () => {
    it("applies the change when it names the current version", async () => {
      const { deps } = setup("ASSESSED");
      expect((await changed(deps, command({ action: "charge" }, { expectedVersion: 2 }))).version).toBe(3);
    });

    it("refuses a stale version with VERSION_MISMATCH before judging the transition", async () => {
      const { deps, incidents, stored } = setup("SETTLED");
      expect(await refusal(deps, command({ action: "settle" }, { expectedVersion: 3 }))).toEqual([
        "WAIVER.VERSION_MISMATCH",
        ["If-Match"],
      ]);
      expect(await incidents.get(ID)).toEqual(stored);
    });

    it("refuses a version that is no whole number from 1 with INVALID_REQUEST", async () => {
      const { deps } = setup("ASSESSED");
      expect(await refusal(deps, command({ action: "charge" }, { expectedVersion: 0 }))).toEqual([
        "WAIVER.INVALID_REQUEST",
        ["If-Match"],
      ]);
    });

    it("refuses with VERSION_MISMATCH when a concurrent change lands between the read and the write", async () => {
      const { deps, incidents } = setup("CHARGED");
      incidents.interfere((store) => store.overwrite(anIncident("SETTLED")));
      expect((await refusal(deps, command({ action: "dispute", reason: "x" }, { expectedVersion: 3 })))[0]).toBe(
        "WAIVER.VERSION_MISMATCH",
      );
      expect((await incidents.get(ID))?.status).toBe("SETTLED");
    });

    it("without it, a change that loses the race is judged again on the winner's state", async () => {
      const { deps, incidents } = setup("CHARGED");
      incidents.interfere((store) => store.overwrite(anIncident("SETTLED")));
      expect((await refusal(deps, command({ action: "dispute", reason: "x" })))[0]).toBe("WAIVER.ILLEGAL_TRANSITION");
    });
  });
});

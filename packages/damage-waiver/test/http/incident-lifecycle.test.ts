import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type CallOptions,
  createHttpTestDatabase,
  errorLogs,
  expectIncident,
  expectProblem,
  type IncidentJson,
  REFERENCE_POLICY_YAML,
  report,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
} from "./waiver-service-under-test.js";

// Spec §4 and §5: the incident lifecycle over HTTP, its history with actors, If-Match, and every refusal.
const BOOKING_TOKEN = "booking-backend-token-0123456789";
const CLAIMS_TOKEN = "claims-desk-token-0123456789";

type Action = "assess" | "charge" | "settle" | "dispute" | "resolve" | "cancel";

/** Each action as the request that performs it. */
function requestOf(action: Action, id: string): { method: string; path: string; options: CallOptions } {
  switch (action) {
    case "assess":
      return {
        method: "PUT",
        path: `/v1/incidents/${id}/assessment`,
        options: { body: { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] } },
      };
    case "charge":
    case "settle":
      return { method: "POST", path: `/v1/incidents/${id}/${action}`, options: {} };
    case "dispute":
    case "cancel":
      return { method: "POST", path: `/v1/incidents/${id}/${action}`, options: { body: { reason: `why ${action}` } } };
    case "resolve":
      return { method: "POST", path: `/v1/incidents/${id}/resolve`, options: { body: { note: "goodwill" } } };
  }
}

/** The actions that lead to each status from a new incident. */
const PATH_TO: Record<string, Action[]> = {
  REPORTED: [],
  ASSESSED: ["assess"],
  CHARGED: ["assess", "charge"],
  SETTLED: ["assess", "charge", "settle"],
  DISPUTED: ["assess", "charge", "dispute"],
  RESOLVED: ["assess", "charge", "dispute", "resolve"],
  CANCELLED: ["cancel"],
};

/** Which actions each status allows (spec §4). */
const ALLOWED: Record<string, Action[]> = {
  REPORTED: ["assess", "cancel"],
  ASSESSED: ["assess", "charge", "cancel"],
  CHARGED: ["settle", "dispute"],
  SETTLED: [],
  DISPUTED: ["resolve"],
  RESOLVED: [],
  CANCELLED: [],
};
const ACTIONS: Action[] = ["assess", "charge", "settle", "dispute", "resolve", "cancel"];

describe.each(databasesUnderTest())("The incident lifecycle over HTTP, on %s", (kind) => {
  let database: TestDatabase;
  let server: WaiverUnderTest;

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    server = await startWaiverUnderTest({
      database,
      clock: testClock("2026-11-25T00:00:00Z"),
      serviceTokens: `booking:${BOOKING_TOKEN},claims:${CLAIMS_TOKEN}`,
    });
    await server.publish(REFERENCE_POLICY_YAML);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    expect(errorLogs(server)).toEqual([]);
  });

  const act = async (action: Action, id: string, extra: CallOptions = {}) => {
    const { method, path, options } = requestOf(action, id);
    return server.call(method, path, { token: BOOKING_TOKEN, ...options, ...extra });
  };
  const read = async (id: string) =>
    expectIncident((await server.call("GET", `/v1/incidents/${id}`, { token: BOOKING_TOKEN })).json);
  const incidentIn = async (status: string): Promise<IncidentJson> => {
    const incident = await report(server, {}, { token: BOOKING_TOKEN });
    for (const action of PATH_TO[status] ?? []) {
      const answer = await act(action, incident.id);
      expect(answer.status, answer.text).toBe(200);
    }
    const now = await read(incident.id);
    expect(now.status).toBe(status);
    return now;
  };

  it("When an incident goes REPORTED → ASSESSED → CHARGED → DISPUTED → RESOLVED, then each step is an event with its time and actor, and the version counts them", async () => {
    server.clock.set("2026-11-25T01:00:00Z");
    const incident = await report(server, {}, { token: BOOKING_TOKEN });

    server.clock.set("2026-11-26T02:00:00Z");
    const assessed = await server.call("PUT", `/v1/incidents/${incident.id}/assessment`, {
      token: CLAIMS_TOKEN,
      headers: { "if-match": '"1"' },
      body: { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] },
    });
    server.clock.set("2026-11-27T03:00:00Z");
    const charged = await server.call("POST", `/v1/incidents/${incident.id}/charge`, {
      token: ADMIN_TOKEN,
      headers: { "if-match": '"2"' },
    });
    server.clock.set("2026-11-28T04:00:00Z");
    const disputed = await server.call("POST", `/v1/incidents/${incident.id}/dispute`, {
      token: BOOKING_TOKEN,
      headers: { "if-match": '"3"' },
      body: { reason: "the scratch was there before" },
    });
    server.clock.set("2026-11-29T05:00:00Z");
    const resolved = await server.call("POST", `/v1/incidents/${incident.id}/resolve`, {
      token: CLAIMS_TOKEN,
      headers: { "if-match": '"4"' },
      body: { owed: 150_000, note: "half, as a gesture" },
    });

    for (const answer of [assessed, charged, disputed, resolved]) expect(answer.status, answer.text).toBe(200);
    const final = await read(incident.id);
    expect(final).toEqual(expectIncident(resolved.json));
    expect(final).toMatchObject({
      status: "RESOLVED",
      version: 5,
      assessment: { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] },
      liability: { lossOfUse: 143_550, damage: 1_343_550, share: 1_343_550, owed: 300_000, basis: "CAPPED" },
      charged: 300_000,
      resolution: { owed: 150_000, note: "half, as a gesture" },
    });
    expect(final.events.map((e) => [e.at, e.type, e.actor])).toEqual([
      ["2026-11-25T01:00:00.000Z", "REPORTED", "booking"],
      ["2026-11-26T02:00:00.000Z", "ASSESSED", "claims"],
      ["2026-11-27T03:00:00.000Z", "CHARGED", "ops"],
      ["2026-11-28T04:00:00.000Z", "DISPUTED", "booking"],
      ["2026-11-29T05:00:00.000Z", "RESOLVED", "claims"],
    ]);
    expect(final.events[3]?.data).toEqual({ reason: "the scratch was there before" });
    expect(final.events[4]?.data).toEqual({ owed: 150_000, note: "half, as a gesture" });
    expect(resolved.headers.get("etag")).toBe('"5"');
  });

  it("When a charged incident is settled, then it is SETTLED and the charge stays frozen", async () => {
    const charged = await incidentIn("CHARGED");

    const answer = await act("settle", charged.id, { headers: { "if-match": `"${charged.version}"` } });

    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ status: "SETTLED", charged: 300_000, version: charged.version + 1 });
  });

  it("When an assessed incident is assessed again, then the new assessment and liability replace the old ones and another ASSESSED event is added", async () => {
    const assessed = await incidentIn("ASSESSED");

    const answer = await server.call("PUT", `/v1/incidents/${assessed.id}/assessment`, {
      token: CLAIMS_TOKEN,
      body: { repairCost: 200_000, repairDays: 0, faultPercent: 50, exclusions: ["UNREPORTED"] },
    });

    expect(answer.status, answer.text).toBe(200);
    const reassessed = expectIncident(answer.json);
    expect(reassessed.assessment).toEqual({
      repairCost: 200_000,
      repairDays: 0,
      faultPercent: 50,
      exclusions: ["UNREPORTED"],
    });
    expect(reassessed.liability).toMatchObject({ lossOfUse: 0, damage: 200_000, owed: 100_000, basis: "EXCLUDED" });
    expect(reassessed.events.map((e) => e.type)).toEqual(["REPORTED", "ASSESSED", "ASSESSED"]);
    expect(reassessed.version).toBe(3);
  });

  it("When a dispute is resolved without an amount, then the customer owes what was charged", async () => {
    const disputed = await incidentIn("DISPUTED");

    const answer = await act("resolve", disputed.id);

    expect(answer.status, answer.text).toBe(200);
    expect(answer.json.resolution).toEqual({ owed: 300_000, note: "goodwill" });
  });

  it("When a resolution asks for more than was charged, then it is refused with 422 RESOLUTION_ABOVE_CHARGE naming /owed, and nothing changes", async () => {
    const disputed = await incidentIn("DISPUTED");

    const answer = await server.call("POST", `/v1/incidents/${disputed.id}/resolve`, {
      token: CLAIMS_TOKEN,
      body: { owed: 300_001, note: "too much" },
    });

    const problem = expectProblem(answer, 422, "WAIVER.RESOLUTION_ABOVE_CHARGE");
    expect(problem.errors).toEqual([{ field: "/owed", message: "must not be greater than the charged 300000" }]);
    expect(await read(disputed.id)).toEqual(disputed);
  });

  it.each([
    { from: "REPORTED", action: "cancel" as const },
    { from: "ASSESSED", action: "cancel" as const },
  ])(
    "When a $from incident is cancelled, then it is CANCELLED with the reason in its history",
    async ({ from, action }) => {
      const incident = await incidentIn(from);

      const answer = await act(action, incident.id);

      expect(answer.status, answer.text).toBe(200);
      const cancelled = expectIncident(answer.json);
      expect(cancelled.status).toBe("CANCELLED");
      expect(cancelled.events.at(-1)).toMatchObject({
        type: "CANCELLED",
        actor: "booking",
        data: { reason: "why cancel" },
      });
    },
  );

  describe("illegal transitions", () => {
    const incidents = new Map<string, IncidentJson>();
    beforeAll(async () => {
      for (const status of Object.keys(PATH_TO)) incidents.set(status, await incidentIn(status));
    });

    const cases = Object.keys(PATH_TO).flatMap((status) =>
      ACTIONS.filter((action) => !(ALLOWED[status] ?? []).includes(action)).map((action) => ({ status, action })),
    );

    it.each(cases)(
      "When a $status incident is asked to $action, then it is refused with 409 ILLEGAL_TRANSITION and nothing changes",
      async ({ status, action }) => {
        const before = incidents.get(status) as IncidentJson;

        const answer = await act(action, before.id, { headers: { "if-match": `"${before.version}"` } });

        const problem = expectProblem(answer, 409, "WAIVER.ILLEGAL_TRANSITION");
        expect(problem.errors?.[0]?.field).toBe("status");
        expect(problem.detail).toContain(status);
        const after = await read(before.id);
        expect(after).toEqual(before);
      },
    );

    it("covers every status and action not allowed by spec §4", () => {
      expect(cases).toHaveLength(7 * 6 - 8);
    });
  });

  describe("If-Match", () => {
    it("When If-Match names a stale version, then the change is refused with 412 VERSION_MISMATCH naming If-Match, and nothing changes", async () => {
      const assessed = await incidentIn("ASSESSED");

      const answer = await act("charge", assessed.id, { headers: { "if-match": '"1"' } });

      const problem = expectProblem(answer, 412, "WAIVER.VERSION_MISMATCH");
      expect(problem.errors).toEqual([{ field: "If-Match", message: "stale: the incident is at version 2" }]);
      expect(await read(assessed.id)).toEqual(assessed);
    });

    it("When If-Match is *, then the change applies whatever the version", async () => {
      const assessed = await incidentIn("ASSESSED");

      const answer = await act("charge", assessed.id, { headers: { "if-match": "*" } });

      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers.get("etag")).toBe('"3"');
    });

    it.each(["1", 'W/"2"', '"2", "3"', '"abc"', '"0"', '"02"', ""])(
      "When If-Match is %j, which is no ETag of this API, then the change is refused with 400 INVALID_REQUEST naming If-Match",
      async (ifMatch) => {
        const assessed = await incidentIn("ASSESSED");

        const answer = await act("charge", assessed.id, { headers: { "if-match": ifMatch } });

        const problem = expectProblem(answer, 400, "WAIVER.INVALID_REQUEST");
        expect(problem.errors?.map((e) => e.field)).toEqual(["If-Match"]);
        expect(await read(assessed.id)).toEqual(assessed);
      },
    );

    it("When two assessments race with the same If-Match, then one wins (200), the other gets 412, and the history holds only the winner", async () => {
      for (let round = 0; round < 5; round++) {
        const incident = await report(server, {}, { token: BOOKING_TOKEN });
        const bodies = [
          { repairCost: 100_000, repairDays: 1, faultPercent: 100, exclusions: [] },
          { repairCost: 900_000, repairDays: 2, faultPercent: 40, exclusions: [] },
        ];

        const answers = await Promise.all(
          bodies.map((body) =>
            server.call("PUT", `/v1/incidents/${incident.id}/assessment`, {
              token: CLAIMS_TOKEN,
              headers: { "if-match": '"1"' },
              body,
            }),
          ),
        );

        expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
        const winner = answers.findIndex((a) => a.status === 200);
        const loser = answers[1 - winner];
        if (loser !== undefined) expectProblem(loser, 412, "WAIVER.VERSION_MISMATCH");
        const final = await read(incident.id);
        expect(final.version).toBe(2);
        expect(final.events.map((e) => e.type)).toEqual(["REPORTED", "ASSESSED"]);
        expect(final.assessment).toEqual(bodies[winner]);
      }
    });

    it("When two assessments race without If-Match, then both apply one after the other and no update is lost", async () => {
      const incident = await report(server, {}, { token: BOOKING_TOKEN });

      const answers = await Promise.all(
        [100_000, 900_000].map((repairCost) =>
          server.call("PUT", `/v1/incidents/${incident.id}/assessment`, {
            token: CLAIMS_TOKEN,
            body: { repairCost, repairDays: 1, faultPercent: 100, exclusions: [] },
          }),
        ),
      );

      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const final = await read(incident.id);
      expect(final.version).toBe(3);
      expect(final.events.map((e) => e.type)).toEqual(["REPORTED", "ASSESSED", "ASSESSED"]);
      const last = answers.find((a) => a.json.version === 3);
      expect(final.assessment).toEqual(last?.json.assessment);
    });
  });

  describe("unknown incidents", () => {
    it.each([
      ["a UUID no incident has", "00000000-0000-4000-8000-000000000000"],
      ["an id that is no UUID", "not-a-uuid"],
    ])("When %s is read or changed, then the answer is 404 INCIDENT_NOT_FOUND naming id", async (_given, id) => {
      for (const answer of [
        await server.call("GET", `/v1/incidents/${id}`, { token: BOOKING_TOKEN }),
        await act("assess", id),
        await act("charge", id, { headers: { "if-match": '"1"' } }),
        await act("cancel", id),
      ]) {
        const problem = expectProblem(answer, 404, "WAIVER.INCIDENT_NOT_FOUND");
        expect(problem.errors).toEqual([{ field: "id", message: "not found" }]);
      }
    });
  });
});

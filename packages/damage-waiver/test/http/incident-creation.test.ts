import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows } from "../postgres/waiver-test-data.js";
import {
  createHttpTestDatabase,
  errorLogs,
  expectIncident,
  expectProblem,
  incidentReport,
  newKey,
  REFERENCE_POLICY_YAML,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
} from "./waiver-service-under-test.js";

// Spec §5, POST /v1/incidents: idempotent creation under the Idempotency-Key header, and the order of checks
// (key present, body shape, idempotent replay, policy version, product).
describe.each(databasesUnderTest())("Reporting an incident over HTTP, on %s", (kind) => {
  let database: TestDatabase;
  let server: WaiverUnderTest;

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    server = await startWaiverUnderTest({ database, clock: testClock("2026-11-25T00:00:00Z") });
    await server.publish(REFERENCE_POLICY_YAML);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    expect(errorLogs(server)).toEqual([]);
  });

  const post = (body: unknown, key: string | undefined, raw?: string) =>
    server.call("POST", "/v1/incidents", {
      ...(raw === undefined ? { body } : { raw }),
      headers: key === undefined ? {} : { "idempotency-key": key },
    });

  it("When an incident is reported, then it is created REPORTED at version 1 with 201, its ETag, its Location and its first event", async () => {
    server.clock.set("2026-11-25T03:00:00Z");

    const answer = await post(incidentReport({ description: "scratched rear bumper", policyVersion: 1 }), newKey());

    expect(answer.status, answer.text).toBe(201);
    const incident = expectIncident(answer.json);
    expect(incident).toMatchObject({
      rentalId: "rental-1",
      market: "kr",
      carClass: "MIDSIZE",
      dailyRate: 95_700,
      productCode: "CAP_300K",
      policyId: "kr-waiver",
      policyVersion: 1,
      status: "REPORTED",
      occurredAt: "2026-11-25T01:00:00.000Z",
      reportedAt: "2026-11-25T03:00:00.000Z",
      description: "scratched rear bumper",
      version: 1,
    });
    expect(incident.events).toEqual([
      {
        at: "2026-11-25T03:00:00.000Z",
        type: "REPORTED",
        actor: "anonymous",
        data: expect.objectContaining({ rentalId: "rental-1", productCode: "CAP_300K", policyVersion: 1 }),
      },
    ]);
    expect(answer.headers.get("etag")).toBe('"1"');
    expect(answer.headers.get("location")).toBe(`/v1/incidents/${incident.id}`);
    expect(incident.assessment).toBeUndefined();
  });

  it("When the same key comes again with a JSON-equal body (other key order, other white space), then the incident as it is now comes back with 200", async () => {
    const key = newKey();
    const created = expectIncident((await post(incidentReport({ rentalId: "rental-replay" }), key)).json);
    await server.call("PUT", `/v1/incidents/${created.id}/assessment`, {
      body: { repairCost: 100_000, repairDays: 1, faultPercent: 100, exclusions: [] },
    });
    const reordered = `{
      "occurredAt" : "2026-11-25T10:00:00+09:00",   "productCode":"CAP_300K",
      "dailyRate": 95700, "carClass": "MIDSIZE", "market": "kr", "rentalId": "rental-replay"
    }`;

    const replay = await post(undefined, key, reordered);

    expect(replay.status, replay.text).toBe(200);
    const incident = expectIncident(replay.json);
    expect(incident.id).toBe(created.id);
    expect(incident.status).toBe("ASSESSED");
    expect(incident.version).toBe(2);
    expect(replay.headers.get("etag")).toBe('"2"');
    expect(replay.headers.get("location")).toBeNull();
  });

  it("When the same key comes with another body, then it is refused with 422 IDEMPOTENCY_KEY_REUSED and nothing is created", async () => {
    const key = newKey();
    await post(incidentReport({ rentalId: "rental-reuse" }), key);
    const before = await countRows(database, "incidents");

    const answer = await post(incidentReport({ rentalId: "rental-reuse", dailyRate: 95_710 }), key);

    const problem = expectProblem(answer, 422, "WAIVER.IDEMPOTENCY_KEY_REUSED");
    expect(problem.errors).toEqual([{ field: "Idempotency-Key", message: "already used with another body" }]);
    expect(await countRows(database, "incidents")).toBe(before);
  });

  it.each<{ given: string; headers: Record<string, string> }>([
    { given: "no Idempotency-Key", headers: {} },
    { given: "a blank Idempotency-Key", headers: { "idempotency-key": "   " } },
  ])(
    "When an incident comes with $given, then it is refused with 400 IDEMPOTENCY_KEY_REQUIRED, before its body is even read",
    async ({ headers }) => {
      for (const request of [
        { body: incidentReport() },
        { body: { rentalId: 5 } },
        { raw: "{ not json" },
        { raw: "text", contentType: "text/plain" },
      ]) {
        const answer = await server.call("POST", "/v1/incidents", { ...request, headers });

        const problem = expectProblem(answer, 400, "WAIVER.IDEMPOTENCY_KEY_REQUIRED");
        expect(problem.errors).toEqual([{ field: "Idempotency-Key", message: "required" }]);
      }
    },
  );

  it("When the Idempotency-Key is longer than 255 characters, then it is refused with 400 INVALID_REQUEST naming the header", async () => {
    const answer = await post(incidentReport(), "k".repeat(256));

    const problem = expectProblem(answer, 400, "WAIVER.INVALID_REQUEST");
    expect(problem.errors).toEqual([{ field: "Idempotency-Key", message: "must be at most 255 characters" }]);
  });

  it("When 50 identical reports with one key arrive at once, then exactly one incident is created and every caller gets it", async () => {
    const key = newKey();
    const body = incidentReport({ rentalId: "rental-stampede" });

    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body, key)));

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const ids = new Set(answers.map((a) => expectIncident(a.json).id));
    expect(ids.size).toBe(1);
    const rows = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM waiver.incidents WHERE idempotency_key = ${key}`,
    );
    expect(rows[0]?.n).toBe(1);
    const [id] = ids;
    const events = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM waiver.incident_events WHERE incident_id = ${id}::uuid`,
    );
    expect(events[0]?.n).toBe(1);
  });

  it("When the policy version given does not exist for the market, then it is refused with 404 POLICY_NOT_FOUND naming /policyVersion", async () => {
    const answer = await post(incidentReport({ policyVersion: 9 }), newKey());

    const problem = expectProblem(answer, 404, "WAIVER.POLICY_NOT_FOUND");
    expect(problem.errors).toEqual([{ field: "/policyVersion", message: "no such version for the market" }]);
  });

  it("When no version is given and none was in effect at occurredAt, then it is refused with 404 POLICY_NOT_FOUND naming /occurredAt", async () => {
    const answer = await post(incidentReport({ occurredAt: "2020-01-01T00:00:00Z" }), newKey());

    const problem = expectProblem(answer, 404, "WAIVER.POLICY_NOT_FOUND");
    expect(problem.errors).toEqual([{ field: "/occurredAt", message: "no waiver policy in effect" }]);
  });

  it("When the product is not in the policy version, then it is refused with 422 UNKNOWN_PRODUCT naming /productCode", async () => {
    const answer = await post(incidentReport({ productCode: "CAP_1M" }), newKey());

    const problem = expectProblem(answer, 422, "WAIVER.UNKNOWN_PRODUCT");
    expect(fieldsOf(problem)).toEqual(["/productCode"]);
  });

  it("When the body is invalid and the key was used before, then the body is refused first (400), as the spec orders the checks", async () => {
    const key = newKey();
    await post(incidentReport({ rentalId: "rental-order" }), key);

    const answer = await post(incidentReport({ rentalId: "rental-order", dailyRate: "95700" }), key);

    const problem = expectProblem(answer, 400, "WAIVER.INVALID_REQUEST");
    expect(fieldsOf(problem)).toEqual(["/dailyRate"]);
  });

  it("When a legacy (non-sellable) product is reported, then the incident is created: old bookings still compute", async () => {
    const answer = await post(incidentReport({ productCode: "LEGACY_FIXED_300K" }), newKey());

    expect(answer.status, answer.text).toBe(201);
  });
});

function fieldsOf(problem: { errors?: { field: string }[] }): string[] {
  return (problem.errors ?? []).map((e) => e.field).sort();
}

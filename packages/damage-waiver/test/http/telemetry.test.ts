import { createMetricsRegistry, databasesUnderTest, type Registry, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  createHttpTestDatabase,
  expectIncident,
  REFERENCE_POLICY_YAML,
  report,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
} from "./waiver-service-under-test.js";

const SERVICE_TOKEN = "booking-backend-token-0123456789";

/** The value of the series of `name` with exactly these labels, 0 when it does not exist. */
async function sampleOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return values.find((v) => JSON.stringify(Object.entries(v.labels).sort()) === wanted)?.value ?? 0;
}

describe.each(databasesUnderTest())("damage-waiver telemetry: metrics, logs and probes over HTTP, on %s", (kind) => {
  let database: TestDatabase;
  let server: WaiverUnderTest;
  let registry: Registry;
  let incidentId: string;

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    registry = createMetricsRegistry();
    server = await startWaiverUnderTest({
      database,
      clock: testClock("2026-11-25T00:00:00Z"),
      serviceTokens: `booking:${SERVICE_TOKEN}`,
      metrics: registry,
    });
    await server.publish(REFERENCE_POLICY_YAML);
    const quote = await server.call("POST", "/v1/waiver-quotes", {
      token: SERVICE_TOKEN,
      headers: { "x-request-id": "booking-42" },
      body: {
        market: "kr",
        carClass: "MIDSIZE",
        startAt: "2026-12-01T09:00:00+09:00",
        endAt: "2026-12-02T11:00:00+09:00",
        driverAge: 30,
        licenseYears: 5,
      },
    });
    expect(quote.status, quote.text).toBe(200);
    const incident = await report(server, {}, { token: SERVICE_TOKEN });
    incidentId = incident.id;
    server.clock.set("2026-11-26T02:00:00Z");
    const assessed = await server.call("PUT", `/v1/incidents/${incidentId}/assessment`, {
      token: SERVICE_TOKEN,
      body: { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] },
    });
    expectIncident(assessed.json);
    const charged = await server.call("POST", `/v1/incidents/${incidentId}/charge`, { token: SERVICE_TOKEN });
    expect(charged.status, charged.text).toBe(200);
    const refused = await server.call("GET", `/v1/incidents/${incidentId}`, { token: "wrong-token-0123456789" });
    expect(refused.status).toBe(401);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
  });

  it("counts waiver quotes by market and car class", async () => {
    expect(await sampleOf(registry, "carfare_waiver_quotes_total", { market: "kr", car_class: "MIDSIZE" })).toBe(1);
  });

  it("counts incident transitions from and to each status, and liabilities by basis with what is owed", async () => {
    const transition = (from: string, to: string) =>
      sampleOf(registry, "carfare_incident_transitions_total", { market: "kr", from, to });
    expect(await transition("NONE", "REPORTED")).toBe(1);
    expect(await transition("REPORTED", "ASSESSED")).toBe(1);
    expect(await transition("ASSESSED", "CHARGED")).toBe(1);
    expect(await sampleOf(registry, "carfare_liabilities_total", { market: "kr", basis: "CAPPED" })).toBe(1);
    // CAP_300K caps what the customer owes for this incident at 300,000 won (spec §3 worked example).
    expect(await sampleOf(registry, "carfare_liability_owed_total", { market: "kr", currency: "KRW" })).toBe(300_000);
  });

  it("times requests by method, route template and status code, never by raw URL", async () => {
    const text = await registry.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{method="POST",route="/v1/incidents/:id/charge",status_code="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/v1/incidents/:id",status_code="401"} 1',
    );
    expect(text).not.toContain(incidentId);
  });

  it("writes one line per request carrying the caller's x-request-id, the route, the status and the duration", () => {
    const line = server.logs.find((l) => l.request_id === "booking-42" && l.msg === "http request");
    expect(line).toMatchObject({ level: 20, method: "POST", route: "/v1/waiver-quotes", status_code: 200 });
    expect(line?.duration_ms).toBeGreaterThanOrEqual(0);
    const refusal = server.logs.find((l) => l.msg === "http request" && l.status_code === 401);
    expect(refusal).toMatchObject({ level: 30, route: "/v1/incidents/:id" });
    expect(refusal?.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("counts its log lines by level", async () => {
    expect(await sampleOf(registry, "log_messages_total", { level: "debug" })).toBeGreaterThan(3);
    expect(await sampleOf(registry, "log_messages_total", { level: "info" })).toBeGreaterThan(0);
  });

  it("never logs a token (logging at debug)", () => {
    const all = JSON.stringify(server.logs);
    expect(all).not.toContain(SERVICE_TOKEN);
    expect(all).not.toContain(ADMIN_TOKEN);
    expect(all).not.toContain("wrong-token-0123456789");
  });

  it("answers GET /healthz and GET /readyz with 200 without a token, and keeps them out of the OpenAPI document", async () => {
    const health = await server.call("GET", "/healthz");
    const ready = await server.call("GET", "/readyz");
    expect([health.status, health.json]).toEqual([200, { status: "ok" }]);
    expect([ready.status, ready.json]).toEqual([200, { status: "ready" }]);
    const openapi = await server.call<{ paths: Record<string, unknown> }>("GET", "/openapi.json");
    expect(Object.keys(openapi.json.paths)).not.toContain("/healthz");
    expect(Object.keys(openapi.json.paths)).not.toContain("/readyz");
  });
});

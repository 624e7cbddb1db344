import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpTestDatabase,
  errorLogs,
  expectProblem,
  REFERENCE_POLICY_YAML,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
} from "./waiver-service-under-test.js";

// Shutdown with a drain delay (RunningWaiverService.stop(graceMs, drainMs)): balancers see /readyz fail and
// stop sending while the requests they still send are answered; only then does the server stop.
describe.each(databasesUnderTest())("Draining before shutdown, on %s", (kind) => {
  let database: TestDatabase;
  let server: WaiverUnderTest;

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    server = await startWaiverUnderTest({ database, clock: testClock("2026-11-25T00:00:00Z") });
    await server.publish(REFERENCE_POLICY_YAML);
  });
  afterAll(async () => {
    await database?.close();
    expect(errorLogs(server)).toEqual([]);
  });

  const quote = () =>
    server.call("POST", "/v1/waiver-quotes", {
      body: {
        market: "kr",
        carClass: "MIDSIZE",
        startAt: "2026-12-01T09:00:00+09:00",
        endAt: "2026-12-02T11:00:00+09:00",
        driverAge: 30,
        licenseYears: 5,
      },
    });

  it("When the service stops with a drain delay, then during it /readyz is 503 and a waiver quote is still 200, and after it requests are refused", async () => {
    expect((await server.call("GET", "/readyz")).status).toBe(200);

    const stopped = server.service.stop(1_000, 600);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const readiness = await server.call("GET", "/readyz");
    expectProblem(readiness, 503, "WAIVER.UNAVAILABLE");
    expect(readiness.headers.get("retry-after")).toBe("1");
    const during = await quote();
    expect(during.status, during.text).toBe(200);
    expect(during.json.options.length).toBeGreaterThan(0);
    expect((await server.call("GET", "/healthz")).status).toBe(200);

    await stopped;
    await expect(quote()).rejects.toThrow();
  });
});

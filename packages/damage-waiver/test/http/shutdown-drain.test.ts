import { databasesUnderTest } from "@carfare/kit";
import { describe, expect, it } from "vitest";
import * as underTest from "./waiver-service-under-test.js";

// Shutdown with a drain delay (RunningWaiverService.stop(graceMs, drainMs)): balancers see /readyz fail and
// stop sending while the requests they still send are answered; only then does the server stop.
describe.each(databasesUnderTest())("Draining before shutdown, on %s", (kind) => {
  it("When the service stops with a drain delay, then during it /readyz is 503 and a waiver quote is still 200, and after it requests are refused", async () => {
    const database = await underTest.createHttpTestDatabase(kind);
    const server = await underTest.startWaiverUnderTest({
      database,
      clock: underTest.testClock("2026-11-25T00:00:00Z"),
    });
    try {
      await server.publish(underTest.REFERENCE_POLICY_YAML);
      const rental = {
        market: "kr",
        carClass: "MIDSIZE",
        startAt: "2026-12-05T10:00:00Z",
        endAt: "2026-12-06T12:00:00Z",
      };
      const body = { ...rental, driverAge: 40, licenseYears: 10 };
      const quote = () => server.call("POST", "/v1/waiver-quotes", { body });
      expect((await server.call("GET", "/readyz")).status).toBe(200);

      const stopped = server.service.stop(1_000, 600);
      await new Promise((resolve) => setTimeout(resolve, 100));

      const readiness = await server.call("GET", "/readyz");
      underTest.expectProblem(readiness, 503, "WAIVER.UNAVAILABLE");
      expect(readiness.headers.get("retry-after")).toBe("1");
      const during = await quote();
      expect(during.status, during.text).toBe(200);
      expect(during.json.options.length).toBeGreaterThan(0);
      expect((await server.call("GET", "/healthz")).status).toBe(200);

      await stopped;
      await expect(quote()).rejects.toThrow();
    } finally {
      await database.close();
    }
    expect(underTest.errorLogs(server)).toEqual([]);
  });
});

import { AccessTokens, createLogger } from "@carfare/kit";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildWaiverApp, PolicyCatalog } from "../../src/index.js";
import { FakeClock, InMemoryIncidents, InMemoryPolicies } from "../builders/fakes.js";

// Readiness depends on the database only; a database that fails or hangs cannot be had on cue, so these run on
// the app with in-memory ports and a `ready` check that fails as told.
const SECRET = "connect ECONNREFUSED db-primary:5432 (password=hunter2)";

describe("GET /readyz and /healthz", () => {
  let app: FastifyInstance | undefined;
  const logs: Record<string, unknown>[] = [];

  afterEach(async () => {
    await app?.close();
    app = undefined;
    logs.length = 0;
  });

  function build(ready: () => Promise<void>): Promise<FastifyInstance> {
    return buildWaiverApp({
      policies: new InMemoryPolicies(),
      incidents: new InMemoryIncidents(),
      catalog: new PolicyCatalog(),
      clock: new FakeClock(new Date("2026-11-25T00:00:00Z")),
      adminTokens: AccessTokens.parse("CARFARE_ADMIN_TOKENS", ""),
      serviceTokens: AccessTokens.parse("CARFARE_SERVICE_TOKENS", "booking:service-token-0123456789"),
      logger: createLogger({ destination: { write: (line: string) => logs.push(JSON.parse(line)) } }),
      ready,
      readyTimeoutMs: 100,
    });
  }

  it("When no market has a policy, then the service is still ready (and needs no token to say so)", async () => {
    app = await build(async () => {});
    const answer = await app.inject({ method: "GET", url: "/readyz" });
    expect([answer.statusCode, answer.json()]).toEqual([200, { status: "ready" }]);
  });

  it("When the database fails, then /readyz is a 503 problem without the cause, which is logged", async () => {
    app = await build(() => Promise.reject(new Error(SECRET)));
    const answer = await app.inject({ method: "GET", url: "/readyz" });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(answer.json()).toMatchObject({ code: "WAIVER.UNAVAILABLE", status: 503 });
    expect(answer.body).not.toContain("hunter2");
    expect(JSON.stringify(logs)).toContain("db-primary");
    const health = await app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
  });

  it("When the database does not answer within the timeout, then /readyz is 503 promptly", async () => {
    app = await build(() => new Promise(() => {}));
    const started = Date.now();
    const answer = await app.inject({ method: "GET", url: "/readyz" });
    expect(answer.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

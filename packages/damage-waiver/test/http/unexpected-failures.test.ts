import type { AddressInfo } from "node:net";
import { AccessTokens, createLogger } from "@carfare/kit";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildWaiverApp, type IncidentRepository, PolicyCatalog } from "../../src/index.js";
import { FakeClock, InMemoryIncidents, InMemoryPolicies } from "../builders/fakes.js";

// Bugs and infrastructure failures become a generic 500 problem, logged with their cause and never detailed
// to the caller; a server that is shutting down answers 503. Run on the app with in-memory ports, because a
// real database cannot be made to fail on cue.
const SECRET = "connect ECONNREFUSED db-primary:5432 (password=hunter2)";
const ADMIN_TOKEN = "failures-admin-token-0123456789";

describe("Unexpected failures over HTTP", () => {
  let app: FastifyInstance | undefined;
  const logs: Record<string, unknown>[] = [];

  afterEach(async () => {
    await app?.close();
    app = undefined;
    logs.length = 0;
  });

  async function serve(
    incidents: IncidentRepository,
    beforeListen: (server: FastifyInstance) => void = () => undefined,
  ): Promise<string> {
    app = await buildWaiverApp({
      policies: new InMemoryPolicies(),
      incidents,
      catalog: new PolicyCatalog(),
      clock: new FakeClock(new Date("2026-11-25T00:00:00Z")),
      adminTokens: AccessTokens.parse("CARFARE_ADMIN_TOKENS", `ops:${ADMIN_TOKEN}`),
      serviceTokens: AccessTokens.parse("CARFARE_SERVICE_TOKENS", ""),
      logger: createLogger({ destination: { write: (line: string) => logs.push(JSON.parse(line)) } }),
    });
    beforeListen(app);
    await app.listen({ host: "127.0.0.1", port: 0 });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  it("When the repository fails, then the caller gets a generic 500 INTERNAL problem and the log gets the cause", async () => {
    const failing = new InMemoryIncidents();
    failing.get = async () => {
      throw new Error(SECRET);
    };
    const url = await serve(failing);

    const answer = await fetch(`${url}/v1/incidents/00000000-0000-4000-8000-000000000001`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "x-request-id": "req-failing" },
    });

    const text = await answer.text();
    expect(answer.status).toBe(500);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.parse(text)).toEqual({
      type: "urn:carfare:problem:WAIVER.INTERNAL",
      title: "Internal error",
      status: 500,
      detail: "the service failed to handle the request; it has been logged",
      code: "WAIVER.INTERNAL",
    });
    expect(text).not.toContain("hunter2");
    const errors = logs.filter((line) => (line.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      request_id: "req-failing",
      route: "/v1/incidents/:id",
      err: { message: SECRET },
    });
    expect(JSON.stringify(logs)).not.toContain(ADMIN_TOKEN);
  });

  it("When a request arrives while the server is shutting down, then it gets 503 UNAVAILABLE with Connection: close", async () => {
    let release: () => void = () => undefined;
    const draining = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => undefined;
    const closingStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    // Holds the shutdown after the service's own preClose hook, while the server still accepts connections.
    const url = await serve(new InMemoryIncidents(), (server) => {
      server.addHook("preClose", async () => {
        started();
        await draining;
      });
    });
    const closing = app?.close();
    await closingStarted;

    const answer = await fetch(`${url}/v1/incidents`);

    release();
    await closing;
    app = undefined;
    expect(answer.status).toBe(503);
    expect(answer.headers.get("connection")).toBe("close");
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(((await answer.json()) as { code: string }).code).toBe("WAIVER.UNAVAILABLE");
  });
});

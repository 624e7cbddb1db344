import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type Answer,
  createHttpTestDatabase,
  errorLogs,
  expectIncident,
  expectProblem,
  incidentReport,
  newKey,
  REFERENCE_POLICY_YAML,
  report,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
  WRONG_TOKEN,
} from "./waiver-service-under-test.js";

// DESIGN.md "Access": admin requests need a token of CARFARE_ADMIN_TOKENS and, with none configured, are all
// refused; when CARFARE_SERVICE_TOKENS is set, the service routes need one of its tokens (an admin token
// works too). The token's name is recorded: as the publisher of a policy version, as the actor of an event.
const SERVICE_TOKEN = "booking-backend-token-0123456789";
const RELEASE_BOT_TOKEN = "release-bot-token-0123456789";

describe.each(databasesUnderTest())("Access to the REST API, on %s", (kind) => {
  let database: TestDatabase;
  /** Admin tokens `ops` and `release-bot`, no service token: the service routes are open. */
  let open: WaiverUnderTest;
  /** No admin token at all, and the service token `booking` required. */
  let locked: WaiverUnderTest;
  let incidentId: string;

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    const clock = testClock("2026-11-25T00:00:00Z");
    open = await startWaiverUnderTest({
      database,
      clock,
      adminTokens: `ops:${ADMIN_TOKEN},release-bot:${RELEASE_BOT_TOKEN}`,
    });
    await open.call("POST", "/admin/v1/waiver-policies", {
      raw: REFERENCE_POLICY_YAML,
      contentType: "application/yaml",
      token: RELEASE_BOT_TOKEN,
    });
    incidentId = (await report(open)).id;
    // Started after the publication, so it serves kr-waiver from its first load.
    locked = await startWaiverUnderTest({
      database,
      clock,
      adminTokens: "",
      serviceTokens: `booking:${SERVICE_TOKEN}`,
    });
  });
  afterAll(async () => {
    await locked?.stop();
    await open?.stop();
    await database?.close();
    expect(errorLogs(open)).toEqual([]);
    expect(errorLogs(locked)).toEqual([]);
  });

  const adminRequests = (server: WaiverUnderTest, token: string | undefined) => {
    const auth = token === undefined ? {} : { token };
    return [
      server.call("POST", "/admin/v1/waiver-policies", {
        raw: REFERENCE_POLICY_YAML,
        contentType: "application/yaml",
        ...auth,
      }),
      server.call("GET", "/admin/v1/waiver-policies/kr-waiver/versions", auth),
      server.call("GET", "/admin/v1/waiver-policies/kr-waiver/versions/1", auth),
    ];
  };
  const serviceRequests = (server: WaiverUnderTest, token: string | undefined) => {
    const auth = token === undefined ? {} : { token };
    return [
      server.call("POST", "/v1/waiver-quotes", {
        body: {
          market: "kr",
          carClass: "MIDSIZE",
          startAt: "2026-12-01T09:00:00+09:00",
          endAt: "2026-12-02T11:00:00+09:00",
          driverAge: 30,
          licenseYears: 5,
        },
        ...auth,
      }),
      server.call("POST", "/v1/incidents", {
        body: incidentReport(),
        headers: { "idempotency-key": newKey() },
        ...auth,
      }),
      server.call("GET", `/v1/incidents/${incidentId}`, auth),
      server.call("GET", "/v1/incidents", auth),
      server.call("PUT", `/v1/incidents/${incidentId}/assessment`, {
        body: { repairCost: 1, repairDays: 0, faultPercent: 0, exclusions: [] },
        ...auth,
      }),
      server.call("POST", `/v1/incidents/${incidentId}/cancel`, { body: { reason: "x" }, ...auth }),
    ];
  };
  const expectUnauthenticated = (answer: Answer) => {
    const problem = expectProblem(answer, 401, "WAIVER.UNAUTHENTICATED");
    expect(problem.errors).toEqual([{ field: "Authorization", message: "missing or wrong token" }]);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    return problem;
  };

  it.each([
    ["no token", undefined],
    ["an admin token of another server", ADMIN_TOKEN],
    ["a service token", SERVICE_TOKEN],
  ])(
    "When an admin request with %s reaches a server with no admin token configured, then it is refused with 401",
    async (_given, token) => {
      for (const answer of await Promise.all(adminRequests(locked, token))) {
        expect(expectUnauthenticated(answer).detail).toContain("no admin token is configured");
      }
    },
  );

  it.each([
    ["no token", undefined],
    ["a wrong token", WRONG_TOKEN],
  ])("When an admin request comes with %s, then it is refused with 401", async (_given, token) => {
    for (const answer of await Promise.all(adminRequests(open, token))) {
      expect(expectUnauthenticated(answer).detail).toContain("an admin token is required");
    }
  });

  it("When an admin token is sent as Basic rather than Bearer, then it is refused with 401", async () => {
    const answer = await open.call("GET", "/admin/v1/waiver-policies/kr-waiver/versions", {
      headers: { authorization: `Basic ${ADMIN_TOKEN}` },
    });

    expectUnauthenticated(answer);
  });

  it("When an admin publishes with one of several admin tokens, then the version records that token's name", async () => {
    const answer = await open.call("GET", "/admin/v1/waiver-policies/kr-waiver/versions", { token: ADMIN_TOKEN });

    expect(answer.status, answer.text).toBe(200);
    expect(answer.json.versions[0].publishedBy).toBe("release-bot");
  });

  it.each([
    ["no token", undefined],
    ["a wrong token", WRONG_TOKEN],
    ["an admin token the server does not have", ADMIN_TOKEN],
  ])(
    "When a service request comes with %s to a server requiring service tokens, then it is refused with 401",
    async (_given, token) => {
      for (const answer of await Promise.all(serviceRequests(locked, token))) {
        expect(expectUnauthenticated(answer).detail).toContain("a service token is required");
      }
    },
  );

  it("When the token is missing, then that is said before anything about the body", async () => {
    const malformed = await locked.call("POST", "/v1/waiver-quotes", { raw: "{ not json" });
    const wrongType = await open.call("POST", "/admin/v1/waiver-policies", { raw: "x", contentType: "text/plain" });

    expectUnauthenticated(malformed);
    expectUnauthenticated(wrongType);
  });

  it("When a service request comes with a service token, then it is served and the token's name is the actor", async () => {
    const incident = await report(locked, {}, { token: SERVICE_TOKEN });

    expect(incident.events[0]?.actor).toBe("booking");
  });

  it.each([
    ["no token", undefined, "anonymous"],
    ["the ops admin token", ADMIN_TOKEN, "ops"],
    ["the release-bot admin token", RELEASE_BOT_TOKEN, "release-bot"],
    ["a token that is no one's", WRONG_TOKEN, "anonymous"],
  ])(
    "When no service token is configured and a caller comes with %s, then it is served and the actor is %s",
    async (_given, token, actor) => {
      const incident = await report(open, {}, token === undefined ? {} : { token });

      const answer = await open.call("POST", `/v1/incidents/${incident.id}/cancel`, {
        body: { reason: "duplicate" },
        ...(token === undefined ? {} : { token }),
      });

      expect(incident.events[0]?.actor).toBe(actor);
      expect(expectIncident(answer.json).events[1]?.actor).toBe(actor);
    },
  );
});

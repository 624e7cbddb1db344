import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
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

// Spec §5, GET /v1/incidents?rentalId=&status=&limit=&cursor=: newest reportedAt first, limit 50 by default
// and 200 at most, nextCursor while more follow.
describe.each(databasesUnderTest())("Listing incidents over HTTP, on %s", (kind) => {
  let database: TestDatabase;
  let server: WaiverUnderTest;
  /** Every incident reported, newest first. */
  let all: IncidentJson[];

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    server = await startWaiverUnderTest({ database, clock: testClock("2026-11-25T00:00:00Z") });
    await server.publish(REFERENCE_POLICY_YAML);
    const created: IncidentJson[] = [];
    // 55 incidents of rentals r0–r4; every third is cancelled; the last five share one reportedAt.
    for (let i = 0; i < 55; i++) {
      if (i < 50) server.clock.advance(60_000);
      const incident = await report(server, { rentalId: `r${i % 5}` });
      if (i % 3 === 0) {
        const cancelled = await server.call("POST", `/v1/incidents/${incident.id}/cancel`, {
          body: { reason: "test" },
        });
        created.push(expectIncident(cancelled.json));
      } else {
        created.push(incident);
      }
    }
    all = [...created].sort((a, b) => b.reportedAt.localeCompare(a.reportedAt) || b.id.localeCompare(a.id));
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    expect(errorLogs(server)).toEqual([]);
  });

  const list = (query: string) => server.call("GET", `/v1/incidents${query}`);
  const pages = async (query: string) => {
    const items: IncidentJson[] = [];
    let cursor: string | undefined;
    let count = 0;
    do {
      const answer = await list(`${query}${cursor === undefined ? "" : `&cursor=${cursor}`}`);
      expect(answer.status, answer.text).toBe(200);
      items.push(...answer.json.items.map(expectIncident));
      cursor = answer.json.nextCursor;
      count++;
    } while (cursor !== undefined);
    return { items, count };
  };

  it("When no limit is given, then the first 50 incidents come, newest reportedAt first, with a nextCursor for the rest", async () => {
    const answer = await list("");

    expect(answer.status, answer.text).toBe(200);
    expect(answer.json.items).toHaveLength(50);
    expect(answer.json.items.map((i: IncidentJson) => i.id)).toEqual(all.slice(0, 50).map((i) => i.id));
    expect(typeof answer.json.nextCursor).toBe("string");
  });

  it("When pages of 7 are followed by their cursors, then every incident comes exactly once, in order, and the last page has no cursor", async () => {
    const { items, count } = await pages("?limit=7");

    expect(items.map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(count).toBe(8);
  });

  it("When filtered by rental and status, then only those incidents come, in order, across pages", async () => {
    const { items } = await pages("?rentalId=r1&status=CANCELLED&limit=2");

    const expected = all.filter((i) => i.rentalId === "r1" && i.status === "CANCELLED");
    expect(expected.length).toBeGreaterThan(2);
    expect(items.map((i) => i.id)).toEqual(expected.map((i) => i.id));
  });

  it("When filtered by status alone, then every incident of that status comes", async () => {
    const answer = await list("?status=REPORTED&limit=200");

    expect(answer.json.items.map((i: IncidentJson) => i.id)).toEqual(
      all.filter((i) => i.status === "REPORTED").map((i) => i.id),
    );
    expect(answer.json.nextCursor).toBeUndefined();
  });

  it("When no incident matches, then the page is empty and has no cursor", async () => {
    const answer = await list("?rentalId=nobody");

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ items: [] });
  });

  it.each([
    ["0", "must be at least 1, got 0"],
    ["201", "must be at most 200, got 201"],
    ["-1", "must be at least 1, got -1"],
    ["abc", 'must be an integer, got the string "abc"'],
    ["1.5", 'must be an integer, got the string "1.5"'],
    ["1e2", 'must be an integer, got the string "1e2"'],
    ["0x10", 'must be an integer, got the string "0x10"'],
    ["", 'must be an integer, got the string ""'],
  ])("When limit is %j, then the request is refused with 400 INVALID_REQUEST naming limit", async (limit, message) => {
    const problem = expectProblem(await list(`?limit=${limit}`), 400, "WAIVER.INVALID_REQUEST");

    expect(problem.errors).toEqual([{ field: "limit", message }]);
  });

  it.each([
    ["a cursor we never gave out", "?cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["an unknown status", "?status=LOST", "status"],
    ["a repeated status", "?status=REPORTED&status=CANCELLED", "status"],
    ["an unknown parameter", "?sort=asc", "sort"],
    ["a rental id with a NUL character", "?rentalId=a%00b", "rentalId"],
  ])(
    "When the query has %s, then it is refused with 400 INVALID_REQUEST naming the parameter",
    async (_given, query, field) => {
      const problem = expectProblem(await list(query), 400, "WAIVER.INVALID_REQUEST");

      expect(problem.errors?.map((e) => e.field)).toEqual([field]);
    },
  );

  it("When several query parameters are wrong, then every one is listed", async () => {
    const problem = expectProblem(await list("?limit=0&status=LOST&colour=red"), 400, "WAIVER.INVALID_REQUEST");

    expect(problem.errors?.map((e) => e.field).sort()).toEqual(["colour", "limit", "status"]);
  });
});

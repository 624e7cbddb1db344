import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpTestDatabase,
  errorLogs,
  expectProblem,
  fieldsOf,
  incidentReport,
  newKey,
  REFERENCE_POLICY_YAML,
  report,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
} from "./waiver-service-under-test.js";

// Spec §5: bodies are validated strictly (no coercion, unknown fields refused, every bad field listed, each
// named by a JSON Pointer), and every refusal is a 4xx application/problem+json with its code — never a 500.
const QUOTE = {
  market: "kr",
  carClass: "MIDSIZE",
  startAt: "2026-12-01T09:00:00+09:00",
  endAt: "2026-12-02T11:00:00+09:00",
  driverAge: 30,
  licenseYears: 5,
};
const ASSESSMENT = { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] };

describe.each(databasesUnderTest())("Malformed requests over HTTP, on %s", (kind) => {
  let database: TestDatabase;
  let server: WaiverUnderTest;
  let incidentId: string;

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    server = await startWaiverUnderTest({ database, clock: testClock("2026-11-25T00:00:00Z") });
    await server.publish(REFERENCE_POLICY_YAML);
    incidentId = (await report(server)).id;
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    expect(errorLogs(server)).toEqual([]);
  });

  const quote = (body: unknown) => server.call("POST", "/v1/waiver-quotes", { body });
  const quoteRaw = (raw: string, contentType?: string | null) =>
    server.call("POST", "/v1/waiver-quotes", { raw, ...(contentType === undefined ? {} : { contentType }) });
  const createRaw = (raw: string) =>
    server.call("POST", "/v1/incidents", { raw, headers: { "idempotency-key": newKey() } });
  const create = (body: unknown) => createRaw(JSON.stringify(body));
  const invalid = async (answerPromise: ReturnType<typeof quote>) =>
    expectProblem(await answerPromise, 400, "WAIVER.INVALID_REQUEST");

  describe("wrong types are refused, not coerced, every field listed", () => {
    it("When every field of a waiver quote has the wrong type, then each is listed by its pointer", async () => {
      const problem = await invalid(
        quote({ market: 5, carClass: 3, startAt: 1, endAt: null, driverAge: "30", licenseYears: true }),
      );

      expect(problem.errors).toEqual(
        expect.arrayContaining([
          { field: "/market", message: "must be a string, got 5" },
          { field: "/startAt", message: "must be a string, got 1" },
          { field: "/endAt", message: "must be a string, got null" },
          { field: "/driverAge", message: 'must be an integer, got the string "30"' },
          { field: "/licenseYears", message: "must be an integer, got true" },
        ]),
      );
      expect(fieldsOf(problem)).toEqual(["/carClass", "/driverAge", "/endAt", "/licenseYears", "/market", "/startAt"]);
    });

    it("When every field of an incident report has the wrong type, then each is listed once by its pointer", async () => {
      const problem = await invalid(
        create({
          rentalId: null,
          market: [],
          carClass: {},
          dailyRate: "95700",
          productCode: 1,
          policyVersion: "1",
          occurredAt: 1_700_000_000,
          description: false,
        }),
      );

      expect(fieldsOf(problem)).toEqual([
        "/carClass",
        "/dailyRate",
        "/description",
        "/market",
        "/occurredAt",
        "/policyVersion",
        "/productCode",
        "/rentalId",
      ]);
      expect(problem.errors).toContainEqual({ field: "/market", message: "must be a string, got an array" });
    });

    it.each([
      [
        "an assessment",
        "PUT",
        "assessment",
        { repairCost: "1", repairDays: 1.5, faultPercent: null, exclusions: "RACING" },
        ["/exclusions", "/faultPercent", "/repairCost", "/repairDays"],
      ],
      ["a dispute", "POST", "dispute", { reason: 5 }, ["/reason"]],
      ["a resolution", "POST", "resolve", { owed: "1", note: null }, ["/note", "/owed"]],
      ["a cancellation", "POST", "cancel", { reason: [] }, ["/reason"]],
    ])("When %s has fields of the wrong type, then each is listed", async (_name, method, action, body, fields) => {
      const answer = await server.call(method, `/v1/incidents/${incidentId}/${action}`, { body });

      expect(fieldsOf(expectProblem(answer, 400, "WAIVER.INVALID_REQUEST"))).toEqual(fields);
    });
  });

  describe("numbers", () => {
    it.each([
      ["1e400", "is a number too large to represent"],
      ["1000000000001", "must be at most 1000000000000, got 1000000000001"],
      ["9007199254740993", "must be at most 1000000000000, got 9007199254740992"],
      ["1e20", "must be at most 1000000000000, got 100000000000000000000"],
      ["-0", "must not be -0; send 0"],
      ["-0.0", "must not be -0; send 0"],
      ["1.5", "must be an integer, got 1.5"],
      ["-1", "must be at least 0, got -1"],
      ['"95700"', 'must be an integer, got the string "95700"'],
    ])("When dailyRate is %s, then the report is refused with 400 naming /dailyRate", async (number, message) => {
      const body = JSON.stringify(incidentReport()).replace('"dailyRate":95700', `"dailyRate":${number}`);

      const problem = await invalid(createRaw(body));

      expect(problem.errors).toEqual([{ field: "/dailyRate", message }]);
    });

    it("When dailyRate is exactly 10^12, then the report is accepted", async () => {
      const answer = await create(incidentReport({ dailyRate: 1_000_000_000_000 }));

      expect(answer.status, answer.text).toBe(201);
    });

    it("When huge numbers and floats appear in an assessment, then each is listed", async () => {
      const answer = await server.call("PUT", `/v1/incidents/${incidentId}/assessment`, {
        raw: '{"repairCost": 1e400, "repairDays": 366, "faultPercent": 100.5, "exclusions": []}',
      });

      expect(expectProblem(answer, 400, "WAIVER.INVALID_REQUEST").errors).toEqual([
        { field: "/repairCost", message: "is a number too large to represent" },
        { field: "/repairDays", message: "must be at most 365, got 366" },
        { field: "/faultPercent", message: "must be an integer, got 100.5" },
      ]);
    });
  });

  describe("unknown and missing fields", () => {
    it("When a body has unknown fields, then each is refused by its pointer (escaped as RFC 6901 says)", async () => {
      const problem = await invalid(quote({ ...QUOTE, extra: 1, "a/b~c": 2 }));

      expect(problem.errors).toEqual([
        { field: "/extra", message: "unknown field" },
        { field: "/a~1b~0c", message: "unknown field" },
      ]);
    });

    it("When a body has a __proto__ or constructor key, then it is an unknown field like any other", async () => {
      const problem = await invalid(
        quoteRaw(JSON.stringify(QUOTE).replace("{", '{"__proto__":{"x":1},"constructor":1,')),
      );

      expect(fieldsOf(problem)).toEqual(["/__proto__", "/constructor"]);
    });

    it("When a body is an empty object, then every required field is listed", async () => {
      expect(fieldsOf(await invalid(create({})))).toEqual([
        "/carClass",
        "/dailyRate",
        "/market",
        "/occurredAt",
        "/productCode",
        "/rentalId",
      ]);
      expect((await invalid(quote({}))).errors).toContainEqual({ field: "/market", message: "required" });
    });

    it("When an assessment lists an unknown, a non-text and a repeated exclusion, then each entry is named by its index", async () => {
      const unknown = await server.call("PUT", `/v1/incidents/${incidentId}/assessment`, {
        body: { ...ASSESSMENT, exclusions: ["RACING", "SPEEDING", 5] },
      });
      const repeated = await server.call("PUT", `/v1/incidents/${incidentId}/assessment`, {
        body: { ...ASSESSMENT, exclusions: ["RACING", "RACING"] },
      });

      expect(fieldsOf(expectProblem(unknown, 400, "WAIVER.INVALID_REQUEST"))).toEqual([
        "/exclusions/1",
        "/exclusions/2",
      ]);
      expect(expectProblem(repeated, 400, "WAIVER.INVALID_REQUEST").errors).toEqual([
        { field: "/exclusions/1", message: "RACING is listed twice" },
      ]);
    });
  });

  describe("text", () => {
    it.each([
      ["blank", { rentalId: "   " }, "/rentalId", "must not be blank"],
      ["empty", { productCode: "" }, "/productCode", "must not be blank"],
      ["longer than 255 characters", { rentalId: "r".repeat(256) }, "/rentalId", "must be at most 255 characters long"],
      [
        "longer than 2000 characters",
        { description: "d".repeat(2001) },
        "/description",
        "must be at most 2000 characters long",
      ],
      [
        "holding a NUL character",
        { rentalId: "a\u0000b" },
        "/rentalId",
        "must not contain the NUL character (\\u0000)",
      ],
      [
        "not a date-time",
        { occurredAt: "2026-02-30T10:00:00Z" },
        "/occurredAt",
        'must be an RFC 3339 date-time with a time zone, e.g. 2026-11-25T09:00:00+09:00, got the string "2026-02-30T10:00:00Z"',
      ],
      [
        "a date-time without a zone",
        { occurredAt: "2026-11-25T10:00:00" },
        "/occurredAt",
        'must be an RFC 3339 date-time with a time zone, e.g. 2026-11-25T09:00:00+09:00, got the string "2026-11-25T10:00:00"',
      ],
      [
        "not a car class",
        { carClass: "midsize" },
        "/carClass",
        'must be one of LIGHT, COMPACT, MIDSIZE, LARGE, SUV, VAN, IMPORT, got the string "midsize"',
      ],
    ])("When a field is %s, then the report is refused naming it", async (_given, change, field, message) => {
      const problem = await invalid(create(incidentReport(change)));

      expect(problem.errors).toEqual([{ field, message }]);
    });

    it("When a string holds a lone surrogate, then it is refused: it cannot be stored faithfully", async () => {
      const body = JSON.stringify(incidentReport()).replace('"rental-1"', '"rental-\\ud800"');

      const problem = await invalid(createRaw(body));

      expect(fieldsOf(problem)).toEqual(["/rentalId"]);
    });
  });

  describe("bodies that are not JSON objects", () => {
    it.each(['{"market": ', "{'market': 'kr'}", '{"market": "kr",}', "NaN", '{"market":"kr"} trailing', "{"])(
      "When the body is %j, then it is refused with 400 MALFORMED_JSON",
      async (raw) => {
        const problem = expectProblem(await quoteRaw(raw), 400, "WAIVER.MALFORMED_JSON");

        expect(problem.detail).toMatch(/^the body is not valid JSON/);
      },
    );

    it("When the body is not UTF-8, then it is refused with 400 MALFORMED_JSON", async () => {
      const answer = await server.call("POST", "/v1/waiver-quotes", {
        raw: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      });

      expectProblem(answer, 400, "WAIVER.MALFORMED_JSON");
    });

    it.each([
      ["[]", "must be an object, got an array"],
      ['"kr"', 'must be an object, got the string "kr"'],
      ["5", "must be an object, got 5"],
      ["null", "must be an object, got null"],
      ["", "a JSON object body is required"],
      ["  \n ", "a JSON object body is required"],
    ])(
      "When the body is %j, then it is refused with 400 INVALID_REQUEST naming the whole body",
      async (raw, message) => {
        const problem = await invalid(quoteRaw(raw));

        expect(problem.errors).toEqual([{ field: "", message }]);
      },
    );

    it("When a waiver quote comes with no body and no Content-Type, then it is refused as a missing body", async () => {
      const problem = await invalid(server.call("POST", "/v1/waiver-quotes"));

      expect(problem.errors).toEqual([{ field: "", message: "a JSON object body is required" }]);
    });

    it("When charge comes with fields, then they are refused as unknown; an empty object is fine", async () => {
      const withFields = await server.call("POST", `/v1/incidents/${incidentId}/charge`, { body: { amount: 5 } });
      const notAnObject = await server.call("POST", `/v1/incidents/${incidentId}/charge`, { body: [] });
      const empty = await server.call("POST", "/v1/incidents/00000000-0000-4000-8000-000000000000/charge", {
        body: {},
      });

      expect(expectProblem(withFields, 400, "WAIVER.INVALID_REQUEST").errors).toEqual([
        { field: "/amount", message: "unknown field" },
      ]);
      expect(fieldsOf(expectProblem(notAnObject, 400, "WAIVER.INVALID_REQUEST"))).toEqual([""]);
      expectProblem(empty, 404, "WAIVER.INCIDENT_NOT_FOUND");
    });
  });

  describe("media types and sizes", () => {
    it.each([
      "text/plain",
      "application/xml",
      "application/x-www-form-urlencoded",
      "application/yaml",
      "application/json; charset=utf-16",
    ])(
      "When a JSON route gets a body of %s, then it is refused with 415 UNSUPPORTED_MEDIA_TYPE",
      async (contentType) => {
        const problem = expectProblem(
          await quoteRaw(JSON.stringify(QUOTE), contentType),
          415,
          "WAIVER.UNSUPPORTED_MEDIA_TYPE",
        );

        expect(fieldsOf(problem)).toEqual(["Content-Type"]);
      },
    );

    it("When a body comes without a Content-Type, then it is refused with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
      expectProblem(await quoteRaw(JSON.stringify(QUOTE), null), 415, "WAIVER.UNSUPPORTED_MEDIA_TYPE");
    });

    it("When the JSON Content-Type has a UTF-8 charset in any spelling, then the body is read", async () => {
      for (const contentType of [
        "application/json; charset=UTF-8",
        "application/json;charset=utf8",
        "Application/JSON",
      ]) {
        const answer = await quoteRaw(JSON.stringify(QUOTE), contentType);

        expect(answer.status, `${contentType}: ${answer.text}`).toBe(200);
      }
    });

    it("When the body is larger than 1 MiB, then it is refused with 413 PAYLOAD_TOO_LARGE", async () => {
      const huge = JSON.stringify({ ...QUOTE, market: "k".repeat(1024 * 1024) });

      const problem = expectProblem(await quoteRaw(huge), 413, "WAIVER.PAYLOAD_TOO_LARGE");

      expect(problem.detail).toContain("1048576");
    });
  });

  describe("waiver quote refusals", () => {
    it.each([
      ["startAt has seconds", { startAt: "2026-12-01T09:00:30+09:00" }, "/startAt"],
      ["endAt is before startAt", { endAt: "2026-12-01T08:00:00+09:00" }, "/endAt"],
      ["the rental lasts more than 30 days", { endAt: "2027-01-01T09:01:00+09:00" }, "/endAt"],
    ])("When %s, then the quote is refused with 400 INVALID_PERIOD", async (_given, change, field) => {
      const problem = expectProblem(await quote({ ...QUOTE, ...change }), 400, "WAIVER.INVALID_PERIOD");

      expect(fieldsOf(problem)).toEqual([field]);
    });

    it("When the market has no policy in effect, then the quote is refused with 404 POLICY_NOT_FOUND naming /market", async () => {
      const problem = expectProblem(await quote({ ...QUOTE, market: "jp" }), 404, "WAIVER.POLICY_NOT_FOUND");

      expect(problem.errors).toEqual([{ field: "/market", message: "no waiver policy in effect" }]);
    });

    it("When the car class has no prices, then the quote has no options", async () => {
      const answer = await quote({ ...QUOTE, carClass: "SUV" });

      expect(answer.status, answer.text).toBe(200);
      expect(answer.json.options).toEqual([]);
    });
  });

  describe("routes", () => {
    it("When a path names no route, then the answer is 404 ROUTE_NOT_FOUND", async () => {
      for (const [method, path] of [
        ["GET", "/v2/incidents"],
        ["POST", "/v1/incidents/x/approve"],
        ["GET", "/"],
      ] as const) {
        expectProblem(await server.call(method, path), 404, "WAIVER.ROUTE_NOT_FOUND");
      }
    });

    it("When a route is called with a method it does not take, then the answer is 405 METHOD_NOT_ALLOWED with Allow", async () => {
      const put = await server.call("PUT", "/v1/waiver-quotes", { body: QUOTE });
      const del = await server.call("DELETE", `/v1/incidents/${incidentId}`);
      const get = await server.call("GET", `/v1/incidents/${incidentId}/charge`);

      expectProblem(put, 405, "WAIVER.METHOD_NOT_ALLOWED");
      expect(put.headers.get("allow")).toBe("POST");
      expectProblem(del, 405, "WAIVER.METHOD_NOT_ALLOWED");
      expect(del.headers.get("allow")).toBe("GET, HEAD");
      expect(get.headers.get("allow")).toBe("POST");
    });

    it("When a path does not decode, then the answer is 400 INVALID_REQUEST", async () => {
      expectProblem(await server.call("GET", "/v1/incidents/%zz"), 400, "WAIVER.INVALID_REQUEST");
    });

    it("When a request carries an x-request-id, then the answer carries it back, problems included", async () => {
      const answer = await server.call("GET", "/v1/nothing", { headers: { "x-request-id": "trace-123" } });

      expect(answer.headers.get("x-request-id")).toBe("trace-123");
    });
  });
});

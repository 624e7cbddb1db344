import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  ADMIN_TOKEN,
  createHttpTestDatabase,
  errorLogs,
  expectProblem,
  fieldsOf,
  incidentReport,
  newKey,
  REFERENCE_POLICY_YAML,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
} from "./waiver-service-under-test.js";

// Spec §1 and §5: waiver policy documents published through the admin API (YAML or JSON), immutable numbered
// versions, re-publishing the newest document creates nothing, one policy id per market.
type PolicyDocument = Record<string, unknown> & {
  products: Record<string, unknown>[];
  prices: Record<string, Record<string, unknown>>;
};

const reference = (): PolicyDocument => parse(REFERENCE_POLICY_YAML, { schema: "core" });

describe.each(databasesUnderTest())("Publishing waiver policies over HTTP, on %s", (kind) => {
  let database: TestDatabase;
  let server: WaiverUnderTest;
  /** A second process on the same database, which only polls every minute. */
  let other: WaiverUnderTest;

  beforeAll(async () => {
    database = await createHttpTestDatabase(kind);
    const clock = testClock("2026-11-25T00:00:00Z");
    server = await startWaiverUnderTest({ database, clock });
    other = await startWaiverUnderTest({ database, clock });
  });
  afterAll(async () => {
    await other?.stop();
    await server?.stop();
    await database?.close();
    expect(errorLogs(server)).toEqual([]);
    expect(errorLogs(other)).toEqual([]);
  });

  const publish = (text: string, contentType = "application/yaml", on: WaiverUnderTest = server) =>
    on.call("POST", "/admin/v1/waiver-policies", { raw: text, contentType, token: ADMIN_TOKEN });
  const get = (path: string, on: WaiverUnderTest = server) =>
    on.call("GET", `/admin/v1/waiver-policies${path}`, { token: ADMIN_TOKEN });

  // The tests of this block build on each other, in order: version 1, unchanged, version 2.
  describe("versions", () => {
    it("When the reference policy is published as YAML, then it becomes version 1 (201, with its Location)", async () => {
      server.clock.set("2026-11-25T01:00:00Z");

      const answer = await publish(REFERENCE_POLICY_YAML);

      expect(answer.status, answer.text).toBe(201);
      expect(answer.json).toEqual({ policyId: "kr-waiver", version: 1 });
      expect(answer.headers.get("location")).toBe("/admin/v1/waiver-policies/kr-waiver/versions/1");
    });

    it.each([
      ["the same YAML", REFERENCE_POLICY_YAML, "application/yaml"],
      ["the same document as JSON", JSON.stringify(reference()), "application/json"],
      ["the same YAML as application/x-yaml", REFERENCE_POLICY_YAML, "application/x-yaml"],
      ["the same YAML as text/yaml", REFERENCE_POLICY_YAML, "text/yaml"],
    ])(
      "When %s is published again, then nothing new is created (200, version 1)",
      async (_given, text, contentType) => {
        const answer = await publish(text, contentType);

        expect(answer.status, answer.text).toBe(200);
        expect(answer.json).toEqual({ policyId: "kr-waiver", version: 1 });
      },
    );

    it("When a changed document is published as JSON, then it becomes version 2, listed after version 1 with its publisher", async () => {
      server.clock.set("2026-11-26T01:00:00Z");
      const changed = reference();
      changed.lossOfUse = { percentOfDailyRate: 60, maxDays: 5 };

      const answer = await publish(JSON.stringify(changed), "application/json");
      const versions = await get("/kr-waiver/versions");

      expect(answer.status, answer.text).toBe(201);
      expect(answer.json).toEqual({ policyId: "kr-waiver", version: 2 });
      expect(versions.json).toEqual({
        policyId: "kr-waiver",
        market: "kr",
        versions: [
          {
            version: 1,
            publishedAt: "2026-11-25T01:00:00.000Z",
            publishedBy: "ops",
            effectiveFrom: "2026-11-25T01:00:00.000Z",
          },
          {
            version: 2,
            publishedAt: "2026-11-26T01:00:00.000Z",
            publishedBy: "ops",
            effectiveFrom: "2026-11-26T01:00:00.000Z",
          },
        ],
      });
    });

    it("When one version is read, then its document comes back as stored, every product's sellable filled in", async () => {
      const answer = await get("/kr-waiver/versions/1");

      expect(answer.status, answer.text).toBe(200);
      const expected = reference();
      for (const product of expected.products) product.sellable ??= true;
      expect(answer.json).toEqual(expected);
    });

    it("When the newest version's document is read and published again, then nothing is created", async () => {
      const document = await get("/kr-waiver/versions/2");

      const answer = await publish(document.text, "application/json");

      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toEqual({ policyId: "kr-waiver", version: 2 });
    });

    it("When another process published a version, then it can be read and used here at once, without waiting for a poll", async () => {
      server.clock.set("2026-11-27T01:00:00Z");
      const changed = reference();
      changed.lossOfUse = { percentOfDailyRate: 70, maxDays: 5 };
      expect((await publish(JSON.stringify(changed), "application/json", other)).json.version).toBe(3);

      const versions = await get("/kr-waiver/versions");
      const created = await server.call("POST", "/v1/incidents", {
        body: incidentReport({ policyVersion: 3 }),
        headers: { "idempotency-key": newKey() },
      });

      expect(versions.json.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
      expect(created.status, created.text).toBe(201);
      expect(created.json.policyVersion).toBe(3);
    });
  });

  describe("refusals", () => {
    it("When fields of the document are wrong, then it is refused with 400 INVALID_POLICY naming each by its JSON Pointer", async () => {
      const document = reference();
      (document.products[2] as Record<string, unknown>).selfPayCap = -10;
      (document.products[1] as Record<string, unknown>).colour = "red";

      const problem = expectProblem(
        await publish(JSON.stringify(document), "application/json"),
        400,
        "WAIVER.INVALID_POLICY",
      );

      expect(problem.errors).toEqual([
        { field: "/products/1/colour", message: "unknown field" },
        { field: "/products/2/selfPayCap", message: "must be at least 0, got -10" },
      ]);
    });

    it("When the document breaks the policy rules, then each problem is named by its JSON Pointer", async () => {
      const document = reference();
      (document.products[0] as Record<string, unknown>).selfPayCap = 700_005;
      (document.prices.MIDSIZE as Record<string, unknown>).CAP_9 = { hourly: 10, daily: 100 };

      const problem = expectProblem(
        await publish(JSON.stringify(document), "application/json"),
        400,
        "WAIVER.INVALID_POLICY",
      );

      expect(fieldsOf(problem)).toEqual(["/prices/MIDSIZE/CAP_9", "/products/0/selfPayCap"]);
    });

    it.each([
      ["not YAML", "id: ["],
      ["empty", ""],
      ["a list", "- 1\n- 2\n"],
    ])(
      "When the document is %s, then it is refused with 400 INVALID_POLICY naming the whole document",
      async (_given, text) => {
        const problem = expectProblem(await publish(text), 400, "WAIVER.INVALID_POLICY");

        expect(fieldsOf(problem)).toEqual([""]);
      },
    );

    it("When a name holds a NUL character, then the document is refused with 400 INVALID_POLICY naming it", async () => {
      const text = REFERENCE_POLICY_YAML.replace('name: "No self-pay"', 'name: "No\\0self-pay"');

      const problem = expectProblem(await publish(text), 400, "WAIVER.INVALID_POLICY");

      expect(fieldsOf(problem)).toEqual(["/products/3/name"]);
    });

    it("When another policy id claims the market, then it is refused with 422 POLICY_MARKET_TAKEN naming /market", async () => {
      const problem = expectProblem(
        await publish(JSON.stringify({ ...reference(), id: "kr-waiver-bis" }), "application/json"),
        422,
        "WAIVER.POLICY_MARKET_TAKEN",
      );

      expect(problem.errors).toEqual([{ field: "/market", message: "held by kr-waiver" }]);
    });

    it("When the policy id moves to another market, then it is refused with 422 POLICY_MARKET_TAKEN naming /id", async () => {
      const problem = expectProblem(
        await publish(JSON.stringify({ ...reference(), market: "jp" }), "application/json"),
        422,
        "WAIVER.POLICY_MARKET_TAKEN",
      );

      expect(fieldsOf(problem)).toEqual(["/id"]);
    });

    it.each([
      ["text/plain", "text/plain"],
      ["multipart/form-data", "multipart/form-data; boundary=x"],
    ])(
      "When the document is sent as %s, then it is refused with 415 UNSUPPORTED_MEDIA_TYPE",
      async (_given, contentType) => {
        expectProblem(await publish(REFERENCE_POLICY_YAML, contentType), 415, "WAIVER.UNSUPPORTED_MEDIA_TYPE");
      },
    );

    it("When no document is sent at all, then it is refused with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
      const answer = await server.call("POST", "/admin/v1/waiver-policies", { token: ADMIN_TOKEN });

      expectProblem(answer, 415, "WAIVER.UNSUPPORTED_MEDIA_TYPE");
    });

    it.each([
      ["/jp-waiver/versions", 404, "WAIVER.POLICY_NOT_FOUND", "policyId"],
      ["/jp-waiver/versions/1", 404, "WAIVER.POLICY_NOT_FOUND", "policyId"],
      ["/kr-waiver/versions/99", 404, "WAIVER.POLICY_NOT_FOUND", "n"],
      ["/kr-waiver/versions/0", 400, "WAIVER.INVALID_REQUEST", "n"],
      ["/kr-waiver/versions/one", 400, "WAIVER.INVALID_REQUEST", "n"],
      ["/kr-waiver/versions/1.0", 400, "WAIVER.INVALID_REQUEST", "n"],
    ])("When %s is read, then the answer is %i %s naming %s", async (path, status, code, field) => {
      const problem = expectProblem(await get(path), status, code);

      expect(fieldsOf(problem)).toEqual([field]);
    });
  });
});

import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpTestDatabase,
  errorLogs,
  expectIncident,
  REFERENCE_POLICY_YAML,
  report,
  startWaiverUnderTest,
  testClock,
  type WaiverUnderTest,
} from "./waiver-service-under-test.js";

// The worked examples of spec/damage-waiver.md §2 and §3, over HTTP, on the reference policy.
describe.each(databasesUnderTest())("The spec's worked examples over HTTP, on %s", (kind) => {
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

  it("When a 30-year-old driver with 5 licence years rents a MIDSIZE car for 26 hours, then CAP_300K costs 12,000 and is eligible", async () => {
    const answer = await server.call("POST", "/v1/waiver-quotes", {
      body: {
        market: "kr",
        carClass: "MIDSIZE",
        startAt: "2026-12-01T09:00:00+09:00",
        endAt: "2026-12-02T11:00:00+09:00",
        driverAge: 30,
        licenseYears: 5,
      },
    });

    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ policyId: "kr-waiver", policyVersion: 1, currency: "KRW" });
    const cap300k = answer.json.options.find((o: { productCode: string }) => o.productCode === "CAP_300K");
    expect(cap300k).toEqual({
      productCode: "CAP_300K",
      name: "Self-pay up to 300,000",
      selfPayCap: 300_000,
      fee: 12_000,
      eligible: true,
    });
    // The sellable products priced for MIDSIZE, in the policy's order; the legacy product is never offered.
    expect(answer.json.options.map((o: { productCode: string }) => o.productCode)).toEqual([
      "CAP_700K",
      "CAP_300K",
      "CAP_50K",
      "CAP_0",
    ]);
  });

  it("When the driver is 22 with 1 licence year, then the young-driver surcharge applies and CAP_0 is listed as not eligible", async () => {
    const answer = await server.call("POST", "/v1/waiver-quotes", {
      body: {
        market: "kr",
        carClass: "MIDSIZE",
        startAt: "2026-12-01T09:00:00+09:00",
        endAt: "2026-12-02T11:00:00+09:00",
        driverAge: 22,
        licenseYears: 1,
      },
    });

    expect(answer.status, answer.text).toBe(200);
    // 12,000 + floorTo(12,000 · 20 / 100) = 14,400; CAP_0: 18,000 + 2 · 1,800 = 21,600 → 25,920.
    expect(answer.json.options[1]).toMatchObject({ productCode: "CAP_300K", fee: 14_400, eligible: true });
    expect(answer.json.options[3]).toEqual({
      productCode: "CAP_0",
      name: "No self-pay",
      selfPayCap: 0,
      fee: 25_920,
      eligible: false,
      ineligibleReason: "DRIVER_TOO_YOUNG",
    });
  });

  it.each([
    { product: "CAP_300K", exclusions: [], faultPercent: 100, owed: 300_000, basis: "CAPPED" },
    { product: "LEGACY_FIXED_300K", exclusions: [], faultPercent: 100, owed: 443_550, basis: "FIXED_DEDUCTIBLE" },
    { product: "CAP_300K", exclusions: ["DRUNK_DRIVING"], faultPercent: 100, owed: 1_343_550, basis: "EXCLUDED" },
    { product: "CAP_300K", exclusions: [], faultPercent: 70, owed: 300_000, basis: "CAPPED" },
    { product: "LEGACY_FIXED_300K", exclusions: [], faultPercent: 70, owed: 400_480, basis: "FIXED_DEDUCTIBLE" },
  ])(
    "When a $product incident (daily rate 95,700) is assessed at repair 1,200,000, 3 days, fault $faultPercent, exclusions $exclusions, then the customer owes $owed ($basis)",
    async ({ product, exclusions, faultPercent, owed, basis }) => {
      const incident = await report(server, { productCode: product });

      const answer = await server.call("PUT", `/v1/incidents/${incident.id}/assessment`, {
        body: { repairCost: 1_200_000, repairDays: 3, faultPercent, exclusions },
        headers: { "if-match": '"1"' },
      });

      expect(answer.status, answer.text).toBe(200);
      const assessed = expectIncident(answer.json);
      expect(assessed.liability?.lossOfUse).toBe(143_550);
      expect(assessed.liability).toMatchObject({ damage: 1_343_550, owed, basis, currency: "KRW" });
      expect(assessed.status).toBe("ASSESSED");
      expect(answer.headers.get("etag")).toBe('"2"');
    },
  );
});

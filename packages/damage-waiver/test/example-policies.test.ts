import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readPolicyDocument } from "../src/application/read-policy-document.js";
import { computeLiability } from "../src/domain/liability.js";
import { quoteWaiver } from "../src/domain/quote-waiver.js";
import { CAR_CLASSES, type CarClass, type WaiverPolicyDocument } from "../src/domain/waiver-policy.js";
import { productOf, referencePolicy } from "./builders/policy-builder.js";

const PUBLISHED_AT = new Date("2026-11-25T05:00:00Z");

function read(path: string): WaiverPolicyDocument {
  const text = readFileSync(new URL(path, import.meta.url), "utf8");
  const result = readPolicyDocument(text, PUBLISHED_AT);
  if (!result.ok) throw new Error(`${path}: ${JSON.stringify(result.error.issues, null, 2)}`);
  return result.value;
}

const kr = read("../../../examples/waiver-policies/kr.yaml");
const my = read("../../../examples/waiver-policies/my.yaml");

/** The options of a 26-hour rental by a driver of 30 with 5 licence years. */
function offered(policy: WaiverPolicyDocument, carClass: CarClass) {
  const quoted = quoteWaiver(policy, {
    carClass,
    startAt: new Date("2026-11-28T01:00:00Z"),
    endAt: new Date("2026-11-29T03:00:00Z"),
    driverAge: 30,
    licenseYears: 5,
  });
  if (!quoted.ok) throw quoted.error;
  return quoted.value;
}

describe("the example waiver policies", () => {
  it("read as valid documents, and so does the reference fixture", () => {
    expect(kr).toMatchObject({ id: "kr-waiver", market: "kr", currency: "KRW" });
    expect(my).toMatchObject({ id: "my-waiver", market: "my", currency: "MYR" });
    expect(referencePolicy().id).toBe("kr-waiver");
  });

  describe("kr.yaml", () => {
    it("prices all seven car classes", () => {
      expect(Object.keys(kr.prices).sort()).toEqual([...CAR_CLASSES].sort());
      for (const carClass of CAR_CLASSES) expect(offered(kr, carClass).length, carClass).toBeGreaterThan(0);
    });

    it("keeps the reference's rules, so spec §2's example still costs 12,000 and §3's still owes 300,000 / 443,550", () => {
      const reference = referencePolicy();
      expect(kr.prices.MIDSIZE).toEqual(reference.prices.MIDSIZE);
      expect([kr.youngDriver, kr.lossOfUse, kr.roundingIncrement]).toEqual([
        reference.youngDriver,
        reference.lossOfUse,
        reference.roundingIncrement,
      ]);
      expect(offered(kr, "MIDSIZE").find((o) => o.productCode === "CAP_300K")?.fee).toBe(12_000);
      const assessment = { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] };
      expect(computeLiability(kr, productOf("CAP_300K", kr), 95_700, assessment).owed).toBe(300_000);
      expect(computeLiability(kr, productOf("LEGACY_FIXED_300K", kr), 95_700, assessment).owed).toBe(443_550);
    });

    it("sells IMPORT cars only with their own caps, and those caps with nothing else", () => {
      expect(offered(kr, "IMPORT").map((o) => [o.productCode, o.selfPayCap])).toEqual([
        ["CAP_1M", 1_000_000],
        ["CAP_500K", 500_000],
      ]);
      for (const carClass of CAR_CLASSES.filter((c) => c !== "IMPORT")) {
        expect(offered(kr, carClass).map((o) => o.productCode)).toEqual(["CAP_700K", "CAP_300K", "CAP_50K", "CAP_0"]);
      }
    });

    it("keeps the legacy fixed deductible, not sellable and unpriced", () => {
      expect(productOf("LEGACY_FIXED_300K", kr)).toMatchObject({
        model: "FIXED_DEDUCTIBLE",
        deductible: 300_000,
        sellable: false,
      });
      expect(
        Object.values(kr.prices).filter((prices) => prices !== undefined && "LEGACY_FIXED_300K" in prices),
      ).toEqual([]);
    });
  });

  describe("my.yaml", () => {
    it("prices every class of the Malaysian fleet in sen", () => {
      expect(Object.keys(my.prices).sort()).toEqual(["COMPACT", "IMPORT", "LIGHT", "MIDSIZE", "SUV", "VAN"]);
      // 26 h of CAP_RM3000 on a MIDSIZE: RM 15.00 + 2 h at RM 1.50 = RM 18.00.
      expect(offered(my, "MIDSIZE").find((o) => o.productCode === "CAP_RM3000")?.fee).toBe(1_800);
    });
  });

  it.each([
    ["kr", kr],
    ["my", my],
  ] as const)("%s: a lower cap always costs more, in every class", (_market, policy) => {
    for (const [carClass, prices] of Object.entries(policy.prices)) {
      const byCap = Object.entries(prices ?? {})
        .map(([code, price]) => {
          const product = productOf(code, policy);
          return { code, cap: product.model === "CAPPED" ? product.selfPayCap : 0, daily: price.daily };
        })
        .sort((a, b) => b.cap - a.cap);
      for (let i = 1; i < byCap.length; i++) {
        expect(byCap[i]?.daily, `${carClass} ${byCap[i]?.code}`).toBeGreaterThan(byCap[i - 1]?.daily ?? 0);
      }
    }
  });
});

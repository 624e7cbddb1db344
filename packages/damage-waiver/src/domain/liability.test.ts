import { MAX_INPUT_AMOUNT } from "@carfare/kit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { productOf, referencePolicy } from "../../test/builders/policy-builder.js";
import { type Assessment, EXCLUSIONS, type Exclusion } from "./incident.js";
import { checkAssessment, computeLiability, MAX_REPAIR_DAYS } from "./liability.js";
import type { WaiverProduct } from "./waiver-policy.js";

const policy = referencePolicy();
const CAP_300K = productOf("CAP_300K");
const CAP_0 = productOf("CAP_0");
const LEGACY = productOf("LEGACY_FIXED_300K");
const DAILY_RATE = 95_700;

/** Spec §3's worked example: repair 1,200,000, 3 days, fault 100 %, no exclusion. */
function assessment(overrides: Partial<Assessment> = {}): Assessment {
  return { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [], ...overrides };
}

function liability(product: WaiverProduct, overrides: Partial<Assessment> = {}, dailyRate = DAILY_RATE) {
  return computeLiability(policy, product, dailyRate, assessment(overrides));
}

describe("computeLiability", () => {
  describe("spec §3's worked example: repair 1,200,000, 3 days, daily rate 95,700", () => {
    it("charges 143,550 loss of use: 95,700 · 50 % · 3 days", () => {
      expect(liability(CAP_300K).lossOfUse).toBe(143_550);
    });

    it("CAP_300K at fault 100 owes its cap, 300,000, of a 1,343,550 share", () => {
      expect(liability(CAP_300K)).toEqual({
        lossOfUse: 143_550,
        damage: 1_343_550,
        share: 1_343_550,
        owed: 300_000,
        basis: "CAPPED",
        currency: "KRW",
      });
    });

    it("LEGACY_FIXED_300K at fault 100 owes min(300,000, 1,200,000) + 143,550 = 443,550", () => {
      expect(liability(LEGACY)).toMatchObject({ owed: 443_550, basis: "FIXED_DEDUCTIBLE" });
    });

    it("with DRUNK_DRIVING the waiver is void: the whole share, 1,343,550, EXCLUDED", () => {
      expect(liability(CAP_300K, { exclusions: ["DRUNK_DRIVING"] })).toMatchObject({
        share: 1_343_550,
        owed: 1_343_550,
        basis: "EXCLUDED",
      });
    });

    it("at fault 70 CAP_300K still owes 300,000 (share floorTo(940,485) = 940,480)", () => {
      expect(liability(CAP_300K, { faultPercent: 70 })).toMatchObject({
        share: 940_480,
        owed: 300_000,
        basis: "CAPPED",
      });
    });

    it("at fault 70 LEGACY_FIXED_300K owes min(300,000, 840,000) + floorTo(100,485) = 400,480", () => {
      expect(liability(LEGACY, { faultPercent: 70 })).toMatchObject({ owed: 400_480, basis: "FIXED_DEDUCTIBLE" });
    });
  });

  describe("loss of use", () => {
    it("counts at most maxDays: 9 repair days are charged as 5, 95,700 · 50 % · 5 = 239,250", () => {
      expect(liability(CAP_300K, { repairDays: 9 }).lossOfUse).toBe(239_250);
      expect(liability(CAP_300K, { repairDays: 5 }).lossOfUse).toBe(239_250);
    });

    it("is nothing when the car is repaired the same day", () => {
      expect(liability(CAP_300K, { repairDays: 0 })).toMatchObject({ lossOfUse: 0, damage: 1_200_000 });
    });

    it("rounds down once, on the exact product: 95,705 · 50 % · 3 = 143,557.5 → 143,550", () => {
      expect(liability(CAP_300K, {}, 95_705).lossOfUse).toBe(143_550);
    });
  });

  describe("exclusions", () => {
    it.each(EXCLUSIONS.map((e) => [e]))("%s voids the waiver: owed = share, basis EXCLUDED", (exclusion: Exclusion) => {
      for (const product of [CAP_300K, CAP_0, LEGACY]) {
        expect(liability(product, { exclusions: [exclusion], faultPercent: 70 })).toMatchObject({
          share: 940_480,
          owed: 940_480,
          basis: "EXCLUDED",
        });
      }
    });
  });

  describe("fault percent", () => {
    it.each([
      ["CAP_300K", CAP_300K, []],
      ["CAP_0", CAP_0, []],
      ["LEGACY_FIXED_300K", LEGACY, []],
      ["an excluded CAP_300K", CAP_300K, ["RACING"]],
    ] as const)("at fault 0, %s owes nothing", (_name, product, exclusions) => {
      expect(liability(product, { faultPercent: 0, exclusions })).toMatchObject({ share: 0, owed: 0 });
    });

    it("at fault 100 the share is the whole damage", () => {
      expect(liability(CAP_0)).toMatchObject({ damage: 1_343_550, share: 1_343_550 });
    });

    it("rounds the share down to the increment: 33 % of 1,000,005 is 330,001.65 → 330,000", () => {
      expect(liability(CAP_300K, { repairCost: 1_000_005, repairDays: 0, faultPercent: 33 })).toMatchObject({
        damage: 1_000_005,
        share: 330_000,
        owed: 300_000,
      });
    });
  });

  describe("both models", () => {
    it("CAP_0 owes nothing unless an exclusion voids it", () => {
      expect(liability(CAP_0)).toMatchObject({ owed: 0, basis: "CAPPED" });
      expect(liability(CAP_0, { exclusions: ["UNREPORTED"] })).toMatchObject({ owed: 1_343_550, basis: "EXCLUDED" });
    });

    it("CAPPED owes the share when it is below the cap", () => {
      expect(liability(CAP_300K, { repairCost: 100_000, repairDays: 1 })).toMatchObject({
        lossOfUse: 47_850,
        share: 147_850,
        owed: 147_850,
      });
    });

    it("FIXED_DEDUCTIBLE owes the repair share when it is below the deductible, plus the whole loss-of-use share", () => {
      expect(liability(LEGACY, { repairCost: 200_000, repairDays: 2, faultPercent: 50 })).toMatchObject({
        lossOfUse: 95_700,
        // min(300,000, 100,000) + floorTo(47,850)
        owed: 100_000 + 47_850,
        basis: "FIXED_DEDUCTIBLE",
      });
    });

    it("FIXED_DEDUCTIBLE rounds the repair and loss-of-use shares separately", () => {
      // repairShare floorTo(1,000,005 · 0.33 = 330,001.65) = 330,000 → min with 300,000; lossShare
      // floorTo(143,550 · 0.33 = 47,371.5) = 47,370.
      expect(liability(LEGACY, { repairCost: 1_000_005, faultPercent: 33 }).owed).toBe(300_000 + 47_370);
    });
  });

  it("stays exact at the largest inputs, where the intermediate products pass 2^53", () => {
    const capped: WaiverProduct = { ...CAP_300K, selfPayCap: MAX_INPUT_AMOUNT } as WaiverProduct;
    const big = computeLiability(
      { ...policy, lossOfUse: { percentOfDailyRate: 99, maxDays: MAX_REPAIR_DAYS } },
      capped,
      MAX_INPUT_AMOUNT - 1,
      assessment({ repairCost: MAX_INPUT_AMOUNT - 3, repairDays: MAX_REPAIR_DAYS, faultPercent: 99 }),
    );
    const lossOfUse = ((BigInt(MAX_INPUT_AMOUNT - 1) * 99n * 365n) / 100n / 10n) * 10n;
    const damage = BigInt(MAX_INPUT_AMOUNT - 3) + lossOfUse;
    expect(big).toMatchObject({
      lossOfUse: Number(lossOfUse),
      damage: Number(damage),
      share: Number(((damage * 99n) / 100n / 10n) * 10n),
      owed: MAX_INPUT_AMOUNT,
    });
  });

  describe("properties", () => {
    const increments = fc.constantFrom(1, 10, 100);
    const world = fc.record({
      increment: increments,
      percentOfDailyRate: fc.integer({ min: 0, max: 100 }),
      maxDays: fc.integer({ min: 0, max: MAX_REPAIR_DAYS }),
      dailyRate: fc.integer({ min: 0, max: 10_000_000 }),
      repairCost: fc.integer({ min: 0, max: MAX_INPUT_AMOUNT }),
      repairDays: fc.integer({ min: 0, max: MAX_REPAIR_DAYS }),
      faultPercent: fc.integer({ min: 0, max: 100 }),
      exclusions: fc.subarray([...EXCLUSIONS], { maxLength: 2 }),
      amount: fc.integer({ min: 0, max: 100_000_000 }),
      model: fc.constantFrom("CAPPED", "FIXED_DEDUCTIBLE"),
    });

    type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

    function compute(w: World, repairCost = w.repairCost) {
      const amount = w.amount * w.increment;
      const product: WaiverProduct =
        w.model === "CAPPED"
          ? { ...CAP_300K, model: "CAPPED", selfPayCap: amount }
          : { ...LEGACY, model: "FIXED_DEDUCTIBLE", deductible: amount };
      return {
        product,
        result: computeLiability(
          {
            currency: "KRW",
            roundingIncrement: w.increment,
            lossOfUse: { percentOfDailyRate: w.percentOfDailyRate, maxDays: w.maxDays },
          },
          product,
          w.dailyRate,
          { repairCost, repairDays: w.repairDays, faultPercent: w.faultPercent, exclusions: w.exclusions },
        ),
      };
    }

    it("never owes more than the share", () => {
      fc.assert(
        fc.property(world, (w) => {
          const { result } = compute(w);
          expect(result.owed).toBeLessThanOrEqual(result.share);
        }),
      );
    });

    it("never owes more than a CAPPED product's self-pay cap unless EXCLUDED", () => {
      fc.assert(
        fc.property(world, (w) => {
          const { product, result } = compute({ ...w, model: "CAPPED" });
          if (product.model !== "CAPPED") throw new Error("expected a CAPPED product");
          if (result.basis === "EXCLUDED") expect(w.exclusions.length).toBeGreaterThan(0);
          else expect(result.owed).toBeLessThanOrEqual(product.selfPayCap);
        }),
      );
    });

    it("never owes less when the repair cost grows, all else fixed", () => {
      fc.assert(
        fc.property(world, fc.integer({ min: 0, max: 1_000_000_000 }), (w, more) => {
          const repairCost = Math.min(w.repairCost, MAX_INPUT_AMOUNT - more);
          expect(compute(w, repairCost + more).result.owed).toBeGreaterThanOrEqual(compute(w, repairCost).result.owed);
        }),
      );
    });

    it("gives loss of use, share and owed as non-negative multiples of the rounding increment", () => {
      fc.assert(
        fc.property(world, (w) => {
          const { result } = compute(w);
          for (const value of [result.lossOfUse, result.share, result.owed]) {
            expect(Number.isSafeInteger(value) && value >= 0 && value % w.increment === 0).toBe(true);
          }
          expect(result.damage).toBe(w.repairCost + result.lossOfUse);
        }),
      );
    });
  });
});

describe("checkAssessment", () => {
  it("accepts spec §3's worked assessment", () => {
    expect(checkAssessment(assessment())).toEqual([]);
  });

  it("names every bad field: amount, days 0–365, percent 0–100, known exclusions listed once", () => {
    const bad = {
      repairCost: -1,
      repairDays: 366,
      faultPercent: 100.5,
      exclusions: ["DRUNK_DRIVING", "SPEEDING", "DRUNK_DRIVING"],
    } as unknown as Assessment;
    expect(checkAssessment(bad).map((issue) => issue.field)).toEqual([
      "repairCost",
      "repairDays",
      "faultPercent",
      "exclusions[1]",
      "exclusions[2]",
    ]);
  });

  it("refuses a repair cost above 10^12", () => {
    expect(checkAssessment(assessment({ repairCost: MAX_INPUT_AMOUNT + 1 })).map((i) => i.field)).toEqual([
      "repairCost",
    ]);
  });
});

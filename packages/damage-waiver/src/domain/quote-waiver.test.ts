import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aPolicy, referencePolicy } from "../../test/builders/policy-builder.js";
import {
  checkWaiverPeriod,
  MAX_WAIVER_PERIOD_MINUTES,
  quoteWaiver,
  type WaiverQuoteRequest,
  waiverFee,
} from "./quote-waiver.js";

const START = new Date("2026-11-28T01:00:00Z");

/** A request for a MIDSIZE car from START for `minutes`, by a driver of 30 with 5 licence years. */
function request(minutes: number, overrides: Partial<WaiverQuoteRequest> = {}): WaiverQuoteRequest {
  return {
    carClass: "MIDSIZE",
    startAt: START,
    endAt: new Date(START.getTime() + minutes * 60_000),
    driverAge: 30,
    licenseYears: 5,
    ...overrides,
  };
}

function options(minutes: number, overrides: Partial<WaiverQuoteRequest> = {}, policy = referencePolicy()) {
  const quoted = quoteWaiver(policy, request(minutes, overrides));
  if (!quoted.ok) throw quoted.error;
  return quoted.value;
}

function feeOf(code: string, minutes: number, overrides: Partial<WaiverQuoteRequest> = {}, policy = referencePolicy()) {
  const option = options(minutes, overrides, policy).find((o) => o.productCode === code);
  if (option === undefined) throw new Error(`${code} not offered`);
  return option.fee;
}

describe("quoteWaiver", () => {
  it("prices spec §2's example: MIDSIZE, CAP_300K, 26 h, driver 30 with 5 licence years → 10,000 + min(2·1,000, 10,000) = 12,000, eligible", () => {
    expect(options(26 * 60).find((o) => o.productCode === "CAP_300K")).toEqual({
      productCode: "CAP_300K",
      name: "Self-pay up to 300,000",
      selfPayCap: 300_000,
      fee: 12_000,
      eligible: true,
    });
  });

  it("lists every sellable product priced for the class, in the policy's order, and never the legacy one", () => {
    // 26 h: one full window at the daily price plus 2 started hours.
    expect(options(26 * 60).map((o) => [o.productCode, o.fee, o.eligible])).toEqual([
      ["CAP_700K", 8_000 + 2 * 800, true], // 9,600
      ["CAP_300K", 10_000 + 2 * 1_000, true], // 12,000
      ["CAP_50K", 14_000 + 2 * 1_400, true], // 16,800
      ["CAP_0", 18_000 + 2 * 1_800, true], // 21,600
    ]);
  });

  it("offers nothing for a car class the policy has no prices for", () => {
    expect(options(26 * 60, { carClass: "LIGHT" })).toEqual([]);
    expect(options(26 * 60, { carClass: "IMPORT" }, aPolicy({ prices: { IMPORT: {} } }))).toEqual([]);
  });

  it("never offers a product that is not sellable, even if a price slipped in for it", () => {
    const reference = referencePolicy();
    const priced = aPolicy({
      prices: { MIDSIZE: { ...reference.prices.MIDSIZE, LEGACY_FIXED_300K: { hourly: 500, daily: 5000 } } },
    });
    expect(options(60, {}, priced).map((o) => o.productCode)).not.toContain("LEGACY_FIXED_300K");
  });

  describe("24-hour windows from startAt", () => {
    it.each([
      [60, 1_000, "1 hour"],
      [61, 2_000, "61 minutes are 2 started hours"],
      [1, 1_000, "1 minute is a started hour"],
      [10 * 60, 10_000, "10 hours reach the daily price"],
      [11 * 60, 10_000, "11 hours cost no more than the daily price"],
      [24 * 60, 10_000, "a full window"],
      [24 * 60 + 1, 11_000, "a full window and 1 minute"],
      [30 * 60, 16_000, "30 h: 10,000 + min(6·1,000, 10,000)"],
      [48 * 60, 20_000, "two full windows"],
      [58 * 60, 30_000, "two windows and a partial one capped at the daily price"],
      [MAX_WAIVER_PERIOD_MINUTES, 300_000, "30 days"],
    ])("CAP_300K for %i minutes costs %i (%s)", (minutes, fee) => {
      expect(feeOf("CAP_300K", minutes)).toBe(fee);
    });

    it("counts windows from startAt whatever the time of day", () => {
      const evening = { startAt: new Date("2026-11-28T13:37:00Z") };
      const at = (minutes: number) => ({ ...evening, endAt: new Date(evening.startAt.getTime() + minutes * 60_000) });
      expect(feeOf("CAP_300K", 0, at(26 * 60))).toBe(12_000);
    });
  });

  describe("young-driver surcharge", () => {
    it("adds 20 % for a driver of 23: 12,000 + 2,400 = 14,400", () => {
      expect(feeOf("CAP_300K", 26 * 60, { driverAge: 23 })).toBe(14_400);
    });

    it("applies below underAge only: 25 pays it, 26 does not", () => {
      expect(feeOf("CAP_300K", 60, { driverAge: 25 })).toBe(1_200);
      expect(feeOf("CAP_300K", 60, { driverAge: 26 })).toBe(1_000);
    });

    it("rounds the surcharge down to the rounding increment: 3 % of 800 is 24 → 20", () => {
      const policy = aPolicy({ youngDriver: { underAge: 26, surchargePercent: 3 } });
      expect(feeOf("CAP_700K", 60, { driverAge: 22 }, policy)).toBe(820);
    });

    it("adds nothing when the policy has no young-driver rule", () => {
      const policy = aPolicy({ youngDriver: undefined });
      expect(feeOf("CAP_300K", 26 * 60, { driverAge: 21 }, policy)).toBe(12_000);
    });
  });

  describe("eligibility", () => {
    const reasons = (overrides: Partial<WaiverQuoteRequest>) =>
      options(60, overrides).map((o) => [o.productCode, o.eligible, o.ineligibleReason]);

    it("lists a product the driver may not buy, with its fee, eligible: false and the reason", () => {
      const cap0 = options(26 * 60, { driverAge: 23 }).find((o) => o.productCode === "CAP_0");
      expect(cap0).toEqual({
        productCode: "CAP_0",
        name: "No self-pay",
        selfPayCap: 0,
        fee: 21_600 + 4_320,
        eligible: false,
        ineligibleReason: "DRIVER_TOO_YOUNG",
      });
    });

    it("refuses a licence held for fewer years than the product asks: LICENSE_TOO_NEW", () => {
      expect(reasons({ driverAge: 30, licenseYears: 1 })).toEqual([
        ["CAP_700K", true, undefined],
        ["CAP_300K", true, undefined],
        ["CAP_50K", true, undefined],
        ["CAP_0", false, "LICENSE_TOO_NEW"],
      ]);
    });

    it("checks the age first: a driver too young and too new is DRIVER_TOO_YOUNG", () => {
      expect(reasons({ driverAge: 22, licenseYears: 0 })).toEqual([
        ["CAP_700K", false, "LICENSE_TOO_NEW"],
        ["CAP_300K", false, "LICENSE_TOO_NEW"],
        ["CAP_50K", false, "LICENSE_TOO_NEW"],
        ["CAP_0", false, "DRIVER_TOO_YOUNG"],
      ]);
      expect(reasons({ driverAge: 20, licenseYears: 0 }).map(([, , reason]) => reason)).toEqual([
        "DRIVER_TOO_YOUNG",
        "DRIVER_TOO_YOUNG",
        "DRIVER_TOO_YOUNG",
        "DRIVER_TOO_YOUNG",
      ]);
    });

    it("accepts a driver exactly at the minimums", () => {
      expect(reasons({ driverAge: 26, licenseYears: 2 }).every(([, eligible]) => eligible)).toBe(true);
    });
  });

  describe("the period (INVALID_PERIOD)", () => {
    const refused = (startAt: Date, endAt: Date) => {
      const result = checkWaiverPeriod(startAt, endAt);
      return result.ok ? "accepted" : [result.error.code, result.error.issues[0]?.field];
    };

    it.each([
      ["startAt with seconds", new Date("2026-11-28T01:00:30Z"), new Date("2026-11-28T05:00:00Z"), "startAt"],
      ["endAt with milliseconds", START, new Date("2026-11-28T05:00:00.500Z"), "endAt"],
      ["an empty period", START, START, "endAt"],
      ["endAt before startAt", START, new Date("2026-11-28T00:00:00Z"), "endAt"],
      ["30 days and 1 minute", START, new Date(START.getTime() + (MAX_WAIVER_PERIOD_MINUTES + 1) * 60_000), "endAt"],
    ])("refuses %s", (_name, startAt, endAt, field) => {
      expect(refused(startAt, endAt)).toEqual(["WAIVER.INVALID_PERIOD", field]);
    });

    it("accepts 1 minute and exactly 30 days", () => {
      expect(checkWaiverPeriod(START, new Date(START.getTime() + 60_000))).toEqual({ ok: true, value: 1 });
      const thirtyDays = new Date(START.getTime() + MAX_WAIVER_PERIOD_MINUTES * 60_000);
      expect(checkWaiverPeriod(START, thirtyDays)).toEqual({ ok: true, value: MAX_WAIVER_PERIOD_MINUTES });
    });

    it("is checked by quoteWaiver before anything is priced", () => {
      const quoted = quoteWaiver(referencePolicy(), request(0));
      expect(quoted.ok ? "priced" : quoted.error.code).toBe("WAIVER.INVALID_PERIOD");
    });
  });

  describe("properties", () => {
    const price = fc
      .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 1_000_000 }))
      .map(([hourly, daily]) => ({ hourly: hourly * 10, daily: daily * 10 }));
    const minutes = fc.integer({ min: 1, max: MAX_WAIVER_PERIOD_MINUTES });

    it("never charges less when endAt moves later", () => {
      fc.assert(
        fc.property(price, minutes, minutes, fc.integer({ min: 0, max: 100 }), (p, a, b, surcharge) => {
          const [shorter, longer] = a <= b ? [a, b] : [b, a];
          const policy = aPolicy({
            prices: { MIDSIZE: { CAP_300K: p } },
            youngDriver: { underAge: 26, surchargePercent: surcharge },
          });
          const young = { driverAge: 22 };
          expect(feeOf("CAP_300K", longer, young, policy)).toBeGreaterThanOrEqual(
            feeOf("CAP_300K", shorter, young, policy),
          );
        }),
      );
    });

    it("gives fees that are non-negative multiples of the rounding increment", () => {
      fc.assert(
        fc.property(
          price,
          minutes,
          fc.integer({ min: 0, max: 100 }),
          fc.integer({ min: 18, max: 40 }),
          (p, m, surcharge, age) => {
            const policy = aPolicy({
              prices: { MIDSIZE: { CAP_300K: p } },
              youngDriver: { underAge: 26, surchargePercent: surcharge },
            });
            const fee = feeOf("CAP_300K", m, { driverAge: age }, policy);
            expect(fee).toBeGreaterThanOrEqual(0);
            expect(fee % 10).toBe(0);
          },
        ),
      );
    });

    it("never charges more than the daily price per started window", () => {
      fc.assert(
        fc.property(price, minutes, (p, m) => {
          expect(waiverFee(p, m)).toBeLessThanOrEqual(Math.ceil(m / (24 * 60)) * p.daily);
        }),
      );
    });
  });
});

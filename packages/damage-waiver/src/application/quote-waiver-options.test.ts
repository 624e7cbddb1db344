import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/builders/fakes.js";
import { aPolicy, published, referencePolicy } from "../../test/builders/policy-builder.js";
import type { CarClass } from "../domain/waiver-policy.js";
import { PolicyCatalog } from "./policy-catalog.js";
import { quoteWaiverOptions, type WaiverQuoteInput } from "./quote-waiver-options.js";

const NOW = new Date("2026-11-25T05:00:00Z");

function setup() {
  const catalog = new PolicyCatalog();
  catalog.add([published(referencePolicy(), 1, new Date("2026-01-01T00:00:00Z"))]);
  const clock = new FakeClock(NOW);
  return { catalog, clock, deps: { catalog, clock } };
}

/** Spec §2's example: MIDSIZE, 26 h, a driver of 30 with 5 licence years. */
const worked: WaiverQuoteInput = {
  market: "kr",
  carClass: "MIDSIZE",
  startAt: new Date("2026-11-28T01:00:00Z"),
  endAt: new Date("2026-11-29T03:00:00Z"),
  driverAge: 30,
  licenseYears: 5,
};

function refusal(deps: ReturnType<typeof setup>["deps"], input: WaiverQuoteInput) {
  const result = quoteWaiverOptions(deps, input);
  return result.ok ? "quoted" : [result.error.code, result.error.issues.map((i) => i.field)];
}

describe("quoteWaiverOptions", () => {
  it("quotes spec §2's example on the version in effect: CAP_300K costs 12,000", () => {
    const { deps } = setup();
    const quote = quoteWaiverOptions(deps, worked);
    if (!quote.ok) throw quote.error;
    expect(quote.value).toMatchObject({ policyId: "kr-waiver", policyVersion: 1, currency: "KRW" });
    expect(quote.value.options.map((o) => [o.productCode, o.fee])).toEqual([
      ["CAP_700K", 9_600],
      ["CAP_300K", 12_000],
      ["CAP_50K", 16_800],
      ["CAP_0", 21_600],
    ]);
  });

  it("answers with no options for a car class without prices", () => {
    const { deps } = setup();
    const quote = quoteWaiverOptions(deps, { ...worked, carClass: "VAN" });
    expect(quote.ok && quote.value.options).toEqual([]);
  });

  it("uses the version in effect now, not a scheduled one", () => {
    const { deps, catalog, clock } = setup();
    const dearer = aPolicy({ prices: { MIDSIZE: { CAP_300K: { hourly: 2000, daily: 20_000 } } } });
    catalog.add([published(dearer, 2, new Date("2026-12-01T00:00:00Z"))]);
    const before = quoteWaiverOptions(deps, worked);
    expect(before.ok && [before.value.policyVersion, before.value.options[1]?.fee]).toEqual([1, 12_000]);
    clock.set(new Date("2026-12-01T00:00:00Z"));
    const after = quoteWaiverOptions(deps, worked);
    expect(after.ok && [after.value.policyVersion, after.value.options[0]?.fee]).toEqual([2, 24_000]);
  });

  it("refuses a market without a policy in effect with POLICY_NOT_FOUND", () => {
    const { deps } = setup();
    expect(refusal(deps, { ...worked, market: "jp" })).toEqual(["WAIVER.POLICY_NOT_FOUND", ["market"]]);
  });

  it("refuses a bad period with INVALID_PERIOD", () => {
    const { deps } = setup();
    expect(refusal(deps, { ...worked, endAt: worked.startAt })).toEqual(["WAIVER.INVALID_PERIOD", ["endAt"]]);
  });

  it("refuses a bad request with INVALID_REQUEST listing every bad field", () => {
    const { deps } = setup();
    expect(
      refusal(deps, {
        market: "",
        carClass: "SEDAN" as CarClass,
        startAt: new Date(Number.NaN),
        endAt: worked.endAt,
        driverAge: 17.5,
        licenseYears: -1,
      }),
    ).toEqual(["WAIVER.INVALID_REQUEST", ["market", "carClass", "startAt", "driverAge", "licenseYears"]]);
  });

  it("checks in the spec's order: the request, then the policy, then the period", () => {
    const { deps } = setup();
    const noPolicyBadPeriod = { ...worked, market: "jp", endAt: worked.startAt };
    expect(refusal(deps, { ...noPolicyBadPeriod, driverAge: -1 })[0]).toBe("WAIVER.INVALID_REQUEST");
    expect(refusal(deps, noPolicyBadPeriod)[0]).toBe("WAIVER.POLICY_NOT_FOUND");
  });
});

import { describe, expect, it } from "vitest";
import { referencePolicy } from "../../test/builders/policy-builder.js";
import { checkPolicyRules } from "./policy-rules.js";
import type { AuthoredPolicyDocument } from "./waiver-policy.js";

type Draft<T> = { -readonly [K in keyof T]: Draft<T[K]> };
type DraftPolicy = Draft<AuthoredPolicyDocument>;

const publishedAt = new Date("2026-11-25T05:00:00Z");

/** The reference policy of spec §1 after `change` was applied to a deep copy of it. */
function policyWith(change: (draft: DraftPolicy) => void): AuthoredPolicyDocument {
  const draft = structuredClone(referencePolicy()) as DraftPolicy;
  change(draft);
  return draft;
}

function issuesOf(change: (draft: DraftPolicy) => void, at: Date = publishedAt) {
  return checkPolicyRules(policyWith(change), at);
}

function fieldsOf(change: (draft: DraftPolicy) => void, at?: Date): string[] {
  return issuesOf(change, at).map((issue) => issue.field);
}

function product(draft: DraftPolicy, index: number) {
  const found = draft.products[index];
  if (found === undefined) throw new Error(`the reference policy has a products[${index}]`);
  return found;
}

function midsize(draft: DraftPolicy) {
  const prices = draft.prices.MIDSIZE;
  if (prices === undefined) throw new Error("the reference policy prices MIDSIZE");
  return prices;
}

describe("checkPolicyRules", () => {
  it("finds nothing wrong with the reference policy of spec §1", () => {
    expect(checkPolicyRules(referencePolicy(), publishedAt)).toEqual([]);
  });

  it("refuses a duplicate product code, naming the second", () => {
    const issues = issuesOf((d) => {
      product(d, 4).code = "CAP_700K";
    });
    expect(issues).toEqual([
      {
        field: "products[4].code",
        message: '"CAP_700K" is already the code of products[0]; product codes must be unique',
      },
    ]);
  });

  describe("each product's amount matches its model", () => {
    it("refuses a CAPPED product without selfPayCap", () => {
      expect(
        fieldsOf((d) => {
          delete product(d, 2).selfPayCap;
        }),
      ).toEqual(["products[2].selfPayCap"]);
    });

    it("refuses a CAPPED product with a deductible", () => {
      expect(
        fieldsOf((d) => {
          product(d, 1).deductible = 100_000;
        }),
      ).toEqual(["products[1].deductible"]);
    });

    it("refuses a FIXED_DEDUCTIBLE product without deductible, or with a selfPayCap", () => {
      expect(
        fieldsOf((d) => {
          const legacy = product(d, 4);
          delete legacy.deductible;
          legacy.selfPayCap = 300_000;
        }),
      ).toEqual(["products[4].deductible", "products[4].selfPayCap"]);
    });

    it("refuses a FIXED_DEDUCTIBLE product that is sellable, or not marked sellable: false", () => {
      expect(
        fieldsOf((d) => {
          product(d, 4).sellable = true;
        }),
      ).toEqual(["products[4].sellable"]);
      expect(
        fieldsOf((d) => {
          delete product(d, 4).sellable;
        }),
      ).toEqual(["products[4].sellable"]);
    });
  });

  describe("prices", () => {
    it("refuses a price for a product the policy does not have", () => {
      const issues = issuesOf((d) => {
        midsize(d).CAP_1M = { hourly: 500, daily: 5000 };
      });
      expect(issues).toEqual([
        { field: "prices.MIDSIZE.CAP_1M", message: '"CAP_1M" is not the code of a product of this policy' },
      ]);
    });

    it("refuses a price for a car class that does not exist", () => {
      expect(
        fieldsOf((d) => {
          (d.prices as Record<string, unknown>).SEDAN = {};
        }),
      ).toEqual(["prices.SEDAN"]);
    });

    it("refuses prices for a product that is not sellable", () => {
      const issues = issuesOf((d) => {
        midsize(d).LEGACY_FIXED_300K = { hourly: 500, daily: 5000 };
      });
      expect(issues).toEqual([
        {
          field: "prices.MIDSIZE.LEGACY_FIXED_300K",
          message: "LEGACY_FIXED_300K is not sellable (sellable: false), so it must have no prices",
        },
      ]);
    });

    it("accepts a class with an empty price list, and a policy without prices", () => {
      expect(
        fieldsOf((d) => {
          d.prices.IMPORT = {};
        }),
      ).toEqual([]);
      expect(
        fieldsOf((d) => {
          d.prices = {};
        }),
      ).toEqual([]);
    });
  });

  describe("money on the rounding grid", () => {
    it("refuses hourly and daily prices that are not multiples of roundingIncrement", () => {
      const issues = issuesOf((d) => {
        const cap = midsize(d).CAP_300K;
        if (cap === undefined) throw new Error("CAP_300K is priced");
        cap.hourly = 1005;
        cap.daily = 10_001;
      });
      expect(issues).toEqual([
        {
          field: "prices.MIDSIZE.CAP_300K.hourly",
          message: "must be a multiple of the rounding increment (10), got 1005",
        },
        {
          field: "prices.MIDSIZE.CAP_300K.daily",
          message: "must be a multiple of the rounding increment (10), got 10001",
        },
      ]);
    });

    it("refuses a selfPayCap or deductible off the grid", () => {
      expect(
        fieldsOf((d) => {
          product(d, 0).selfPayCap = 700_005;
          product(d, 4).deductible = 300_001;
        }),
      ).toEqual(["products[0].selfPayCap", "products[4].deductible"]);
    });

    it("judges the grid by the document's own increment", () => {
      expect(
        fieldsOf((d) => {
          d.roundingIncrement = 1000;
        }),
      ).toEqual(["prices.MIDSIZE.CAP_700K.hourly", "prices.MIDSIZE.CAP_50K.hourly", "prices.MIDSIZE.CAP_0.hourly"]);
    });
  });

  it("refuses a currency ISO 4217 does not know, or no longer uses", () => {
    expect(
      fieldsOf((d) => {
        d.currency = "ABC";
      }),
    ).toEqual(["currency"]);
    expect(
      fieldsOf((d) => {
        d.currency = "DEM";
      }),
    ).toEqual(["currency"]);
    expect(
      fieldsOf((d) => {
        d.currency = "MYR";
      }),
    ).toEqual([]);
  });

  describe("effectiveFrom", () => {
    it("accepts a moment at or after publication", () => {
      expect(
        fieldsOf((d) => {
          d.effectiveFrom = "2026-11-25T14:00:00+09:00";
        }),
      ).toEqual([]);
      expect(
        fieldsOf((d) => {
          d.effectiveFrom = "2027-01-01T00:00:00+09:00";
        }),
      ).toEqual([]);
    });

    it("refuses a moment before publication", () => {
      const issues = issuesOf((d) => {
        d.effectiveFrom = "2026-11-25T13:59:59+09:00";
      });
      expect(issues.map((i) => i.field)).toEqual(["effectiveFrom"]);
      expect(issues[0]?.message).toContain("cannot take effect in the past");
    });

    it("refuses a date that is not in the calendar", () => {
      expect(
        fieldsOf((d) => {
          d.effectiveFrom = "2027-02-30T00:00:00Z";
        }),
      ).toEqual(["effectiveFrom"]);
    });
  });

  it("lists every problem at once, top to bottom", () => {
    expect(
      fieldsOf((d) => {
        d.currency = "ABC";
        product(d, 3).code = "CAP_50K";
        delete product(d, 4).sellable;
        midsize(d).NOPE = { hourly: 10, daily: 10 };
        d.effectiveFrom = "2020-01-01T00:00:00Z";
      }),
    ).toEqual([
      "currency",
      "products[3].code",
      "products[4].sellable",
      "prices.MIDSIZE.CAP_0", // CAP_0 was renamed, so its price names no product
      "prices.MIDSIZE.NOPE",
      "effectiveFrom",
    ]);
  });
});

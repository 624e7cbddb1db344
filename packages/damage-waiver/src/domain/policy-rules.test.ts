import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referencePolicy } from "../../test/builders/policy-builder.js";
import { checkPolicyRules, parseRfc3339 } from "./policy-rules.js";
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

/** parseRfc3339 as it was written first, with a regular expression: the reference of the property below. */
function parseRfc3339ByRegExp(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, h, m, s, fraction, sign, oh, om] = match;
  const [y, mo, d] = [Number(year), Number(month), Number(day)];
  const [hours, minutes, seconds] = [Number(h), Number(m), Number(s)];
  const [offsetHours, offsetMinutes] = [Number(oh ?? 0), Number(om ?? 0)];
  const last = new Date(0);
  last.setUTCFullYear(y, mo, 0);
  if (mo < 1 || mo > 12 || d < 1 || d > last.getUTCDate()) return undefined;
  if (hours > 23 || minutes > 59 || seconds > 60 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d);
  local.setUTCHours(hours, minutes, seconds, millis);
  return local.getTime() - offset;
}

describe("parseRfc3339", () => {
  const digit = fc.constantFrom(..."0123456789");
  const nearDigit = fc.constantFrom(..."0123456789/:٣", "");
  const field = (n: number) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.array(digit, { minLength: n, maxLength: n }).map((ds) => ds.join("")) },
      { weight: 1, arbitrary: fc.array(nearDigit, { minLength: n - 1, maxLength: n + 1 }).map((ds) => ds.join("")) },
    );
  const sep = (usual: string, others: string[]) =>
    fc.oneof({ weight: 8, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
  const fraction = fc.oneof(
    fc.constant(""),
    fc.array(digit, { minLength: 0, maxLength: 12 }).map((ds) => `.${ds.join("")}`),
  );
  const zone = fc.oneof(
    fc.constantFrom("Z", "z", "", "Zx", "+", "GMT"),
    fc
      .tuple(
        fc.constantFrom("+", "-", "−", "*"),
        field(2),
        sep(":", ["", "-", "::"]),
        field(2),
        fc.constantFrom("", "", "", "0"),
      )
      .map((parts) => parts.join("")),
  );
  const dateTimeLike = fc
    .tuple(
      fc.oneof(field(4), fc.constantFrom("0000", "0099", "0100", "1900", "2000", "2024", "2100", "9999")),
      sep("-", ["/", ""]),
      fc.oneof(field(2), fc.constantFrom("00", "01", "02", "12", "13")),
      sep("-", ["/"]),
      fc.oneof(field(2), fc.constantFrom("00", "28", "29", "30", "31", "32")),
      sep("T", ["t", " ", "", "TT"]),
      fc.oneof(field(2), fc.constantFrom("23", "24")),
      sep(":", [".", ""]),
      fc.oneof(field(2), fc.constantFrom("59", "60")),
      sep(":", ["."]),
      fc.oneof(field(2), fc.constantFrom("59", "60", "61")),
      fraction,
      zone,
    )
    .map((parts) => parts.join(""));

  it("reads every text as the regular expression it replaces does, date-times and near misses alike", () => {
    fc.assert(
      fc.property(fc.oneof(dateTimeLike, fc.string(), fc.string({ unit: "binary" })), (text) => {
        expect(parseRfc3339(text)).toBe(parseRfc3339ByRegExp(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ["2026-11-28T10:00:00+09:00", Date.UTC(2026, 10, 28, 1)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["2000-02-29T00:00:00Z", Date.UTC(2000, 1, 29)],
    ["0050-01-01t00:00:00.5z", -60_589_296_000_000 + 500],
  ])("reads %s", (text, millis) => {
    expect(parseRfc3339(text)).toBe(millis);
  });

  it.each([
    "2023-02-29T00:00:00Z",
    "2100-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-11-28T10:00:00",
    "2026-11-28T10:00:00.Z",
    "2026-11-28T10:00:00+24:00",
  ])("refuses %s", (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

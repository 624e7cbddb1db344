import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { referencePolicyText } from "../../test/builders/policy-builder.js";
import type { InvalidPolicyError } from "../domain/waiver-errors.js";
import type { WaiverPolicyDocument } from "../domain/waiver-policy.js";
import { DOCUMENT_FIELD, MAX_POLICY_DOCUMENT_BYTES, readPolicyDocument } from "./read-policy-document.js";

const publishedAt = new Date("2026-11-25T05:00:00Z");

/** The reference policy as its author wrote it, as plain data to mutate. */
function authoredReference(): Record<string, unknown> {
  return parse(referencePolicyText, { schema: "core" });
}

/**
 * The reference policy as JSON text, with the fields at the given paths (written as issues name them:
 * `products[2].selfPayCap`) replaced; `undefined` removes a field.
 */
function policyWith(changes: Record<string, unknown>): string {
  const document = authoredReference();
  for (const [path, value] of Object.entries(changes)) setAt(document, path, value);
  return JSON.stringify(document);
}

function setAt(root: unknown, path: string, value: unknown): void {
  const keys = [...path.matchAll(/[^.[\]]+/g)].map((match) => match[0]);
  const last = keys.pop();
  let node = root;
  for (const key of keys) {
    if (typeof node !== "object" || node === null) return;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== "object" || node === null || last === undefined) return;
  if (value === undefined) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = value;
}

function accepted(text: string): WaiverPolicyDocument {
  const result = readPolicyDocument(text, publishedAt);
  if (!result.ok) throw new Error(`refused: ${result.error.message}`);
  return result.value;
}

function refusal(text: string): InvalidPolicyError {
  const result = readPolicyDocument(text, publishedAt);
  if (result.ok) throw new Error("expected the document to be refused");
  return result.error;
}

function fieldsOf(text: string): string[] {
  return refusal(text).issues.map((issue) => issue.field);
}

/** The reference policy of spec §1 as `readPolicyDocument` returns it: every product's sellable filled in. */
const expectedReference: WaiverPolicyDocument = {
  id: "kr-waiver",
  market: "kr",
  currency: "KRW",
  roundingIncrement: 10,
  products: [
    {
      code: "CAP_700K",
      name: "Self-pay up to 700,000",
      model: "CAPPED",
      selfPayCap: 700_000,
      minDriverAge: 21,
      minLicenseYears: 1,
      sellable: true,
    },
    {
      code: "CAP_300K",
      name: "Self-pay up to 300,000",
      model: "CAPPED",
      selfPayCap: 300_000,
      minDriverAge: 21,
      minLicenseYears: 1,
      sellable: true,
    },
    {
      code: "CAP_50K",
      name: "Self-pay up to 50,000",
      model: "CAPPED",
      selfPayCap: 50_000,
      minDriverAge: 21,
      minLicenseYears: 1,
      sellable: true,
    },
    {
      code: "CAP_0",
      name: "No self-pay",
      model: "CAPPED",
      selfPayCap: 0,
      minDriverAge: 26,
      minLicenseYears: 2,
      sellable: true,
    },
    {
      code: "LEGACY_FIXED_300K",
      name: "Fixed deductible 300,000",
      model: "FIXED_DEDUCTIBLE",
      deductible: 300_000,
      minDriverAge: 21,
      minLicenseYears: 1,
      sellable: false,
    },
  ],
  prices: {
    MIDSIZE: {
      CAP_700K: { hourly: 800, daily: 8000 },
      CAP_300K: { hourly: 1000, daily: 10_000 },
      CAP_50K: { hourly: 1400, daily: 14_000 },
      CAP_0: { hourly: 1800, daily: 18_000 },
    },
  },
  youngDriver: { underAge: 26, surchargePercent: 20 },
  lossOfUse: { percentOfDailyRate: 50, maxDays: 5 },
};

describe("readPolicyDocument", () => {
  describe("accepting", () => {
    it("reads the reference policy of spec §1 into the expected document", () => {
      expect(accepted(referencePolicyText)).toEqual(expectedReference);
    });

    it("accepts JSON, compact or indented with tabs", () => {
      expect(accepted(JSON.stringify(authoredReference()))).toEqual(expectedReference);
      expect(accepted(JSON.stringify(authoredReference(), null, "\t"))).toEqual(expectedReference);
    });

    it("leaves youngDriver and effectiveFrom out when absent, and keeps an effectiveFrom written unquoted", () => {
      const document = accepted(policyWith({ youngDriver: undefined }));
      expect(document).not.toHaveProperty("youngDriver");
      expect(document).not.toHaveProperty("effectiveFrom");
      const later = accepted(`${referencePolicyText}effectiveFrom: 2027-01-01T00:00:00+09:00\n`);
      expect(later.effectiveFrom).toBe("2027-01-01T00:00:00+09:00");
    });

    it("gives equal documents the same key order whatever order they were written in", () => {
      const reordered = Object.fromEntries(Object.entries(authoredReference()).reverse());
      expect(JSON.stringify(accepted(JSON.stringify(reordered)))).toBe(JSON.stringify(expectedReference));
    });
  });

  describe("refusing what spec §1 refuses, with WAIVER.INVALID_POLICY naming the field", () => {
    const cases: { rule: string; changes: Record<string, unknown>; field: string }[] = [
      // The shape (JSON Schema).
      { rule: "an unknown key in a product", changes: { "products[1].colour": "red" }, field: "products[1].colour" },
      { rule: "an unknown top-level key", changes: { taxes: 10 }, field: "taxes" },
      { rule: "an unknown key in lossOfUse", changes: { "lossOfUse.minDays": 1 }, field: "lossOfUse.minDays" },
      { rule: "a missing id", changes: { id: undefined }, field: "id" },
      { rule: "a missing market", changes: { market: undefined }, field: "market" },
      { rule: "missing prices", changes: { prices: undefined }, field: "prices" },
      { rule: "a missing lossOfUse", changes: { lossOfUse: undefined }, field: "lossOfUse" },
      { rule: "a missing product name", changes: { "products[0].name": undefined }, field: "products[0].name" },
      { rule: "a policy without products", changes: { products: [] }, field: "products" },
      { rule: "a negative selfPayCap", changes: { "products[1].selfPayCap": -10 }, field: "products[1].selfPayCap" },
      {
        rule: "a fractional price",
        changes: { "prices.MIDSIZE.CAP_0.hourly": 1800.5 },
        field: "prices.MIDSIZE.CAP_0.hourly",
      },
      { rule: "a number written as text", changes: { roundingIncrement: "10" }, field: "roundingIncrement" },
      { rule: "a rounding increment of 0", changes: { roundingIncrement: 0 }, field: "roundingIncrement" },
      { rule: "money above 10^12", changes: { "products[0].selfPayCap": 1e12 + 10 }, field: "products[0].selfPayCap" },
      {
        rule: "a surcharge above 100 %",
        changes: { "youngDriver.surchargePercent": 101 },
        field: "youngDriver.surchargePercent",
      },
      {
        rule: "a negative loss-of-use percent",
        changes: { "lossOfUse.percentOfDailyRate": -1 },
        field: "lossOfUse.percentOfDailyRate",
      },
      { rule: "more than 365 loss-of-use days", changes: { "lossOfUse.maxDays": 366 }, field: "lossOfUse.maxDays" },
      { rule: "a fractional age", changes: { "products[3].minDriverAge": 25.5 }, field: "products[3].minDriverAge" },
      { rule: "an unknown model", changes: { "products[2].model": "UNCAPPED" }, field: "products[2].model" },
      { rule: "sellable as text", changes: { "products[4].sellable": "no" }, field: "products[4].sellable" },
      { rule: "an unknown car class in prices", changes: { "prices.SEDAN": {} }, field: "prices.SEDAN" },
      { rule: "a lower-case product code", changes: { "products[0].code": "cap_700k" }, field: "products[0].code" },
      { rule: "a lower-case code in prices", changes: { "prices.MIDSIZE.cap_0": {} }, field: "prices.MIDSIZE.cap_0" },
      { rule: "a lower-case currency", changes: { currency: "krw" }, field: "currency" },
      {
        rule: "an effectiveFrom without a zone",
        changes: { effectiveFrom: "2027-01-01T00:00:00" },
        field: "effectiveFrom",
      },
      // The rules (checkPolicyRules), reached once the shape holds.
      {
        rule: "a CAPPED product without selfPayCap",
        changes: { "products[2].selfPayCap": undefined },
        field: "products[2].selfPayCap",
      },
      {
        rule: "a CAPPED product with a deductible",
        changes: { "products[0].deductible": 10 },
        field: "products[0].deductible",
      },
      {
        rule: "a FIXED_DEDUCTIBLE product without deductible",
        changes: { "products[4].deductible": undefined },
        field: "products[4].deductible",
      },
      {
        rule: "a sellable FIXED_DEDUCTIBLE product",
        changes: { "products[4].sellable": undefined },
        field: "products[4].sellable",
      },
      { rule: "a duplicate product code", changes: { "products[4].code": "CAP_0" }, field: "products[4].code" },
      {
        rule: "a price for an unknown product",
        changes: { "prices.MIDSIZE.CAP_1M": { hourly: 10, daily: 10 } },
        field: "prices.MIDSIZE.CAP_1M",
      },
      {
        rule: "a price for a non-sellable product",
        changes: { "prices.MIDSIZE.LEGACY_FIXED_300K": { hourly: 10, daily: 10 } },
        field: "prices.MIDSIZE.LEGACY_FIXED_300K",
      },
      {
        rule: "money off the rounding grid",
        changes: { "products[1].selfPayCap": 300_005 },
        field: "products[1].selfPayCap",
      },
      { rule: "an unknown currency", changes: { currency: "XYZ" }, field: "currency" },
      {
        rule: "an effectiveFrom before publication",
        changes: { effectiveFrom: "2026-01-01T00:00:00Z" },
        field: "effectiveFrom",
      },
    ];

    it.each(cases)("refuses $rule, naming $field", ({ changes, field }) => {
      const error = refusal(policyWith(changes));
      expect(error.code).toBe("WAIVER.INVALID_POLICY");
      expect(error.issues.map((issue) => issue.field)).toEqual([field]);
    });
  });

  describe("messages an author can act on", () => {
    const messageOf = (changes: Record<string, unknown>) => refusal(policyWith(changes)).issues[0]?.message;

    it("says what type was expected and what came", () => {
      expect(messageOf({ roundingIncrement: "10" })).toBe('must be a whole number, got "10"');
      expect(messageOf({ "prices.MIDSIZE.CAP_0.hourly": 1800.5 })).toBe("must be a whole number, got 1800.5");
    });

    it("names the allowed values of an enum, and the car classes for an unknown class", () => {
      expect(messageOf({ "products[2].model": "UNCAPPED" })).toBe(
        'must be one of CAPPED, FIXED_DEDUCTIBLE, got "UNCAPPED"',
      );
      expect(messageOf({ "prices.SEDAN": {} })).toBe(
        '"SEDAN" is not a car class; one of LIGHT, COMPACT, MIDSIZE, LARGE, SUV, VAN, IMPORT',
      );
    });

    it("says how a product code is written", () => {
      expect(messageOf({ "products[0].code": "cap_700k" })).toBe(
        'must be a product code of 1–64 capital letters, digits, _ or -, e.g. CAP_300K, got "cap_700k"',
      );
    });

    it("says which range a percent must be in", () => {
      expect(messageOf({ "youngDriver.surchargePercent": 101 })).toBe("must be at most 100, got 101");
    });

    it("marks an unknown key and a missing one", () => {
      expect(messageOf({ taxes: 10 })).toBe("unknown field");
      expect(messageOf({ id: undefined })).toBe("required");
    });
  });

  describe("every problem at once", () => {
    it("lists all shape problems together, each once", () => {
      const error = refusal(
        policyWith({
          id: undefined,
          roundingIncrement: -10,
          "products[1].minLicenseYears": "one",
          "lossOfUse.maxDays": 1.5,
          extra: true,
        }),
      );
      expect(error.issues.map((issue) => issue.field).sort()).toEqual(
        ["extra", "id", "lossOfUse.maxDays", "products[1].minLicenseYears", "roundingIncrement"].sort(),
      );
      expect(error.message).toMatch(/^The waiver policy document has 5 problems; the first: /);
    });

    it("lists all rule problems together, once the shape holds", () => {
      expect(
        fieldsOf(
          policyWith({
            "products[0].selfPayCap": undefined,
            "products[4].sellable": true,
            "prices.MIDSIZE.CAP_0.daily": 18_001,
          }),
        ),
      ).toEqual(["products[0].selfPayCap", "products[4].sellable", "prices.MIDSIZE.CAP_0.daily"]);
    });
  });

  describe("the document as a whole", () => {
    it("refuses text that is not YAML, saying where", () => {
      const error = refusal("id: kr-waiver\nproducts: [\n");
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.field).toBe(DOCUMENT_FIELD);
      expect(error.issues[0]?.message).toMatch(/^is not valid YAML or JSON at line \d+, column \d+/);
    });

    it("refuses a document that is not a mapping", () => {
      expect(fieldsOf("- 1\n- 2\n")).toEqual([DOCUMENT_FIELD]);
      expect(fieldsOf("")).toEqual([DOCUMENT_FIELD]);
    });

    it("refuses a key written twice", () => {
      expect(fieldsOf(`${referencePolicyText}id: again\n`)).toEqual([DOCUMENT_FIELD]);
    });

    it("refuses a document larger than the limit before parsing it", () => {
      const padding = `# ${"x".repeat(MAX_POLICY_DOCUMENT_BYTES)}\n`;
      const error = refusal(`${padding}${referencePolicyText}`);
      expect(error.issues).toEqual([{ field: DOCUMENT_FIELD, message: expect.stringMatching(/at most 1 MB$/) }]);
    });

    it("refuses alias bombs", () => {
      const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < 12; i++) {
        const previous = String.fromCharCode(96 + i);
        const next = String.fromCharCode(97 + i);
        lines.push(`${next}: &${next} [${Array(10).fill(`*${previous}`).join(", ")}]`);
      }
      expect(fieldsOf(lines.join("\n"))).toEqual([DOCUMENT_FIELD]);
    });
  });
});

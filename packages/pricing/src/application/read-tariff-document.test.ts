import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Settings } from "typebox/system";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { InvalidTariffError } from "../domain/pricing-errors.js";
import type { TariffDocument } from "../domain/tariff.js";
import { DOCUMENT_FIELD, MAX_TARIFF_DOCUMENT_BYTES, readTariffDocument } from "./read-tariff-document.js";

const fixtureText = readFileSync(new URL("../../test/fixtures/reference-tariff.yaml", import.meta.url), "utf8");
const publishedAt = new Date("2026-11-25T05:00:00Z");

/** The reference tariff as its author wrote it (no defaults filled in), as plain data to mutate. */
function authoredReference(): Record<string, unknown> {
  return parse(fixtureText, { schema: "core" });
}

/**
 * The reference tariff as JSON text, with the fields at the given paths (written as issues name them:
 * `carModels[0].dailyRate.weekday`) replaced; `undefined` removes a field.
 */
function tariffWith(changes: Record<string, unknown>): string {
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

function read(text: string) {
  return readTariffDocument(text, publishedAt);
}

function accepted(text: string): TariffDocument {
  const result = read(text);
  if (!result.ok) throw new Error(`refused: ${result.error.message}`);
  return result.value;
}

function refusal(text: string): InvalidTariffError {
  const result = read(text);
  if (result.ok) throw new Error("expected the document to be refused");
  return result.error;
}

function fieldsOf(error: InvalidTariffError): string[] {
  return error.issues.map((issue) => issue.field);
}

/** The reference tariff of spec §2 as `readTariffDocument` returns it: optional lists filled in. */
const expectedReference: TariffDocument = {
  id: "kr-standard",
  market: "kr",
  currency: "KRW",
  timeZone: "Asia/Seoul",
  roundingIncrement: 10,
  billing: { unitMinutes: 10, minimumMinutes: 30, maximumMinutes: 43_200, unitsPerDailyRate: 60 },
  businessDayOffset: "-05:00",
  weekendDays: ["SAT", "SUN"],
  holidays: ["2026-12-25", "2027-01-01"],
  peakSeasons: [{ from: "2026-07-25", to: "2026-08-09" }],
  timeBands: [{ name: "late-night", from: "02:00", to: "06:00", percent: 70 }],
  dailyCap: { windowHours: 24 },
  longRentalDiscounts: [
    { minHours: 24, percent: 10 },
    { minHours: 72, percent: 20 },
  ],
  memberDiscounts: { PASSPORT: 50 },
  delivery: [{ underHours: 24, fee: 15_900 }, { fee: 0 }],
  lateReturn: { graceMinutes: 10, flatFee: 10_000, surchargeFromMinutes: 30, surchargeMultiplier: 2 },
  earlyReturn: { minMinutes: 10, maxMinutes: 600, creditPercent: 50 },
  carModels: [
    {
      id: "sonata-dn8",
      name: "Sonata DN8",
      class: "MIDSIZE",
      fuel: "GASOLINE",
      dailyRate: { weekday: 68_900, weekend: 95_700 },
      distanceRates: [{ upToKm: 100, perKm: 220 }, { perKm: 176 }],
    },
  ],
};

describe("readTariffDocument", () => {
  describe("accepting", () => {
    it("reads the reference tariff of spec §2 into the expected document", () => {
      expect(accepted(fixtureText)).toEqual(expectedReference);
    });

    it("fills the optional lists with empty ones and leaves delivery and effectiveFrom absent", () => {
      const document = accepted(
        tariffWith({
          holidays: undefined,
          peakSeasons: undefined,
          timeBands: undefined,
          longRentalDiscounts: undefined,
          memberDiscounts: undefined,
          delivery: undefined,
        }),
      );
      expect(document).toMatchObject({
        holidays: [],
        peakSeasons: [],
        timeBands: [],
        longRentalDiscounts: [],
        memberDiscounts: {},
      });
      expect(document).not.toHaveProperty("delivery");
      expect(document).not.toHaveProperty("effectiveFrom");
    });

    it("keeps an effectiveFrom later than the publication", () => {
      expect(accepted(tariffWith({ effectiveFrom: "2027-01-01T00:00:00+09:00" })).effectiveFrom).toBe(
        "2027-01-01T00:00:00+09:00",
      );
    });

    it("accepts JSON, compact or indented with tabs", () => {
      const authored = authoredReference();
      expect(accepted(JSON.stringify(authored))).toEqual(expectedReference);
      expect(accepted(JSON.stringify(authored, null, "\t"))).toEqual(expectedReference);
    });

    it("reads times, dates and offsets written without quotes as the strings they look like (YAML 1.2 core)", () => {
      const unquoted = `${fixtureText.replaceAll('"', "")}effectiveFrom: 2027-01-01T00:00:00+09:00\n`;
      expect(unquoted).toContain("from: 02:00");
      expect(unquoted).toContain("businessDayOffset: -05:00");
      expect(accepted(unquoted)).toEqual({ ...expectedReference, effectiveFrom: "2027-01-01T00:00:00+09:00" });
    });
  });

  describe("refusing what spec §2 refuses, with PRICING.INVALID_TARIFF naming the field", () => {
    const cases: { rule: string; changes: Record<string, unknown>; field: string }[] = [
      // The shape (JSON Schema).
      { rule: "an unknown key", changes: { "carModels[0].colour": "red" }, field: "carModels[0].colour" },
      { rule: "an unknown top-level key", changes: { taxes: 10 }, field: "taxes" },
      { rule: "a missing required key", changes: { "billing.unitMinutes": undefined }, field: "billing.unitMinutes" },
      { rule: "a tariff without car models", changes: { carModels: [] }, field: "carModels" },
      { rule: "a negative amount", changes: { "lateReturn.flatFee": -10 }, field: "lateReturn.flatFee" },
      {
        rule: "an amount that is not a whole number",
        changes: { "carModels[0].dailyRate.weekday": 68_900.5 },
        field: "carModels[0].dailyRate.weekday",
      },
      {
        rule: "an amount above 10^12 minor units",
        changes: { "carModels[0].dailyRate.weekend": 1_000_000_000_010 },
        field: "carModels[0].dailyRate.weekend",
      },
      { rule: "an amount written as text", changes: { "lateReturn.flatFee": "10000" }, field: "lateReturn.flatFee" },
      { rule: "a rounding increment of 0", changes: { roundingIncrement: 0 }, field: "roundingIncrement" },
      {
        rule: "a percent above 100",
        changes: { "longRentalDiscounts[0].percent": 101 },
        field: "longRentalDiscounts[0].percent",
      },
      {
        rule: "a member discount above 100 percent",
        changes: { "memberDiscounts.PASSPORT": 150 },
        field: "memberDiscounts.PASSPORT",
      },
      { rule: "a time band percent of 0", changes: { "timeBands[0].percent": 0 }, field: "timeBands[0].percent" },
      {
        rule: "a time band percent above 1000",
        changes: { "timeBands[0].percent": 1001 },
        field: "timeBands[0].percent",
      },
      {
        rule: "a surcharge multiplier below 1",
        changes: { "lateReturn.surchargeMultiplier": 0 },
        field: "lateReturn.surchargeMultiplier",
      },
      {
        rule: "a long-rental tier of 0 hours",
        changes: { "longRentalDiscounts[0].minHours": 0 },
        field: "longRentalDiscounts[0].minHours",
      },
      {
        rule: "a delivery tier under 0 hours",
        changes: { "delivery[0].underHours": 0 },
        field: "delivery[0].underHours",
      },
      {
        rule: "a distance tier up to 0 km",
        changes: { "carModels[0].distanceRates[0].upToKm": 0 },
        field: "carModels[0].distanceRates[0].upToKm",
      },
      { rule: "a cap window of 0 hours", changes: { "dailyCap.windowHours": 0 }, field: "dailyCap.windowHours" },
      {
        rule: "a business day offset beyond 12 hours",
        changes: { businessDayOffset: "+13:00" },
        field: "businessDayOffset",
      },
      {
        rule: "a business day offset without a sign",
        changes: { businessDayOffset: "05:00" },
        field: "businessDayOffset",
      },
      { rule: "an unknown weekday", changes: { "weekendDays[1]": "SUNDAY" }, field: "weekendDays[1]" },
      { rule: "an unknown car class", changes: { "carModels[0].class": "TRUCK" }, field: "carModels[0].class" },
      { rule: "an unknown fuel", changes: { "carModels[0].fuel": "STEAM" }, field: "carModels[0].fuel" },
      { rule: "a currency that is not three capitals", changes: { currency: "krw" }, field: "currency" },
      { rule: 'a time that is not "HH:MM"', changes: { "timeBands[0].from": "2:00" }, field: "timeBands[0].from" },
      { rule: "the time 24:00", changes: { "timeBands[0].to": "24:00" }, field: "timeBands[0].to" },
      { rule: 'a holiday that is not "YYYY-MM-DD"', changes: { "holidays[0]": "25.12.2026" }, field: "holidays[0]" },
      { rule: "an effectiveFrom without a time", changes: { effectiveFrom: "2027-01-01" }, field: "effectiveFrom" },
      // The business rules (domain/tariff-rules.ts).
      {
        rule: "a daily rate that is not a multiple of the rounding increment",
        changes: { "carModels[0].dailyRate.weekday": 68_905 },
        field: "carModels[0].dailyRate.weekday",
      },
      {
        rule: "a delivery fee that is not a multiple of the rounding increment",
        changes: { "delivery[0].fee": 15_905 },
        field: "delivery[0].fee",
      },
      {
        rule: "a late-return flat fee that is not a multiple of the rounding increment",
        changes: { "lateReturn.flatFee": 10_005 },
        field: "lateReturn.flatFee",
      },
      { rule: "a unit that does not divide 60", changes: { "billing.unitMinutes": 25 }, field: "billing.unitMinutes" },
      {
        rule: "a minimum rental off the unit grid",
        changes: { "billing.minimumMinutes": 35 },
        field: "billing.minimumMinutes",
      },
      {
        rule: "a maximum rental off the unit grid",
        changes: { "billing.maximumMinutes": 43_201 },
        field: "billing.maximumMinutes",
      },
      {
        rule: "long-rental tiers not strictly ascending in minHours",
        changes: { "longRentalDiscounts[1].minHours": 24 },
        field: "longRentalDiscounts[1].minHours",
      },
      {
        rule: "delivery tiers not strictly ascending in underHours",
        changes: { delivery: [{ underHours: 24, fee: 15_900 }, { underHours: 6, fee: 9_900 }, { fee: 0 }] },
        field: "delivery[1].underHours",
      },
      {
        rule: "delivery without a final tier with no underHours",
        changes: { "delivery[1].underHours": 72 },
        field: "delivery[1].underHours",
      },
      {
        rule: "a time band with from == to",
        changes: { "timeBands[0].to": "02:00" },
        field: "timeBands[0]",
      },
      {
        rule: "overlapping time bands",
        changes: { "timeBands[1]": { name: "night", from: "23:00", to: "03:00", percent: 80 } },
        field: "timeBands[1]",
      },
      {
        rule: "duplicate car model ids",
        changes: { "carModels[1]": authoredCarModel() },
        field: "carModels[1].id",
      },
      {
        rule: "distance tiers not strictly ascending in upToKm",
        changes: {
          "carModels[0].distanceRates": [{ upToKm: 100, perKm: 220 }, { upToKm: 50, perKm: 200 }, { perKm: 176 }],
        },
        field: "carModels[0].distanceRates[1].upToKm",
      },
      {
        rule: "distance tiers without a final tier with no upToKm",
        changes: { "carModels[0].distanceRates[1].upToKm": 500 },
        field: "carModels[0].distanceRates[1].upToKm",
      },
      { rule: "an unknown time zone", changes: { timeZone: "Asia/Busan" }, field: "timeZone" },
      { rule: "an unknown currency", changes: { currency: "KRX" }, field: "currency" },
      {
        rule: "a grace period past the start of the surcharge",
        changes: { "lateReturn.graceMinutes": 45 },
        field: "lateReturn.graceMinutes",
      },
      {
        rule: "an early-return minimum above the maximum",
        changes: { "earlyReturn.minMinutes": 601 },
        field: "earlyReturn.minMinutes",
      },
      { rule: "a holiday that is not in the calendar", changes: { "holidays[0]": "2026-11-31" }, field: "holidays[0]" },
      {
        rule: "a peak season that ends before it starts",
        changes: { "peakSeasons[0].to": "2026-07-01" },
        field: "peakSeasons[0].from",
      },
      {
        rule: "an effectiveFrom earlier than the moment of publication",
        changes: { effectiveFrom: "2026-11-25T04:59:59Z" },
        field: "effectiveFrom",
      },
    ];

    for (const { rule, changes, field } of cases) {
      it(`refuses ${rule}, naming ${field}`, () => {
        const error = refusal(tariffWith(changes));
        expect(error).toBeInstanceOf(InvalidTariffError);
        expect(error.code).toBe("PRICING.INVALID_TARIFF");
        expect(fieldsOf(error)).toEqual([field]);
        expect(error.issues[0]?.message).not.toBe("");
      });
    }
  });

  describe("messages", () => {
    it('names an unknown key as "unknown field" and a missing one as "required"', () => {
      const error = refusal(tariffWith({ "carModels[0].colour": "red", "billing.unitMinutes": undefined }));
      expect(error.issues).toEqual([
        { field: "billing.unitMinutes", message: "required" },
        { field: "carModels[0].colour", message: "unknown field" },
      ]);
    });

    it("says what was expected and what was found", () => {
      const issuesOf = (changes: Record<string, unknown>) => refusal(tariffWith(changes)).issues;
      expect(issuesOf({ "carModels[0].dailyRate.weekday": 68_900.5 })).toEqual([
        { field: "carModels[0].dailyRate.weekday", message: "must be a whole number, got 68900.5" },
      ]);
      expect(issuesOf({ "weekendDays[1]": "SUNDAY" })).toEqual([
        { field: "weekendDays[1]", message: 'must be one of MON, TUE, WED, THU, FRI, SAT, SUN, got "SUNDAY"' },
      ]);
      expect(issuesOf({ "timeBands[0].from": "2:00" })).toEqual([
        {
          field: "timeBands[0].from",
          message: 'must be a time written "HH:MM" between 00:00 and 23:59, e.g. "02:00", got "2:00"',
        },
      ]);
      expect(issuesOf({ billing: null })).toEqual([
        { field: "billing", message: "must be a mapping of fields, got nothing" },
      ]);
    });

    it("quotes a key that is not a plain word in the path", () => {
      const error = refusal(tariffWith({ memberDiscounts: { PASSPORT: 50, "gold plus": 120 } }));
      expect(fieldsOf(error)).toEqual(['memberDiscounts["gold plus"]']);
    });

    it("reports every problem of a document, beyond the 8 errors TypeBox stops at by default", () => {
      const unknownKeys = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`extra${i}`, i]));
      const error = refusal(tariffWith({ ...unknownKeys, "billing.unitMinutes": undefined, currency: "krw" }));
      expect(error.issues).toHaveLength(14);
      expect(fieldsOf(error)).toEqual(expect.arrayContaining(["extra0", "extra11", "billing.unitMinutes", "currency"]));
      expect(Settings.Get().maxErrors).toBe(8);
    });

    it("reports every broken business rule at once", () => {
      const error = refusal(
        tariffWith({
          "billing.unitMinutes": 7,
          "timeBands[0].to": "02:00",
          "carModels[0].dailyRate.weekday": 68_905,
          effectiveFrom: "2020-01-01T00:00:00Z",
        }),
      );
      expect(fieldsOf(error)).toEqual([
        "billing.unitMinutes",
        "timeBands[0]",
        "carModels[0].dailyRate.weekday",
        "effectiveFrom",
      ]);
    });

    it("summarises the refusal with the first issue and the number of problems", () => {
      const error = refusal(tariffWith({ "carModels[0].colour": "red", taxes: 10, "lateReturn.flatFee": -1 }));
      expect(error.message).toBe("The tariff document has 3 problems; the first: taxes: unknown field");
      expect(refusal(tariffWith({ taxes: 10 })).message).toBe("The tariff document is invalid: taxes: unknown field");
    });

    it("checks the business rules only once the shape is right, so that they never see a broken document", () => {
      const error = refusal(tariffWith({ "carModels[0].dailyRate.weekday": 68_905, taxes: 10 }));
      expect(fieldsOf(error)).toEqual(["taxes"]);
    });
  });

  describe("the text itself", () => {
    it("refuses a YAML syntax error as one issue with its line and column", () => {
      const error = refusal("id: kr-standard\nmarket: [kr\ncurrency: KRW\n");
      expect(error.code).toBe("PRICING.INVALID_TARIFF");
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.field).toBe(DOCUMENT_FIELD);
      expect(error.issues[0]?.message).toMatch(/^is not valid YAML or JSON at line 3, column 1: /);
    });

    it("refuses a key written twice, in YAML or in JSON", () => {
      expect(refusal(`${fixtureText}market: my\n`).issues[0]?.message).toMatch(
        /^is not valid YAML or JSON at line 26, column 1: Map keys must be unique/,
      );
      expect(refusal('{"id": "a", "id": "b"}').issues[0]?.message).toContain("line 1, column 13");
    });

    it("refuses a document that is not a mapping of fields", () => {
      for (const text of ["", "# nothing but a comment", "- id: kr-standard", "42", '"kr-standard"']) {
        const error = refusal(text);
        expect(error.issues, text).toHaveLength(1);
        expect(error.issues[0]?.field).toBe(DOCUMENT_FIELD);
        expect(error.issues[0]?.message).toMatch(/^must be a mapping of the tariff's fields/);
      }
    });

    it("refuses YAML tags instead of turning the value into a Buffer, a Date or a plain string", () => {
      for (const line of ["holidays: [!!timestamp 2026-12-25]", "currency: !!binary S1JX", "market: !local kr"]) {
        const error = refusal(
          fixtureText.replace(/^holidays: .*$/m, line).replace(/^(currency|market): [A-Za-z]+$/m, line),
        );
        expect(fieldsOf(error), line).toEqual([DOCUMENT_FIELD]);
      }
    });

    it("refuses a document that expands aliases into a huge value", () => {
      const lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"];
      for (let i = 1; i <= 6; i++)
        lines.push(
          `a${i}: &a${i} [${Array(10)
            .fill(`*a${i - 1}`)
            .join(", ")}]`,
        );
      const error = refusal(`${fixtureText}${lines.join("\n")}\n`);
      expect(error.issues).toEqual([
        { field: DOCUMENT_FIELD, message: "uses too many aliases (*name); write the values out" },
      ]);
    });

    it("refuses a document larger than 5 MB, counting UTF-8 bytes", () => {
      const padding = "#".repeat(MAX_TARIFF_DOCUMENT_BYTES - Buffer.byteLength(fixtureText));
      expect(read(`${fixtureText}${padding}`).ok).toBe(true);
      const error = refusal(`${fixtureText}${padding}#`);
      expect(error.issues).toEqual([
        { field: DOCUMENT_FIELD, message: "is 5 MB; a tariff document may be at most 5 MB" },
      ]);
      // Two million Hangul syllables: fewer characters than the limit, three bytes each.
      expect(fieldsOf(refusal(`# ${"요".repeat(2_000_000)}\n${fixtureText}`))).toEqual([DOCUMENT_FIELD]);
    });
  });

  describe("keys that could reach Object.prototype", () => {
    const polluted = () => ({}) as Record<string, unknown>;

    it("refuses __proto__ as a member tier name, in JSON and in YAML, without touching any prototype", () => {
      const json = tariffWith({ memberDiscounts: JSON.parse('{"PASSPORT": 50, "__proto__": {"polluted": 1}}') });
      expect(json).toContain('"__proto__":{"polluted":1}');
      const yaml = fixtureText.replace("{ PASSPORT: 50 }", "{ PASSPORT: 50, __proto__: 30 }");
      for (const text of [json, yaml]) {
        const error = refusal(text);
        expect(error.issues).toEqual([
          { field: "memberDiscounts.__proto__", message: '"__proto__" cannot be a member tier name: it is reserved' },
        ]);
      }
      expect(polluted().polluted).toBeUndefined();
    });

    it("refuses constructor and prototype as member tier names, which every object would seem to have", () => {
      const error = refusal(tariffWith({ memberDiscounts: { PASSPORT: 50, constructor: 20, prototype: 10 } }));
      expect(fieldsOf(error)).toEqual(["memberDiscounts.constructor", "memberDiscounts.prototype"]);
    });

    it("refuses a top-level __proto__ as an unknown field instead of inheriting the fields inside it", () => {
      const document = authoredReference();
      const { delivery } = document;
      delete document.delivery;
      const text = JSON.stringify(document).replace(/^\{/, `{"__proto__":${JSON.stringify({ delivery })},`);
      expect(refusal(text).issues).toEqual([{ field: "__proto__", message: "unknown field" }]);
      expect(polluted().delivery).toBeUndefined();
    });
  });

  describe("never throws, whatever the document holds", () => {
    const paths = pathsOf(authoredReference());
    const numericPaths = paths.filter(([, value]) => typeof value === "number").map(([path]) => path);
    const anyValue = fc.oneof(
      fc.integer({ min: -2_000_000_000_000, max: 2_000_000_000_000 }),
      fc.double(),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(null, undefined, true, "02:00", "2026-02-29", "SAT", "", "__proto__"),
      fc.array(fc.integer({ min: -5, max: 100 }), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 200 }), { maxKeys: 2 }),
    );

    function expectOkOrExplainedRefusal(text: string): void {
      const result = read(text);
      if (result.ok) return;
      expect(result.error).toBeInstanceOf(InvalidTariffError);
      expect(result.error.code).toBe("PRICING.INVALID_TARIFF");
      expect(result.error.issues.length).toBeGreaterThanOrEqual(1);
      for (const issue of result.error.issues) {
        expect(issue.field).not.toBe("");
        expect(issue.message).not.toBe("");
      }
    }

    it("returns a document or a refusal with issues when random integers replace numeric fields", () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...numericPaths), fc.integer()), { minLength: 1, maxLength: 4 }),
          (changes) => {
            expectOkOrExplainedRefusal(tariffWith(Object.fromEntries(changes)));
          },
        ),
        { numRuns: 300 },
      );
    });

    it("returns a document or a refusal with issues when any field gets any value, as JSON or YAML", () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...paths.map(([path]) => path)), anyValue), { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          (changes, asYaml) => {
            const json = tariffWith(Object.fromEntries(changes));
            expectOkOrExplainedRefusal(asYaml ? stringify(JSON.parse(json)) : json);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});

function authoredCarModel(): unknown {
  const models = authoredReference().carModels;
  return Array.isArray(models) ? structuredClone(models[0]) : undefined;
}

/** Every field of a document with its path in the notation issues use, containers included. */
function pathsOf(value: unknown, path = ""): [string, unknown][] {
  if (typeof value !== "object" || value === null) return [];
  const entries = Array.isArray(value)
    ? value.map((item, i): [string, unknown] => [`${path}[${i}]`, item])
    : Object.entries(value).map(([key, item]): [string, unknown] => [path === "" ? key : `${path}.${key}`, item]);
  return entries.flatMap(([childPath, item]) => [[childPath, item] as [string, unknown], ...pathsOf(item, childPath)]);
}

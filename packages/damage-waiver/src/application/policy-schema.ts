import { MAX_INPUT_AMOUNT } from "@carfare/kit";
import { type Static, type TProperties, Type } from "typebox";
import { MAX_REPAIR_DAYS } from "../domain/liability.js";
import { CAR_CLASSES, WAIVER_MODELS } from "../domain/waiver-policy.js";

/**
 * The JSON Schema of a waiver policy document (spec/damage-waiver.md §1): its shape, required keys and value
 * ranges. The cross-field rules (unique codes, an amount matching each product's model, prices naming known
 * sellable products, multiples of the rounding increment…) live in `domain/policy-rules.ts`, because JSON
 * Schema cannot say them. The same schema is published as `packages/damage-waiver/schemas/waiver-policy.schema.json`
 * for editors, so every property carries a title and a description.
 *
 * Only draft-07 keywords are used, because that is what YAML editors validate best.
 */

/**
 * A product code: 1–64 capital letters, digits, `_` or `-`, starting with a letter or digit (CAP_300K). Being
 * capitals, it can never be a name JavaScript objects inherit (`__proto__`, `constructor`).
 */
export const PRODUCT_CODE_PATTERN = "^[A-Z0-9][A-Z0-9_-]{0,63}$";
/** Three capital letters; whether ISO 4217 knows the code is checked by the policy rules. */
export const CURRENCY_PATTERN = "^[A-Z]{3}$";

/** What each pattern means, in words a policy author understands (used in validation messages). */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [PRODUCT_CODE_PATTERN]: "a product code of 1–64 capital letters, digits, _ or -, e.g. CAP_300K",
  [CURRENCY_PATTERN]: 'a three-letter ISO 4217 currency code in capitals, e.g. "KRW"',
};

/** The oldest age and longest licence any eligibility rule may ask for; beyond them a number is a typo. */
const MAX_AGE = 120;
const MAX_LICENSE_YEARS = 100;

type Annotations = { title: string; description: string };

const text = (a: Annotations) => Type.String({ minLength: 1, ...a });
const count = (a: Annotations, minimum: number, maximum: number) => Type.Integer({ minimum, maximum, ...a });
/** An amount of money in minor units of the policy's currency (spec: at most 10^12). */
const money = (a: Annotations, minimum = 0) => Type.Integer({ minimum, maximum: MAX_INPUT_AMOUNT, ...a });
const percent = (a: Annotations) => Type.Integer({ minimum: 0, maximum: 100, ...a });
const object = <P extends TProperties>(properties: P, a: Annotations) =>
  Type.Object(properties, { additionalProperties: false, ...a });

const Product = object(
  {
    code: Type.String({
      pattern: PRODUCT_CODE_PATTERN,
      title: "Product code",
      description: "Stable identifier quotes and incidents name, e.g. CAP_300K. Unique within the policy.",
    }),
    name: text({ title: "Name", description: 'Display name, e.g. "Self-pay up to 300,000".' }),
    model: Type.Enum(WAIVER_MODELS, {
      title: "Model",
      description:
        "CAPPED: the customer pays at most selfPayCap. FIXED_DEDUCTIBLE (legacy): a fixed deductible plus the loss-of-use share; must be sellable: false.",
    }),
    selfPayCap: Type.Optional(
      money({
        title: "Self-pay cap",
        description: "CAPPED only (and required there): the most the customer pays per accident, minor units.",
      }),
    ),
    deductible: Type.Optional(
      money({
        title: "Deductible",
        description: "FIXED_DEDUCTIBLE only (and required there): the fixed amount per accident, minor units.",
      }),
    ),
    minDriverAge: count(
      { title: "Minimum driver age", description: "Youngest driver who may buy it, in years." },
      0,
      MAX_AGE,
    ),
    minLicenseYears: count(
      { title: "Minimum licence years", description: "Fewest years the driver must have held a licence." },
      0,
      MAX_LICENSE_YEARS,
    ),
    sellable: Type.Optional(
      Type.Boolean({
        title: "Sellable",
        description:
          "Default true. false keeps a legacy product so incidents on old bookings still compute; it is never offered again and has no prices.",
      }),
    ),
  },
  { title: "Waiver product", description: "A tier of the waiver chosen at booking." },
);

const Price = object(
  {
    hourly: money({ title: "Hourly", description: "Fee per started hour of a 24-hour window, minor units." }),
    daily: money({ title: "Daily", description: "Most a 24-hour window costs, minor units." }),
  },
  { title: "Price", description: "The fee of one product for one car class; multiples of roundingIncrement." },
);

const pricesOfClass = (carClass: string) =>
  Type.Optional(
    Type.Record(Type.String({ pattern: PRODUCT_CODE_PATTERN }), Price, {
      additionalProperties: false,
      title: `${carClass} prices`,
      description: `Product code → price for ${carClass} cars; a product left out is not offered for ${carClass}.`,
    }),
  );

const HEADER = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "carfare waiver policy",
  description:
    "The waiver products, prices, eligibility and liability rules of one market (spec/damage-waiver.md §1). YAML 1.2 or JSON; amounts are integers of minor units.",
};

/** The JSON Schema of the waiver policy document, as authored. */
export const WaiverPolicySchema = Type.Object(
  {
    id: text({ title: "Policy id", description: "Identifies the policy across its versions, e.g. kr-waiver." }),
    market: text({ title: "Market", description: "The market this policy serves, e.g. kr. One policy per market." }),
    currency: Type.String({
      pattern: CURRENCY_PATTERN,
      title: "Currency",
      description: "ISO 4217 code; every amount is an integer of its minor units.",
    }),
    roundingIncrement: money(
      {
        title: "Rounding increment",
        description: "Amounts are rounded down to a multiple of this (KRW: 10). At least 1.",
      },
      1,
    ),
    products: Type.Array(Product, {
      minItems: 1,
      title: "Products",
      description: "At least one; codes unique. Waiver quotes list the products in this order.",
    }),
    prices: object(
      {
        LIGHT: pricesOfClass("LIGHT"),
        COMPACT: pricesOfClass("COMPACT"),
        MIDSIZE: pricesOfClass("MIDSIZE"),
        LARGE: pricesOfClass("LARGE"),
        SUV: pricesOfClass("SUV"),
        VAN: pricesOfClass("VAN"),
        IMPORT: pricesOfClass("IMPORT"),
      },
      {
        title: "Prices",
        description: `Car class (${CAR_CLASSES.join(", ")}) → product code → price. A class or product left out is not offered; non-sellable products have none.`,
      },
    ),
    youngDriver: Type.Optional(
      object(
        {
          underAge: count(
            { title: "Under age", description: "Drivers younger than this pay the surcharge." },
            0,
            MAX_AGE,
          ),
          surchargePercent: percent({
            title: "Surcharge percent",
            description: "Added to the waiver fee, as a percent of it (0–100), rounded down.",
          }),
        },
        { title: "Young driver", description: "A surcharge on the waiver fee for young drivers. Optional." },
      ),
    ),
    lossOfUse: object(
      {
        percentOfDailyRate: percent({
          title: "Percent of daily rate",
          description: "Loss of use per repair day, as a percent of the car's standard daily rate (0–100).",
        }),
        maxDays: count(
          { title: "Maximum days", description: `Repair days charged as loss of use at most (0–${MAX_REPAIR_DAYS}).` },
          0,
          MAX_REPAIR_DAYS,
        ),
      },
      {
        title: "Loss of use",
        description: "Compensation for the days the car cannot be rented while repaired (휴차보상료).",
      },
    ),
    effectiveFrom: Type.Optional(
      Type.String({
        format: "date-time",
        title: "Effective from",
        description:
          "RFC 3339 instant from which this version applies, e.g. 2027-01-01T00:00:00+09:00; not before publication. Default: the publication time.",
      }),
    ),
  },
  { ...HEADER, additionalProperties: false },
);

/** The waiver policy document as authored and checked by `WaiverPolicySchema`, before defaults are filled in. */
export type AuthoredWaiverPolicy = Static<typeof WaiverPolicySchema>;

/** The schema as the text of `schemas/waiver-policy.schema.json` (written by `scripts/write-waiver-schema.ts`). */
export function waiverPolicySchemaJson(): string {
  // The header keys first, so that a person opening the file sees what it is before the properties.
  return `${JSON.stringify({ ...HEADER, ...WaiverPolicySchema }, null, 2)}\n`;
}

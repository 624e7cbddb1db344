import { MAX_INPUT_AMOUNT } from "@carfare/kit";
import { type Static, type TProperties, Type } from "typebox";
import { CAR_CLASSES, FUELS, WEEKDAYS } from "../domain/tariff.js";

/**
 * The JSON Schema of a tariff document (spec/pricing.md §2): its shape, required keys and value ranges. The
 * cross-field rules (multiples of the rounding increment, ascending tiers, overlapping bands…) live in
 * `domain/tariff-rules.ts`, because JSON Schema cannot say them. The same schema is published as
 * `schemas/tariff.schema.json` for editors, so every property carries a title and a description.
 *
 * Only draft-07 keywords are used, because that is what YAML editors validate best.
 */

/** "HH:MM", 00:00–23:59. A band that ends at midnight is written with to "00:00". */
export const TIME_PATTERN = "^(?:[01][0-9]|2[0-3]):[0-5][0-9]$";
/** "YYYY-MM-DD"; whether the day exists in that month is checked by the tariff rules. */
export const DATE_PATTERN = "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$";
/** "±HH:MM" within ±12:00. */
export const OFFSET_PATTERN = "^[+-](?:(?:0[0-9]|1[01]):[0-5][0-9]|12:00)$";
/** Three capital letters; whether ISO 4217 knows the code is checked by the tariff rules. */
export const CURRENCY_PATTERN = "^[A-Z]{3}$";
/**
 * A member tier name: any non-empty text without surrounding blanks, except the names JavaScript objects
 * inherit (`__proto__`, `constructor`, `prototype`), which could otherwise make a tier appear that the
 * author never wrote.
 */
export const MEMBER_TIER_PATTERN = "^(?!(?:__proto__|constructor|prototype)$)\\S(?:.*\\S)?$";

/** What each pattern means, in words a pricing analyst understands (used in validation messages). */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [TIME_PATTERN]: 'a time written "HH:MM" between 00:00 and 23:59, e.g. "02:00"',
  [DATE_PATTERN]: 'a date written "YYYY-MM-DD", e.g. "2026-12-25"',
  [OFFSET_PATTERN]: 'an offset written "+HH:MM" or "-HH:MM" within ±12:00, e.g. "-05:00"',
  [CURRENCY_PATTERN]: 'a three-letter ISO 4217 currency code in capitals, e.g. "KRW"',
  [MEMBER_TIER_PATTERN]:
    "a non-empty tier name without leading or trailing blanks, other than __proto__, constructor or prototype",
};

type Annotations = { title: string; description: string };

const text = (a: Annotations) => Type.String({ minLength: 1, ...a });
/** A non-negative integer that stays exact in a JS number. */
const count = (a: Annotations, minimum = 0) => Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER, ...a });
/** An amount of money in minor units of the tariff's currency (spec §1: at most 10^12). */
const money = (a: Annotations, minimum = 0) => Type.Integer({ minimum, maximum: MAX_INPUT_AMOUNT, ...a });
const percent = (a: Annotations, minimum = 0, maximum = 100) => Type.Integer({ minimum, maximum, ...a });
const object = <P extends TProperties>(properties: P, a: Annotations) =>
  Type.Object(properties, { additionalProperties: false, ...a });
const date = (a: Annotations) => Type.String({ pattern: DATE_PATTERN, ...a });
const time = (a: Annotations) => Type.String({ pattern: TIME_PATTERN, ...a });

const DistanceTier = object(
  {
    upToKm: Type.Optional(
      count(
        {
          title: "Up to km",
          description: "Upper bound (km) of this tier. Left out on the final tier, which covers all further km.",
        },
        1,
      ),
    ),
    perKm: money({ title: "Per km", description: "Price of one km within this tier, in minor units." }),
  },
  { title: "Distance tier", description: "Tiers are listed in strictly ascending upToKm; the last has no upToKm." },
);

const CarModel = object(
  {
    id: text({ title: "Car model id", description: "Stable identifier quotes name, e.g. sonata-dn8. Unique." }),
    name: text({ title: "Name", description: "Display name, e.g. Sonata DN8." }),
    class: Type.Enum(CAR_CLASSES, { title: "Car class", description: `One of ${CAR_CLASSES.join(", ")}.` }),
    fuel: Type.Enum(FUELS, { title: "Fuel", description: `One of ${FUELS.join(", ")}.` }),
    dailyRate: object(
      {
        weekday: money({ title: "Weekday daily rate", description: "List price of one WEEKDAY day, minor units." }),
        weekend: money({ title: "Weekend daily rate", description: "List price of one WEEKEND day, minor units." }),
      },
      {
        title: "Daily rate",
        description: "List price of one day per day type; multiples of roundingIncrement.",
      },
    ),
    distanceRates: Type.Array(DistanceTier, {
      minItems: 1,
      title: "Distance rates",
      description: "Per-km fee charged after return, in tiers strictly ascending in upToKm; the last is open.",
    }),
  },
  { title: "Car model", description: "A model with its own rates." },
);

const TimeBand = object(
  {
    name: text({ title: "Name", description: "Shown in explanations, e.g. late-night." }),
    from: time({ title: "From", description: 'Start of the band (included), local "HH:MM". Quote it in YAML.' }),
    to: time({
      title: "To",
      description: 'End of the band (excluded), local "HH:MM"; earlier than from means it wraps midnight.',
    }),
    percent: percent(
      { title: "Percent", description: "The unit price in the band is this percent of the normal one (1–1000)." },
      1,
      1000,
    ),
  },
  {
    title: "Time band",
    description: "A wall-clock band [from, to) that scales the unit price; bands must not overlap.",
  },
);

const DeliveryTier = object(
  {
    underHours: Type.Optional(
      count(
        {
          title: "Under hours",
          description: "The tier applies to rentals shorter than this; left out on the final, open tier.",
        },
        1,
      ),
    ),
    fee: money({ title: "Fee", description: "Delivery fee in minor units; a multiple of roundingIncrement." }),
  },
  { title: "Delivery tier", description: "Tiers are strictly ascending in underHours; the last has no underHours." },
);

const HEADER = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "carfare tariff",
  description:
    "Every price rule of one market (spec/pricing.md §2). YAML 1.2 or JSON; amounts are integers of minor units.",
};

/** The JSON Schema of the tariff document, as authored (optional lists may be left out). */
export const TariffDocumentSchema = Type.Object(
  {
    id: text({ title: "Tariff id", description: "Identifies the tariff across its versions, e.g. kr-standard." }),
    market: text({ title: "Market", description: "The market this tariff prices, e.g. kr. One tariff per market." }),
    currency: Type.String({
      pattern: CURRENCY_PATTERN,
      title: "Currency",
      description: "ISO 4217 code; every amount is an integer of its minor units.",
    }),
    timeZone: text({
      title: "Time zone",
      description: "IANA time zone, e.g. Asia/Seoul; every wall-clock rule is local time in this zone.",
    }),
    roundingIncrement: money(
      {
        title: "Rounding increment",
        description: "Amounts are rounded down to a multiple of this (KRW: 10). At least 1.",
      },
      1,
    ),
    billing: object(
      {
        unitMinutes: count({ title: "Unit minutes", description: "The billing unit; must divide 60." }, 1),
        minimumMinutes: count({
          title: "Minimum minutes",
          description: "Shortest rental priced; a multiple of unitMinutes.",
        }),
        maximumMinutes: count({
          title: "Maximum minutes",
          description: "Longest rental priced; a multiple of unitMinutes.",
        }),
        unitsPerDailyRate: count(
          {
            title: "Units per daily rate",
            description: "The unit price is the daily rate divided by this, rounded down (KRW: 60).",
          },
          1,
        ),
      },
      { title: "Billing", description: "The time grid rentals are priced on." },
    ),
    businessDayOffset: Type.String({
      pattern: OFFSET_PATTERN,
      title: "Business day offset",
      description: 'Business day D starts at D 00:00 plus this offset, "±HH:MM" within ±12:00 ("-05:00": 19:00).',
    }),
    weekendDays: Type.Array(Type.Enum(WEEKDAYS), {
      title: "Weekend days",
      description: `Business days priced as WEEKEND, from ${WEEKDAYS.join(", ")}.`,
    }),
    holidays: Type.Optional(
      Type.Array(date({ title: "Holiday", description: 'A business date, "YYYY-MM-DD".' }), {
        title: "Holidays",
        description: "Business dates priced as WEEKEND.",
      }),
    ),
    peakSeasons: Type.Optional(
      Type.Array(
        object(
          {
            from: date({ title: "From", description: 'First business date, "YYYY-MM-DD".' }),
            to: date({ title: "To", description: "Last business date (included), not before from." }),
          },
          { title: "Peak season", description: "An inclusive range of business dates priced as WEEKEND." },
        ),
        { title: "Peak seasons", description: "Date ranges priced as WEEKEND." },
      ),
    ),
    timeBands: Type.Optional(
      Type.Array(TimeBand, { title: "Time bands", description: "Non-overlapping wall-clock bands." }),
    ),
    dailyCap: object(
      {
        windowHours: count(
          { title: "Window hours", description: "Length of the back-to-back windows the cap applies to." },
          1,
        ),
      },
      {
        title: "Daily cap",
        description: "No window costs more than the highest daily rate among its slots.",
      },
    ),
    longRentalDiscounts: Type.Optional(
      Type.Array(
        object(
          {
            minHours: count({ title: "Minimum hours", description: "Rentals at least this long get the tier." }, 1),
            percent: percent({ title: "Percent", description: "Percent off the rental fee (0–100)." }),
          },
          { title: "Long-rental tier", description: "The longest tier the rental reaches applies." },
        ),
        { title: "Long-rental discounts", description: "Tiers strictly ascending in minHours." },
      ),
    ),
    memberDiscounts: Type.Optional(
      Type.Record(
        Type.String({ pattern: MEMBER_TIER_PATTERN }),
        percent({ title: "Percent", description: "Percent off the rental fee left after the long-rental discount." }),
        {
          additionalProperties: false,
          title: "Member discounts",
          description: "Member tier name (case-sensitive) → percent off, e.g. PASSPORT: 50.",
        },
      ),
    ),
    delivery: Type.Optional(
      Type.Array(DeliveryTier, {
        minItems: 1,
        title: "Delivery",
        description: "Delivery fee tiers. Leave out when the market offers no delivery.",
      }),
    ),
    lateReturn: object(
      {
        graceMinutes: count({ title: "Grace minutes", description: "Lateness below this costs nothing." }),
        flatFee: money({
          title: "Flat fee",
          description: "Charged from graceMinutes late; a multiple of roundingIncrement.",
        }),
        surchargeFromMinutes: count({
          title: "Surcharge from minutes",
          description: "From this lateness on, the late time is also charged; not below graceMinutes.",
        }),
        surchargeMultiplier: count(
          { title: "Surcharge multiplier", description: "The late time is charged this many times (at least 1)." },
          1,
        ),
      },
      { title: "Late return", description: "What returning the car late costs." },
    ),
    earlyReturn: object(
      {
        minMinutes: count({ title: "Minimum minutes", description: "Earliness below this earns no credit." }),
        maxMinutes: count({ title: "Maximum minutes", description: "Earliness above this earns no credit." }),
        creditPercent: percent({ title: "Credit percent", description: "Percent of the unused time's price (0–100)." }),
      },
      { title: "Early return", description: "The credit for returning the car early." },
    ),
    carModels: Type.Array(CarModel, { minItems: 1, title: "Car models", description: "At least one; ids unique." }),
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

/** The tariff document as authored and checked by `TariffDocumentSchema`, before defaults are filled in. */
export type AuthoredTariffDocument = Static<typeof TariffDocumentSchema>;

/** The schema as the text of `schemas/tariff.schema.json` (written by `scripts/write-schemas.ts`). */
export function tariffSchemaJson(): string {
  // The header keys first, so that a person opening the file sees what it is before the properties.
  return `${JSON.stringify({ ...HEADER, ...TariffDocumentSchema }, null, 2)}\n`;
}

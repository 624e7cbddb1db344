import type { FieldIssue } from "@carfare/kit";
import { MAX_KM, MAX_LATE_MINUTES, MAX_RENTAL_MINUTES } from "./limits.js";
import type { TariffDocument } from "./tariff.js";

/**
 * Checks the business rules of a tariff document that its JSON Schema cannot express (spec/pricing.md §2):
 * amounts on the rounding grid, the billing grid, ascending tiers with one open final tier, time bands,
 * unique car models, known time zone and currency, real calendar dates, and an `effectiveFrom` not before
 * publication. Returns every problem found, each naming its field; an empty list means the document holds.
 *
 * Expects a document whose shape is already valid (the schema ran first): it does not re-check types or
 * ranges, but it does not throw on odd values either.
 */
export function checkTariffRules(doc: TariffDocument, publishedAt: Date): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add: Add = (field, message) => {
    issues.push({ field, message });
  };
  const onGrid = amountOnGrid(doc.roundingIncrement, add);

  // Checked in the order the fields appear in the document, so an analyst can fix them top to bottom.
  checkCurrency(doc.currency, add);
  checkTimeZone(doc.timeZone, add);
  checkBilling(doc.billing, add);
  checkDates(doc, add);
  checkTimeBands(doc.timeBands, add);
  checkAscending(
    doc.longRentalDiscounts.map((tier) => tier.minHours),
    "longRentalDiscounts",
    "minHours",
    add,
  );
  if (doc.delivery !== undefined) {
    checkTiersWithOpenEnd(
      doc.delivery.map((tier) => tier.underHours),
      "delivery",
      "underHours",
      add,
    );
    doc.delivery.forEach((tier, i) => {
      onGrid(`delivery[${i}].fee`, tier.fee);
    });
  }
  const { lateReturn, earlyReturn } = doc;
  onGrid("lateReturn.flatFee", lateReturn.flatFee);
  checkOrder(
    ["lateReturn.graceMinutes", lateReturn.graceMinutes],
    ["lateReturn.surchargeFromMinutes", lateReturn.surchargeFromMinutes],
    add,
  );
  checkOrder(
    ["earlyReturn.minMinutes", earlyReturn.minMinutes],
    ["earlyReturn.maxMinutes", earlyReturn.maxMinutes],
    add,
  );
  checkCarModels(doc.carModels, onGrid, add);
  if (issues.length === 0) checkExactness(doc, add);
  if (doc.effectiveFrom !== undefined) checkEffectiveFrom(doc.effectiveFrom, publishedAt, add);
  return issues;
}

type Add = (field: string, message: string) => void;
type OnGrid = (field: string, amount: number) => void;

let knownCurrencies: ReadonlySet<string> | undefined;

function checkCurrency(currency: string, add: Add): void {
  // ICU's list is the currencies in use; codes such as XXX ("no currency") or DEM (withdrawn) are not in it.
  knownCurrencies ??= new Set(Intl.supportedValuesOf("currency"));
  if (!knownCurrencies.has(currency)) add("currency", `"${currency}" is not an ISO 4217 currency code in use`);
}

function checkTimeZone(timeZone: string, add: Add): void {
  // Newer engines accept "+09:00" as a time zone; a fixed offset is not what the spec asks for (an IANA
  // name, which carries the zone's daylight-saving history).
  if (/^[+-]/.test(timeZone)) {
    add("timeZone", `"${timeZone}" is an offset, not an IANA time zone name such as Asia/Seoul`);
    return;
  }
  let resolved: string;
  try {
    // DateTimeFormat knows the aliases (UTC, Asia/Calcutta) that Intl.supportedValuesOf leaves out.
    resolved = new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    add("timeZone", `"${timeZone}" is not a known IANA time zone, e.g. Asia/Seoul`);
    return;
  }
  // DateTimeFormat also accepts any capitalisation; the document should carry the name as IANA writes it.
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) {
    add("timeZone", `write the time zone as "${resolved}", not "${timeZone}"`);
  }
}

function checkBilling(billing: TariffDocument["billing"], add: Add): void {
  const { unitMinutes, minimumMinutes, maximumMinutes } = billing;
  if (!(unitMinutes >= 1 && 60 % unitMinutes === 0)) {
    add(
      "billing.unitMinutes",
      `must divide 60 evenly (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60), got ${unitMinutes}`,
    );
  } else {
    for (const [key, value] of [
      ["minimumMinutes", minimumMinutes],
      ["maximumMinutes", maximumMinutes],
    ] as const) {
      if (value % unitMinutes !== 0) {
        add(`billing.${key}`, `must be a multiple of billing.unitMinutes (${unitMinutes}), got ${value}`);
      }
    }
  }
  checkOrder(["billing.minimumMinutes", minimumMinutes], ["billing.maximumMinutes", maximumMinutes], add);
  if (maximumMinutes > MAX_RENTAL_MINUTES) {
    add("billing.maximumMinutes", `must be at most ${MAX_RENTAL_MINUTES} (366 days), got ${maximumMinutes}`);
  }
}

/**
 * Refuses prices so large that a rental fee, a late-return fee or a distance fee could exceed 2^53 and stop
 * being exact: the most slots ever summed (longest rental, latest return) at the dearest slot price, times the
 * surcharge multiplier; and the dearest per-km price over the most km a request may carry.
 */
function checkExactness(doc: TariffDocument, add: Add): void {
  const { unitMinutes, unitsPerDailyRate, maximumMinutes } = doc.billing;
  const slots = Math.ceil((maximumMinutes + MAX_LATE_MINUTES) / unitMinutes);
  const bandFactor = Math.max(100, ...doc.timeBands.map((band) => band.percent)) / 100;
  const multiplier = Math.max(1, doc.lateReturn.surchargeMultiplier);
  doc.carModels.forEach((model, i) => {
    const dearest = Math.max(model.dailyRate.weekday, model.dailyRate.weekend);
    const worst = Math.ceil(dearest / unitsPerDailyRate) * bandFactor * slots * (multiplier + 1);
    if (!(worst <= Number.MAX_SAFE_INTEGER)) {
      add(`carModels[${i}].dailyRate`, "is too large to price exactly over the longest rental and latest return");
    }
    model.distanceRates.forEach((tier, t) => {
      if (!(tier.perKm * MAX_KM <= Number.MAX_SAFE_INTEGER)) {
        add(`carModels[${i}].distanceRates[${t}].perKm`, `is too large to price ${MAX_KM} km exactly`);
      }
    });
  });
}

/** Refuses `low > high`, naming the field on the left of "≤". */
function checkOrder([lowField, low]: [string, number], [highField, high]: [string, number], add: Add): void {
  if (low > high) add(lowField, `must not be greater than ${highField} (${high}), got ${low}`);
}

function checkDates(doc: TariffDocument, add: Add): void {
  doc.holidays.forEach((date, i) => {
    if (!isCalendarDate(date)) add(`holidays[${i}]`, `"${date}" is not a date in the calendar`);
  });
  doc.peakSeasons.forEach((season, i) => {
    const fromOk = isCalendarDate(season.from);
    const toOk = isCalendarDate(season.to);
    if (!fromOk) add(`peakSeasons[${i}].from`, `"${season.from}" is not a date in the calendar`);
    if (!toOk) add(`peakSeasons[${i}].to`, `"${season.to}" is not a date in the calendar`);
    // "YYYY-MM-DD" strings sort as the dates they name.
    if (fromOk && toOk && season.from > season.to) {
      add(`peakSeasons[${i}].from`, `must not be after peakSeasons[${i}].to (${season.to}), got ${season.from}`);
    }
  });
}

/** True for "YYYY-MM-DD" naming a day that exists (no February 30th). */
function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; in UTC so that no local rule can shift it.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const MINUTES_PER_DAY = 24 * 60;

function checkTimeBands(bands: TariffDocument["timeBands"], add: Add): void {
  const overlapped = overlappingBands(bands);
  bands.forEach((band, j) => {
    if (band.from === band.to) {
      // Read as [from, to) the band is empty; read as wrapping it is the whole day. Either way a mistake.
      add(
        `timeBands[${j}]`,
        `from and to are both "${band.from}": a band must cover part of the day (to is excluded, and may be earlier than from to wrap past midnight)`,
      );
    }
    for (const i of overlapped.get(j) ?? []) {
      const other = bands[i];
      if (other === undefined) continue;
      add(
        `timeBands[${j}]`,
        `overlaps timeBands[${i}] (${other.name}, ${other.from}–${other.to}): a moment of the day can be in one band only`,
      );
    }
  });
}

/**
 * For each band that overlaps an earlier-listed one, the indexes of earlier bands it overlaps. A sweep over
 * the bands sorted by start rather than a comparison of every pair, because a 5 MB document could hold tens
 * of thousands of bands; it finds every band that overlaps some other, though not always every partner.
 */
function overlappingBands(bands: TariffDocument["timeBands"]): Map<number, number[]> {
  // Each band as one or two [start, end) minute ranges of the day: a band past midnight is split in two.
  const ranges: { start: number; end: number; band: number }[] = [];
  bands.forEach((band, index) => {
    const from = minuteOfDay(band.from);
    const to = minuteOfDay(band.to);
    if (from === undefined || to === undefined || from === to) return;
    if (from < to) ranges.push({ start: from, end: to, band: index });
    else ranges.push({ start: from, end: MINUTES_PER_DAY, band: index }, { start: 0, end: to, band: index });
  });
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  const pairs = new Map<number, Set<number>>();
  let reach: (typeof ranges)[number] | undefined; // the range started so far that ends last
  for (const range of ranges) {
    if (reach !== undefined && range.start < reach.end && range.band !== reach.band) {
      const [earlier, later] = range.band < reach.band ? [range.band, reach.band] : [reach.band, range.band];
      pairs.set(later, (pairs.get(later) ?? new Set()).add(earlier));
    }
    if (reach === undefined || range.end > reach.end) reach = range;
  }
  return new Map([...pairs].map(([later, earlier]) => [later, [...earlier].sort((a, b) => a - b)]));
}

/** Minutes since midnight of "HH:MM", or undefined when it is not such a time. */
function minuteOfDay(text: string): number | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : undefined;
}

/** Thresholds that must grow from one tier to the next (`minHours` of the long-rental tiers). */
function checkAscending(values: readonly number[], path: string, key: string, add: Add): void {
  values.forEach((value, i) => {
    const previous = values[i - 1];
    if (previous !== undefined && value <= previous) {
      add(`${path}[${i}].${key}`, ascendingMessage(key, previous, value));
    }
  });
}

/**
 * Tiers with an upper bound in strictly ascending order, then exactly one final tier without one, which
 * covers everything above (delivery `underHours`, distance `upToKm`).
 */
function checkTiersWithOpenEnd(bounds: readonly (number | undefined)[], path: string, key: string, add: Add): void {
  if (bounds.length === 0) {
    add(path, `needs at least one tier: the last one without ${key}`);
    return;
  }
  let previous: number | undefined;
  bounds.forEach((bound, i) => {
    const last = i === bounds.length - 1;
    if (bound === undefined) {
      if (!last) add(`${path}[${i}].${key}`, `required: only the last tier may leave out ${key}`);
      return;
    }
    if (last) {
      add(
        `${path}[${i}].${key}`,
        "must be left out on the last tier, which covers everything above the tier before it",
      );
    }
    if (previous !== undefined && bound <= previous)
      add(`${path}[${i}].${key}`, ascendingMessage(key, previous, bound));
    previous = bound;
  });
}

function ascendingMessage(key: string, previous: number, value: number): string {
  return `must be greater than ${previous}, the ${key} of the tier before (tiers go in strictly ascending ${key}), got ${value}`;
}

function checkCarModels(carModels: TariffDocument["carModels"], onGrid: OnGrid, add: Add): void {
  const firstIndexOf = new Map<string, number>();
  carModels.forEach((model, i) => {
    const first = firstIndexOf.get(model.id);
    if (first === undefined) firstIndexOf.set(model.id, i);
    else
      add(`carModels[${i}].id`, `"${model.id}" is already the id of carModels[${first}]; car model ids must be unique`);
    onGrid(`carModels[${i}].dailyRate.weekday`, model.dailyRate.weekday);
    onGrid(`carModels[${i}].dailyRate.weekend`, model.dailyRate.weekend);
    checkTiersWithOpenEnd(
      model.distanceRates.map((tier) => tier.upToKm),
      `carModels[${i}].distanceRates`,
      "upToKm",
      add,
    );
  });
}

/**
 * Daily rates and fees are prices a customer sees, so they must already sit on the rounding grid. Per-km
 * prices need not: the distance fee is rounded as a whole (spec §3.9).
 */
function amountOnGrid(increment: number, add: Add): OnGrid {
  return (field, amount) => {
    if (Number.isSafeInteger(increment) && increment >= 1 && amount % increment !== 0) {
      add(field, `must be a multiple of the rounding increment (${increment}), got ${amount}`);
    }
  };
}

function checkEffectiveFrom(effectiveFrom: string, publishedAt: Date, add: Add): void {
  const instant = parseRfc3339(effectiveFrom);
  if (instant === undefined) {
    add("effectiveFrom", `"${effectiveFrom}" is not an RFC 3339 date-time such as 2027-01-01T00:00:00+09:00`);
  } else if (instant < publishedAt.getTime()) {
    add(
      "effectiveFrom",
      `${effectiveFrom} is earlier than the moment of publication (${publishedAt.toISOString()}): a new version cannot take effect in the past`,
    );
  }
}

/** Epoch milliseconds of an RFC 3339 date-time, or undefined. Not Date.parse: it accepts far more. */
function parseRfc3339(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, h, m, s, fraction, sign, oh, om] = match;
  const [hours, minutes, seconds] = [Number(h), Number(m), Number(s)];
  const [offsetHours, offsetMinutes] = [Number(oh ?? 0), Number(om ?? 0)];
  // Second 60 is a leap second; Date.UTC counts it as the first instant of the next minute, which is close enough.
  if (!isCalendarDate(`${year}-${month}-${day}`) || hours > 23 || minutes > 59 || seconds > 60) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const local = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  local.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  local.setUTCHours(hours, minutes, seconds, millis);
  return local.getTime() - offset;
}

import type { FieldIssue } from "@carfare/kit";
import { type AuthoredPolicyDocument, type AuthoredProduct, CAR_CLASSES } from "./waiver-policy.js";

/**
 * Checks the rules of a waiver policy document that its JSON Schema cannot express (spec/damage-waiver.md
 * §1): unique product codes, each product's amount matching its model, legacy products marked not sellable,
 * prices naming only known car classes and sellable products of the policy, money on the rounding grid, a
 * known currency and an `effectiveFrom` not before publication. Returns every problem found, each naming its
 * field (`products[2].selfPayCap`); an empty list means the document holds.
 *
 * Expects a document whose shape is already valid (the schema ran first): it does not re-check types or
 * ranges, but it does not throw on odd values either.
 */
export function checkPolicyRules(doc: AuthoredPolicyDocument, publishedAt: Date): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add: Add = (field, message) => {
    issues.push({ field, message });
  };
  const onGrid: OnGrid = (field, amount) => {
    const increment = doc.roundingIncrement;
    if (Number.isSafeInteger(increment) && increment >= 1 && amount % increment !== 0) {
      add(field, `must be a multiple of the rounding increment (${increment}), got ${amount}`);
    }
  };

  // In the order the fields appear in the document, so that an analyst can fix them top to bottom.
  checkCurrency(doc.currency, add);
  const productsByCode = checkProducts(doc.products, onGrid, add);
  checkPrices(doc.prices, productsByCode, onGrid, add);
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

/** Checks each product against its model; returns the first product of each code. */
function checkProducts(products: readonly AuthoredProduct[], onGrid: OnGrid, add: Add): Map<string, AuthoredProduct> {
  const firstIndexOf = new Map<string, number>();
  const byCode = new Map<string, AuthoredProduct>();
  products.forEach((product, i) => {
    const at = `products[${i}]`;
    const first = firstIndexOf.get(product.code);
    if (first === undefined) {
      firstIndexOf.set(product.code, i);
      byCode.set(product.code, product);
    } else {
      add(`${at}.code`, `"${product.code}" is already the code of products[${first}]; product codes must be unique`);
    }
    if (product.model === "CAPPED") {
      if (product.selfPayCap === undefined) add(`${at}.selfPayCap`, "required: a CAPPED product needs a selfPayCap");
      if (product.deductible !== undefined) {
        add(`${at}.deductible`, "only a FIXED_DEDUCTIBLE product has a deductible; a CAPPED product has a selfPayCap");
      }
    } else {
      if (product.deductible === undefined) {
        add(`${at}.deductible`, "required: a FIXED_DEDUCTIBLE product needs a deductible");
      }
      if (product.selfPayCap !== undefined) {
        add(`${at}.selfPayCap`, "only a CAPPED product has a selfPayCap; a FIXED_DEDUCTIBLE product has a deductible");
      }
      if (product.sellable !== false) {
        add(
          `${at}.sellable`,
          "a FIXED_DEDUCTIBLE product is legacy and must be marked sellable: false (legacy products are never sold again)",
        );
      }
    }
    if (product.selfPayCap !== undefined) onGrid(`${at}.selfPayCap`, product.selfPayCap);
    if (product.deductible !== undefined) onGrid(`${at}.deductible`, product.deductible);
  });
  return byCode;
}

function checkPrices(
  prices: AuthoredPolicyDocument["prices"],
  productsByCode: ReadonlyMap<string, AuthoredProduct>,
  onGrid: OnGrid,
  add: Add,
): void {
  const classes: ReadonlySet<string> = new Set(CAR_CLASSES);
  for (const [carClass, byProduct] of Object.entries(prices)) {
    const classPath = keyPath("prices", carClass);
    if (!classes.has(carClass)) {
      add(classPath, `"${carClass}" is not a car class; one of ${CAR_CLASSES.join(", ")}`);
      continue;
    }
    for (const [code, price] of Object.entries(byProduct ?? {})) {
      const path = keyPath(classPath, code);
      const product = productsByCode.get(code);
      if (product === undefined) {
        add(path, `"${code}" is not the code of a product of this policy`);
        continue;
      }
      if (product.sellable === false) {
        add(path, `${code} is not sellable (sellable: false), so it must have no prices`);
      }
      onGrid(`${path}.hourly`, price.hourly);
      onGrid(`${path}.daily`, price.daily);
    }
  }
}

/** `parent.key`, or `parent["odd key"]` for keys that are not plain words. */
function keyPath(parent: string, key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
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

/**
 * Epoch milliseconds of an RFC 3339 date-time, or undefined. Not Date.parse: it accepts far more.
 * The text is `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and `z` too), read by position rather than by
 * a regular expression: every waiver quote parses two (a property test holds it to the regular expression).
 */
export function parseRfc3339(text: string): number | undefined {
  const length = text.length;
  if (length < 20) return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const hours = digits(text, 11, 2);
  const minutes = digits(text, 14, 2);
  const seconds = digits(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || hours < 0 || minutes < 0 || seconds < 0) return undefined;
  if (text.charCodeAt(4) !== MINUS || text.charCodeAt(7) !== MINUS) return undefined;
  if ((text.charCodeAt(10) | 0x20) !== LOWER_T || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON)
    return undefined;
  let i = 19;
  let millis = 0;
  if (text.charCodeAt(i) === DOT) {
    let end = i + 1;
    while (end < length && isDigit(text.charCodeAt(end))) end++;
    if (end === i + 1) return undefined;
    millis = Math.floor(Number(`0${text.slice(i, end)}`) * 1000);
    i = end;
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(i);
  if ((zone | 0x20) === LOWER_Z) {
    if (i + 1 !== length) return undefined;
  } else if (zone === PLUS || zone === MINUS) {
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (i + 6 !== length || oh < 0 || om < 0 || text.charCodeAt(i + 3) !== COLON) return undefined;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone === MINUS ? -1 : 1) * (oh * 60 + om);
  } else {
    return undefined;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  // Second 60 is a leap second; Date counts it as the first instant of the next minute, which is close enough.
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  return utcMillis(y, mo, d, hours, minutes, seconds, millis) - offsetMinutes * 60_000;
}

const MINUS = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const DOT = 0x2e;
const LOWER_T = 0x74;
const LOWER_Z = 0x7a;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The decimal number of the `count` ASCII digits at `start`, or -1 if any is not one. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
  }
  return value;
}

function utcMillis(y: number, mo: number, d: number, h: number, m: number, s: number, ms: number): number {
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear does not.
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, m, s, ms);
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d);
  local.setUTCHours(h, m, s, ms);
  return local.getTime();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

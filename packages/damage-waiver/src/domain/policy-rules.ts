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

/** Epoch milliseconds of an RFC 3339 date-time, or undefined. Not Date.parse: it accepts far more. */
export function parseRfc3339(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, h, m, s, fraction, sign, oh, om] = match;
  const [y, mo, d] = [Number(year), Number(month), Number(day)];
  const [hours, minutes, seconds] = [Number(h), Number(m), Number(s)];
  const [offsetHours, offsetMinutes] = [Number(oh ?? 0), Number(om ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  // Second 60 is a leap second; Date counts it as the first instant of the next minute, which is close enough.
  if (hours > 23 || minutes > 59 || seconds > 60 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const local = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  local.setUTCFullYear(y, mo - 1, d);
  local.setUTCHours(hours, minutes, seconds, millis);
  return local.getTime() - offset;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; in UTC so that no local rule can shift it.
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return last.getUTCDate();
}

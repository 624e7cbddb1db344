import { type FieldIssue, isValidAmount, MAX_INPUT_AMOUNT } from "@carfare/kit";
import { InvalidRequestError } from "../domain/waiver-errors.js";

/**
 * Checks of the values a use case receives. The HTTP adapter validates bodies against their schemas first;
 * these keep the use cases safe for any other caller (the CLI, tests) and name fields the same way
 * (`dailyRate`, `exclusions[1]`), which the adapter turns into JSON Pointers.
 */

/** The longest free text (description, reason, note) an incident keeps. */
export const MAX_TEXT_LENGTH = 2000;
/** The longest identifier (rental id, market, idempotency key) accepted. */
export const MAX_IDENTIFIER_LENGTH = 255;

/** The outcome of one check: the problem found, or undefined. */
export type Check = FieldIssue | undefined;

/** A required identifier: not blank, at most MAX_IDENTIFIER_LENGTH characters. */
export function identifier(field: string, value: string): Check {
  if (typeof value !== "string" || value.trim() === "") return { field, message: "required" };
  if (value.length > MAX_IDENTIFIER_LENGTH) {
    return { field, message: `must be at most ${MAX_IDENTIFIER_LENGTH} characters` };
  }
  return undefined;
}

/** Free text up to MAX_TEXT_LENGTH characters; `required` also refuses a blank one. */
export function freeText(field: string, value: string, required: boolean): Check {
  if (typeof value !== "string" || (required && value.trim() === "")) return { field, message: "required" };
  if (value.length > MAX_TEXT_LENGTH) return { field, message: `must be at most ${MAX_TEXT_LENGTH} characters` };
  return undefined;
}

/** An amount of money: a whole number of minor units from 0 to 10^12. */
export function amount(field: string, value: number): Check {
  return isValidAmount(value) ? undefined : { field, message: `must be a whole amount from 0 to ${MAX_INPUT_AMOUNT}` };
}

/** A whole number within [min, max]. */
export function integerIn(field: string, value: number, min: number, max: number): Check {
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : { field, message: `must be a whole number from ${min} to ${max}` };
}

/** A Date that holds an instant (not an Invalid Date). */
export function instant(field: string, value: Date): Check {
  return value instanceof Date && !Number.isNaN(value.getTime())
    ? undefined
    : { field, message: "must be an RFC 3339 date-time" };
}

/** One of the allowed values. */
export function oneOf(field: string, value: string, allowed: readonly string[]): Check {
  return allowed.includes(value) ? undefined : { field, message: `must be one of ${allowed.join(", ")}` };
}

/** An INVALID_REQUEST listing every failed check, or undefined when all passed. */
export function refusal(checks: readonly Check[]): InvalidRequestError | undefined {
  const issues = checks.filter((check): check is FieldIssue => check !== undefined);
  const [first] = issues;
  if (first === undefined) return undefined;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new InvalidRequestError(`${first.field} ${first.message}${more}`, issues);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its usual text form; anything else cannot name an incident. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

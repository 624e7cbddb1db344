import { DOCUMENT_FIELD } from "../../application/read-policy-document.js";
import { InvalidPolicyError, MalformedJsonError, UnsupportedMediaTypeError } from "../../domain/waiver-errors.js";

/**
 * Reading request bodies. JSON bodies are decoded as strict UTF-8 and parsed by `JSON.parse`; values that
 * are valid JSON but can never be a valid field are replaced by a `RefusedValue`, which fails every schema
 * type, so that schema validation reports them next to every other bad field, each with its reason:
 * `-0`, numbers too large for a double (`1e400`), and strings holding a NUL character or a lone surrogate
 * (PostgreSQL cannot store the first and would silently mangle the second).
 */

/** A JSON value the parser refused, in the place it was found; it explains itself in validation messages. */
export class RefusedValue {
  readonly #reason: string;

  constructor(reason: string) {
    this.#reason = reason;
  }

  get reason(): string {
    return this.#reason;
  }
}

const NEGATIVE_ZERO = "must not be -0; send 0";
const OUT_OF_RANGE = "is a number too large to represent";
const NUL = "must not contain the NUL character (\\u0000)";
const LONE_SURROGATE = "must be valid Unicode text: it contains an unpaired surrogate (\\ud800–\\udfff)";

/** A UTF-16 surrogate without its pair (`u` mode reads a pair as one code point, so only lone ones match). */
const LONE_SURROGATE_PATTERN = /\p{Cs}/u;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The media types whose bodies are JSON. */
export const JSON_MEDIA_TYPES = ["application/json"];

/** The media types a waiver policy document may be sent as (YAML 1.2 or JSON, read by the policy reader). */
export const POLICY_MEDIA_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "application/json"];

/**
 * A JSON body: `undefined` for an empty one (no body), else the parsed value with refused values marked.
 * Bytes that are not UTF-8, or text that is not JSON, are MALFORMED_JSON.
 */
export function parseJsonBody(bytes: Buffer, contentType: string | undefined): unknown {
  checkCharset(contentType);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new MalformedJsonError("the body is not valid UTF-8 text");
  }
  if (text.trim() === "") return undefined;
  return parseJsonText(text);
}

/**
 * JSON text decoded from UTF-8 (so without lone surrogates) as `parseJsonBody` reads it: parsed, with the
 * values no field can take replaced by a `RefusedValue`. Most bodies cannot hold such a value at all, and
 * those are parsed without the reviver, which is what costs (it visits every value): the result is the same,
 * as `mayHoldRefusedValue` explains and a property test checks against `parseJsonTextWithReviver`.
 */
export function parseJsonText(text: string): unknown {
  return mayHoldRefusedValue(text) ? parseJsonTextWithReviver(text) : parseJson(text, undefined);
}

/** `parseJsonText` the slow way: every value visited by the reviver that marks the refused ones. */
export function parseJsonTextWithReviver(text: string): unknown {
  return parseJson(text, refuseUnusableValues);
}

function parseJson(text: string, reviver: ((key: string, value: unknown) => unknown) | undefined): unknown {
  try {
    return JSON.parse(text, reviver);
  } catch (error) {
    if (error instanceof SyntaxError) throw new MalformedJsonError(`the body is not valid JSON: ${error.message}`);
    if (error instanceof RangeError)
      throw new MalformedJsonError("the body is not valid JSON: it is nested too deeply");
    throw error;
  }
}

/** Nesting up to which the reviver's recursion surely fits the stack (it overflows at a few thousand). */
const MAX_FAST_DEPTH = 256;
/** Integer digits below which a number is finite (a double overflows from 309 digits: 1.8e308). */
const MAX_FAST_DIGITS = 300;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text (decoded from UTF-8) could hold a value the reviver would refuse, or nest deeper than the
 * reviver can follow; false means `JSON.parse` alone gives exactly what the reviver would. One pass, strings
 * skipped. The refused values, and why each is caught (text that is not JSON fails the same way either way):
 * - NUL and lone surrogates: raw, a NUL is invalid JSON and valid UTF-8 has no lone surrogate, so either
 *   needs a `\u` escape in a string (a `\u` after an escaped backslash does not count);
 * - `-0`: a number `-0…` (`-0`, `-0.0`, `-0e5`), or one that underflows to zero, which needs an exponent;
 * - non-finite numbers: an exponent, or at least 309 integer digits.
 * So: no `\u` escape, no `-0`, no `e`/`E` right after a digit (in `true`/`false` it follows a letter), no run
 * of 300 digits, and nesting of at most 256 levels.
 */
export function mayHoldRefusedValue(text: string): boolean {
  const length = text.length;
  let digits = 0;
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < length; i++) {
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        if (d === BACKSLASH && text.charCodeAt(++i) === LOWER_U) return true;
      }
      digits = 0;
    } else if (c >= DIGIT_0 && c <= DIGIT_9) {
      if (++digits >= MAX_FAST_DIGITS) return true;
    } else {
      if (c === MINUS) {
        if (text.charCodeAt(i + 1) === DIGIT_0) return true;
      } else if (c === LOWER_E || c === UPPER_E) {
        if (digits > 0) return true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++depth > MAX_FAST_DEPTH) return true;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
      }
      digits = 0;
    }
  }
  return false;
}

function refuseUnusableValues(_key: string, value: unknown): unknown {
  if (typeof value === "number") {
    if (Object.is(value, -0)) return new RefusedValue(NEGATIVE_ZERO);
    if (!Number.isFinite(value)) return new RefusedValue(OUT_OF_RANGE);
  } else if (typeof value === "string") {
    const reason = unstorableTextReason(value);
    if (reason !== undefined) return new RefusedValue(reason);
  }
  return value;
}

/** The text of a waiver policy document (YAML or JSON); bytes that are not UTF-8 are INVALID_POLICY. */
export function policyDocumentText(bytes: Buffer, contentType: string | undefined): string {
  checkCharset(contentType);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InvalidPolicyError("the waiver policy document is not valid UTF-8 text", [
      { field: DOCUMENT_FIELD, message: "is not valid UTF-8 text" },
    ]);
  }
}

/** Bodies are UTF-8 (RFC 8259 §8.1); a Content-Type naming another charset is refused, not guessed at. */
function checkCharset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? "")?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new UnsupportedMediaTypeError(`bodies must be UTF-8; charset "${charset}" is not supported`, [
      { field: "Content-Type", message: "charset must be utf-8" },
    ]);
  }
}

/** Where a string of a parsed body or a URL parameter cannot be stored: the reason, or undefined. */
export function unstorableTextReason(value: string): string | undefined {
  if (value.includes("\u0000")) return NUL;
  return LONE_SURROGATE_PATTERN.test(value) ? LONE_SURROGATE : undefined;
}

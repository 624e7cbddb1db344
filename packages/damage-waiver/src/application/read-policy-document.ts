import { err, type FieldIssue, ok, type Result } from "@carfare/kit";
import { Compile } from "typebox/compile";
import type { TLocalizedValidationError } from "typebox/error";
import { Settings } from "typebox/system";
import { LineCounter, parseDocument } from "yaml";
import { checkPolicyRules } from "../domain/policy-rules.js";
import { InvalidPolicyError } from "../domain/waiver-errors.js";
import {
  type AuthoredProduct,
  CAR_CLASSES,
  type WaiverPolicyDocument,
  type WaiverProduct,
} from "../domain/waiver-policy.js";
import { type AuthoredWaiverPolicy, PATTERN_HINTS, PRODUCT_CODE_PATTERN, WaiverPolicySchema } from "./policy-schema.js";

/** The largest waiver policy document accepted, in UTF-8 bytes; real ones are a few kilobytes. */
export const MAX_POLICY_DOCUMENT_BYTES = 1024 * 1024;

/** The `field` of an issue about the document as a whole (its size, its syntax, its top level). */
export const DOCUMENT_FIELD = "(document)";

/**
 * Reads the text of a waiver policy document (YAML 1.2 core schema, or JSON) into a validated
 * `WaiverPolicyDocument` (every product's `sellable` filled in), or refuses it with an `InvalidPolicyError`
 * listing every problem found, each naming its field (`products[2].selfPayCap`).
 *
 * Checks run in stages and a later stage runs only when the earlier ones passed, because its findings
 * would be noise otherwise: size, YAML syntax, the JSON Schema, then the rules of `checkPolicyRules`
 * (which need `publishedAt` for `effectiveFrom`).
 *
 * @example
 * const read = readPolicyDocument(yamlText, clock.now());
 * if (!read.ok) return read; // read.error.issues: [{ field: "products[2].selfPayCap", message: "required: …" }]
 */
export function readPolicyDocument(text: string, publishedAt: Date): Result<WaiverPolicyDocument, InvalidPolicyError> {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_POLICY_DOCUMENT_BYTES) {
    return refuse([
      {
        field: DOCUMENT_FIELD,
        message: `is ${kilobytes(bytes)} KB; a waiver policy document may be at most ${kilobytes(MAX_POLICY_DOCUMENT_BYTES)} KB`,
      },
    ]);
  }
  const parsed = parseYaml(text);
  if (!parsed.ok) return refuse([parsed.error]);
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refuse([
      {
        field: DOCUMENT_FIELD,
        message: `must be a mapping of the policy's fields (id, market, currency, …), got ${describe(value)}`,
      },
    ]);
  }
  if (!validator.Check(value)) return refuse(schemaIssues(value));
  const ruleIssues = checkPolicyRules(value, publishedAt);
  return ruleIssues.length > 0 ? refuse(ruleIssues) : ok(toPolicyDocument(value));
}

function refuse(issues: readonly FieldIssue[]): { ok: false; error: InvalidPolicyError } {
  const [first] = issues;
  const headline = first === undefined ? "" : `${first.field}: ${first.message}`;
  const message =
    issues.length === 1
      ? `The waiver policy document is invalid: ${headline}`
      : `The waiver policy document has ${issues.length} problems; the first: ${headline}`;
  return err(new InvalidPolicyError(message, issues));
}

function kilobytes(bytes: number): string {
  return (bytes / 1024).toFixed(1).replace(/\.0$/, "");
}

// --- YAML -----------------------------------------------------------------------------------------------

function parseYaml(text: string): Result<unknown, FieldIssue> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // YAML 1.2 core: `2027-01-01T00:00:00+09:00` stays a string, and no YAML 1.1 surprises (yes → true, 0700 octal).
    schema: "core",
    // With the default, `!!binary` or `!!timestamp` would turn into a Buffer or a Date; here they fail loudly.
    resolveKnownTags: false,
    uniqueKeys: true,
    // A key written as a list or mapping would be stringified into an unknown key with a process warning.
    stringKeys: true,
  });
  // After the first error the parser's later complaints are mostly echoes of it, so only the first is shown.
  // Warnings (an unknown `!tag`) are refused too: the value would silently become a plain string.
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem !== undefined) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    return err({
      field: DOCUMENT_FIELD,
      message: `is not valid YAML or JSON at line ${line}, column ${col}: ${problem.message}`,
    });
  }
  try {
    // Aliases can expand a small text into a huge value ("billion laughs"); a policy needs few of them.
    return ok(document.toJS({ maxAliasCount: 100 }));
  } catch (error) {
    if (error instanceof ReferenceError) {
      return err({ field: DOCUMENT_FIELD, message: "uses too many aliases (*name); write the values out" });
    }
    throw error;
  }
}

// --- JSON Schema ------------------------------------------------------------------------------------------

const validator = Compile(WaiverPolicySchema);

/** TypeBox stops at 8 errors by default; an author fixing a document wants to see them all at once. */
const MAX_SCHEMA_ERRORS = 1000;

function schemaIssues(value: object): FieldIssue[] {
  // The limit is a process-wide setting; it is raised only for this synchronous call (as TypeBox itself
  // does for Parse), so no other validator in the process sees the change.
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_SCHEMA_ERRORS });
  let errors: TLocalizedValidationError[];
  try {
    errors = validator.Errors(value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
  // A value of the wrong type also fails its other keywords (-1.5 is neither whole nor ≥ 0): say it once.
  const wrongType = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string) => {
    const key = `${field}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push({ field, message });
    }
  };
  for (const error of errors) {
    if (error.keyword !== "type" && wrongType.has(error.instancePath)) continue;
    const at = locate(value, error.instancePath);
    switch (error.keyword) {
      case "additionalProperties":
        for (const key of error.params.additionalProperties) {
          add(childPath(at.path, key, false), unknownKeyMessage(at.path, key));
        }
        break;
      case "required":
        for (const key of error.params.requiredProperties) add(childPath(at.path, key, false), "required");
        break;
      case "boolean":
        // The per-key echo of additionalProperties: false, already reported above.
        break;
      default:
        add(at.path === "" ? DOCUMENT_FIELD : at.path, explain(error, at.value));
    }
  }
  if (errors.length >= MAX_SCHEMA_ERRORS) {
    add(DOCUMENT_FIELD, `has too many problems to list; the first ${issues.length} are shown`);
  }
  return issues;
}

function unknownKeyMessage(parentPath: string, key: string): string {
  if (parentPath === "prices") return `"${key}" is not a car class; one of ${CAR_CLASSES.join(", ")}`;
  if (/^prices\.[A-Z]+$/.test(parentPath)) {
    return `"${key}" is not ${PATTERN_HINTS[PRODUCT_CODE_PATTERN] ?? "a product code"}`;
  }
  return "unknown field";
}

function explain(error: TLocalizedValidationError, value: unknown): string {
  const got = `got ${describe(value)}`;
  switch (error.keyword) {
    case "type":
      return `must be ${typeName(error.params.type)}, ${got}`;
    case "minimum":
      return `must be at least ${error.params.limit}, ${got}`;
    case "maximum":
      return `must be at most ${error.params.limit}, ${got}`;
    case "enum":
      return `must be one of ${error.params.allowedValues.join(", ")}, ${got}`;
    case "pattern": {
      const pattern = String(error.params.pattern);
      return `must be ${PATTERN_HINTS[pattern] ?? `text matching ${pattern}`}, ${got}`;
    }
    case "format":
      return error.params.format === "date-time"
        ? `must be an RFC 3339 date-time with a real date and a zone, e.g. 2027-01-01T00:00:00+09:00, ${got}`
        : `must be a ${error.params.format}, ${got}`;
    case "minItems":
      return `must have at least ${error.params.limit} ${error.params.limit === 1 ? "entry" : "entries"}`;
    case "minLength":
      return "must not be empty";
    default:
      return error.message;
  }
}

function typeName(type: string | string[]): string {
  const names: Record<string, string> = {
    integer: "a whole number",
    number: "a number",
    string: "text",
    boolean: "true or false",
    array: "a list",
    object: "a mapping of fields",
    null: "nothing",
  };
  return (Array.isArray(type) ? type : [type]).map((t) => names[t] ?? t).join(" or ");
}

/** A short, human description of a value for messages ("got 12.5", "got a list"). */
function describe(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/**
 * The author-facing path (`products[2].selfPayCap`) and the value at a JSON pointer (`/products/2/selfPayCap`).
 * The parsed value is walked rather than the pointer parsed alone, because only the value tells whether `2`
 * indexes a list or names a key.
 */
function locate(root: unknown, pointer: string): { path: string; value: unknown } {
  let path = "";
  let value = root;
  if (pointer === "") return { path, value };
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const isIndex = Array.isArray(value);
    path = childPath(path, segment, isIndex);
    value =
      typeof value === "object" && value !== null && Object.hasOwn(value, segment)
        ? (value as Record<string, unknown>)[segment]
        : undefined;
  }
  return { path, value };
}

function childPath(parent: string, key: string, isIndex: boolean): string {
  if (isIndex) return `${parent}[${key}]`;
  // Keys the schema knows are plain words; anything else (a code with a blank or a dot) is quoted.
  if (/^[A-Za-z0-9_-]+$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

// --- The domain's document ---------------------------------------------------------------------------------

/**
 * The validated document as the domain holds it: each product narrowed to its model with `sellable` filled
 * in, keys in one fixed order so that equal documents serialise alike.
 */
function toPolicyDocument(authored: AuthoredWaiverPolicy): WaiverPolicyDocument {
  const { id, market, currency, roundingIncrement, products, prices, youngDriver, lossOfUse, effectiveFrom } = authored;
  return {
    id,
    market,
    currency,
    roundingIncrement,
    products: products.map(toProduct),
    prices,
    ...(youngDriver === undefined ? {} : { youngDriver }),
    lossOfUse,
    ...(effectiveFrom === undefined ? {} : { effectiveFrom }),
  };
}

function toProduct(product: AuthoredProduct): WaiverProduct {
  const { code, name, minDriverAge, minLicenseYears } = product;
  const sellable = product.sellable ?? true;
  // The rules ran first, so a CAPPED product has its selfPayCap and a FIXED_DEDUCTIBLE one its deductible.
  const amount = product.model === "CAPPED" ? product.selfPayCap : product.deductible;
  if (amount === undefined) throw new Error(`product ${code} passed the policy rules without its amount`);
  return product.model === "CAPPED"
    ? { code, name, model: "CAPPED", selfPayCap: amount, minDriverAge, minLicenseYears, sellable }
    : { code, name, model: "FIXED_DEDUCTIBLE", deductible: amount, minDriverAge, minLicenseYears, sellable };
}

import type { Static, TSchema } from "typebox";
import { Compile } from "typebox/compile";
import type { TLocalizedValidationError } from "typebox/error";
import { Settings } from "typebox/system";
import { LineCounter, parseDocument } from "yaml";
import type { FieldIssue } from "../domain-error.js";
import { err, ok, type Result } from "../result.js";

/** The `field` of an issue about a document as a whole (its size, its syntax, its top level). */
export const DOCUMENT_FIELD = "(document)";

export interface DocumentReaderOptions<S extends TSchema> {
  /** The JSON Schema (TypeBox) the document must satisfy. */
  readonly schema: S;
  /** What the document is called in messages: "tariff document". */
  readonly name: string;
  /** What its top level holds, for the message when it is not a mapping: "the tariff's fields (id, market, …)". */
  readonly fields: string;
  /** The largest text accepted, in UTF-8 bytes. */
  readonly maxBytes: number;
  /** Plain words for the schema's regular expressions, keyed by pattern source. */
  readonly patternHints?: Readonly<Record<string, string>>;
  /** A better message than "unknown field" for a key under `parentPath`, where the keys are names (tiers). */
  readonly unknownKeyMessage?: (parentPath: string, key: string) => string | undefined;
}

/**
 * Makes a reader of authored documents (YAML 1.2 core schema, or JSON): the text becomes a value that
 * satisfies the schema, or every problem found, each naming its field as an author reads it
 * (`carModels[1].dailyRate.weekend`). Stages run in order and a later one only when the earlier passed —
 * size, YAML syntax, top-level shape, JSON Schema — because its findings would be noise otherwise. Business
 * rules are the caller's next stage.
 */
export function createDocumentReader<S extends TSchema>(
  options: DocumentReaderOptions<S>,
): (text: string) => Result<Static<S>, FieldIssue[]> {
  const validator = Compile(options.schema);
  return (text) => {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > options.maxBytes) {
      return err([
        {
          field: DOCUMENT_FIELD,
          message: `is ${size(bytes)}; a ${options.name} may be at most ${size(options.maxBytes)}`,
        },
      ]);
    }
    const parsed = parseYaml(text);
    if (!parsed.ok) return err([parsed.error]);
    const value = parsed.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return err([
        { field: DOCUMENT_FIELD, message: `must be a mapping of ${options.fields}, got ${describe(value)}` },
      ]);
    }
    if (!validator.Check(value)) return err(schemaIssues(validator.Errors.bind(validator), value, options));
    const unstorable = unstorableText(value, "");
    if (unstorable.length > 0) return err(unstorable);
    return ok(value as Static<S>);
  };
}

/** "The tariff document is invalid: …" / "The tariff document has 3 problems; the first: …". */
export function summarizeIssues(name: string, issues: readonly FieldIssue[]): string {
  const [first] = issues;
  const headline = first === undefined ? "" : `${first.field}: ${first.message}`;
  return issues.length === 1
    ? `The ${name} is invalid: ${headline}`
    : `The ${name} has ${issues.length} problems; the first: ${headline}`;
}

function size(bytes: number): string {
  const [unit, divisor] = bytes >= 1024 * 1024 ? ["MB", 1024 * 1024] : ["KB", 1024];
  return `${(bytes / divisor).toFixed(1).replace(/\.0$/, "")} ${unit}`;
}

/**
 * Text PostgreSQL cannot store in `text` or `jsonb` — a NUL character, or half of a surrogate pair that YAML's
 * `\ud800` escapes let through — would otherwise pass validation and fail only at the insert, as an
 * internal error instead of the author's mistake.
 */
function unstorableText(value: unknown, path: string): FieldIssue[] {
  if (typeof value === "string") {
    if (value.includes("\u0000"))
      return [{ field: path || DOCUMENT_FIELD, message: "must not contain a NUL character (\\0)" }];
    if (!isWellFormed(value))
      return [
        { field: path || DOCUMENT_FIELD, message: "must be valid Unicode text (it holds half of a surrogate pair)" },
      ];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => unstorableText(item, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...unstorableText(key, path),
      ...unstorableText(item, childPath(path, key, false)),
    ]);
  }
  return [];
}

function isWellFormed(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

// --- YAML -----------------------------------------------------------------------------------------------

function parseYaml(text: string): Result<unknown, FieldIssue> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // YAML 1.2 core: `02:00` and `2026-12-25` stay strings, and no YAML 1.1 surprises (yes → true, 0700 octal).
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
    // Aliases can expand a small text into a huge value ("billion laughs"); a document needs few of them.
    return ok(document.toJS({ maxAliasCount: 100 }));
  } catch (error) {
    if (error instanceof ReferenceError) {
      return err({ field: DOCUMENT_FIELD, message: "uses too many aliases (*name); write the values out" });
    }
    throw error;
  }
}

// --- JSON Schema ------------------------------------------------------------------------------------------

/** TypeBox stops at 8 errors by default; an author fixing a document wants to see them all at once. */
const MAX_SCHEMA_ERRORS = 1000;

function schemaIssues(
  errorsOf: (value: unknown) => TLocalizedValidationError[],
  value: object,
  options: DocumentReaderOptions<TSchema>,
): FieldIssue[] {
  // The limit is a process-wide setting; it is raised only for this synchronous call (as TypeBox itself
  // does for Parse), so no other validator in the process sees the change.
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_SCHEMA_ERRORS });
  let errors: TLocalizedValidationError[];
  try {
    errors = errorsOf(value);
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
          add(childPath(at.path, key, false), options.unknownKeyMessage?.(at.path, key) ?? "unknown field");
        }
        break;
      case "required":
        for (const key of error.params.requiredProperties) add(childPath(at.path, key, false), "required");
        break;
      case "boolean":
        // The per-key echo of additionalProperties: false, already reported above.
        break;
      default:
        add(at.path === "" ? DOCUMENT_FIELD : at.path, explain(error, at.value, options.patternHints ?? {}));
    }
  }
  if (errors.length >= MAX_SCHEMA_ERRORS) {
    add(DOCUMENT_FIELD, `has too many problems to list; the first ${issues.length} are shown`);
  }
  return issues;
}

function explain(error: TLocalizedValidationError, value: unknown, hints: Readonly<Record<string, string>>): string {
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
      return `must be ${hints[pattern] ?? `text matching ${pattern}`}, ${got}`;
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
export function describe(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/**
 * The author-facing path (`carModels[1].dailyRate`) and the value at a JSON pointer (`/carModels/1/dailyRate`).
 * The parsed value is walked rather than the pointer parsed alone, because only the value tells whether `1`
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
  // Keys the schema knows are plain words; anything else (a tier name with a blank or a dot) is quoted.
  if (/^[A-Za-z0-9_-]+$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

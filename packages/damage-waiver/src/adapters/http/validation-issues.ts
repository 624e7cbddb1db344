import type { FastifySchemaValidationError } from "fastify";
import { dedupe, type ProblemField, pointerSegments, toJsonPointer } from "./problem.js";
import { RefusedValue } from "./request-body.js";
import { NOT_BLANK_PATTERN } from "./schemas.js";

/** The part of a request a schema validated, as Fastify names it. */
export type ValidationContext = "body" | "querystring" | "params" | "headers";

/**
 * The field problems of a failed schema validation (Ajv with `allErrors`), one per bad field: a JSON
 * Pointer into the body, or the parameter's name for the query string and the path. An unknown field is
 * named by its own pointer ("unknown field"), a missing one likewise ("required"). When a field has the
 * wrong type, that is the one thing said about it, since its other keywords only echo it; a value the body
 * parser refused (`-0`, a NUL character) is explained by its reason, once.
 */
export function validationIssues(
  errors: readonly FastifySchemaValidationError[],
  context: ValidationContext,
  data: unknown,
): ProblemField[] {
  const located = errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    const at = pointerSegments(error.instancePath ?? "");
    if (error.keyword === "additionalProperties") {
      return { segments: [...at, String(params.additionalProperty)], keyword: error.keyword, message: "unknown field" };
    }
    if (error.keyword === "required") {
      return { segments: [...at, String(params.missingProperty)], keyword: error.keyword, message: "required" };
    }
    const value = valueAt(data, at);
    return { segments: at, keyword: error.keyword, message: explain(error, params, value, context) };
  });
  const wrongType = new Set(
    located.filter((issue) => issue.keyword === "type").map((issue) => toJsonPointer(issue.segments)),
  );
  return dedupe(
    located
      .filter((issue) => issue.keyword === "type" || !wrongType.has(toJsonPointer(issue.segments)))
      .map((issue) => ({ field: fieldName(issue.segments, context), message: issue.message })),
  );
}

function fieldName(segments: readonly string[], context: ValidationContext): string {
  if (context === "body") return toJsonPointer(segments);
  // A query or path parameter is named as in the URL (a repeated one is still the same parameter).
  return segments[0] ?? "";
}

function explain(
  error: FastifySchemaValidationError,
  params: Record<string, unknown>,
  value: unknown,
  context: ValidationContext,
): string {
  if (value instanceof RefusedValue) return value.reason;
  const got = `got ${describe(value)}`;
  switch (error.keyword) {
    case "type":
      if (context === "body" && value === undefined) return "a JSON object body is required";
      return `must be ${typeName(params.type)}, ${got}`;
    case "enum":
      return `must be one of ${(params.allowedValues as unknown[]).map(String).join(", ")}, ${got}`;
    case "format":
      return params.format === "date-time"
        ? `must be an RFC 3339 date-time with a time zone, e.g. 2026-11-25T09:00:00+09:00, ${got}`
        : `must be a ${String(params.format)}, ${got}`;
    case "minimum":
      return `must be at least ${String(params.limit)}, ${got}`;
    case "maximum":
      return `must be at most ${String(params.limit)}, ${got}`;
    case "minLength":
      return "must not be empty";
    case "maxLength":
      return `must be at most ${String(params.limit)} characters long`;
    case "pattern":
      return params.pattern === NOT_BLANK_PATTERN ? "must not be blank" : `must match ${String(params.pattern)}`;
    case "minItems":
      return `must have at least ${String(params.limit)} entries`;
    case "maxItems":
      return `must have at most ${String(params.limit)} entries`;
    default:
      return error.message ?? "is invalid";
  }
}

function typeName(type: unknown): string {
  const names: Record<string, string> = {
    integer: "an integer",
    number: "a number",
    string: "a string",
    boolean: "true or false",
    array: "an array",
    object: "an object",
    null: "null",
  };
  return (Array.isArray(type) ? type : String(type).split(",")).map((t) => names[String(t)] ?? String(t)).join(" or ");
}

/** A short description of a value for messages ("got 1.5", "got the string \"12\"", "got null"). */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  }
  if (typeof value === "number") return String(value);
  return typeof value === "boolean" ? String(value) : typeof value;
}

/** The value at a path of a parsed body or parameter object, if there is one. */
function valueAt(data: unknown, segments: readonly string[]): unknown {
  let value = data;
  for (const segment of segments) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

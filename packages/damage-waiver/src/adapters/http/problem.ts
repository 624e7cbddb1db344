import type { DomainError, FieldIssue } from "@carfare/kit";
import { DOCUMENT_FIELD } from "../../application/read-policy-document.js";

/**
 * The one place where waiver error codes become HTTP statuses and problem details (RFC 9457), as spec
 * §5's table says. A domain code missing here is a bug the catalog test catches; at run time it falls back
 * to 400, because every domain error is a refusal of the caller's input.
 */
export const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  "WAIVER.INVALID_REQUEST": 400,
  "WAIVER.MALFORMED_JSON": 400,
  "WAIVER.INVALID_PERIOD": 400,
  "WAIVER.IDEMPOTENCY_KEY_REQUIRED": 400,
  "WAIVER.INVALID_POLICY": 400,
  "WAIVER.UNAUTHENTICATED": 401,
  "WAIVER.POLICY_NOT_FOUND": 404,
  "WAIVER.INCIDENT_NOT_FOUND": 404,
  "WAIVER.ILLEGAL_TRANSITION": 409,
  "WAIVER.VERSION_MISMATCH": 412,
  "WAIVER.UNSUPPORTED_MEDIA_TYPE": 415,
  "WAIVER.IDEMPOTENCY_KEY_REUSED": 422,
  "WAIVER.UNKNOWN_PRODUCT": 422,
  "WAIVER.RESOLUTION_ABOVE_CHARGE": 422,
  "WAIVER.POLICY_MARKET_TAKEN": 422,
};

/**
 * Codes of the HTTP adapter itself: refusals that are about the transport, not the domain (a path that names
 * no route, a method the path does not take, a body over the size limit, a server shutting down), and our own
 * failures. Each has exactly one status, like the domain codes.
 */
export const TRANSPORT_STATUS_OF_CODE = {
  "WAIVER.ROUTE_NOT_FOUND": 404,
  "WAIVER.METHOD_NOT_ALLOWED": 405,
  "WAIVER.PAYLOAD_TOO_LARGE": 413,
  "WAIVER.INTERNAL": 500,
  "WAIVER.UNAVAILABLE": 503,
} as const satisfies Record<string, number>;

export type TransportCode = keyof typeof TRANSPORT_STATUS_OF_CODE;

const TITLES: Readonly<Record<string, string>> = {
  "WAIVER.INVALID_REQUEST": "The request is invalid",
  "WAIVER.MALFORMED_JSON": "The body is not valid JSON",
  "WAIVER.INVALID_PERIOD": "The rental period is invalid",
  "WAIVER.IDEMPOTENCY_KEY_REQUIRED": "An Idempotency-Key header is required",
  "WAIVER.INVALID_POLICY": "The waiver policy document is invalid",
  "WAIVER.UNAUTHENTICATED": "Authentication is required",
  "WAIVER.POLICY_NOT_FOUND": "No such waiver policy",
  "WAIVER.INCIDENT_NOT_FOUND": "No such incident",
  "WAIVER.ILLEGAL_TRANSITION": "The incident cannot make this transition",
  "WAIVER.VERSION_MISMATCH": "The incident has changed",
  "WAIVER.UNSUPPORTED_MEDIA_TYPE": "Unsupported media type",
  "WAIVER.IDEMPOTENCY_KEY_REUSED": "The Idempotency-Key was used with another body",
  "WAIVER.UNKNOWN_PRODUCT": "No such waiver product in the policy version",
  "WAIVER.RESOLUTION_ABOVE_CHARGE": "A resolution cannot exceed the charge",
  "WAIVER.POLICY_MARKET_TAKEN": "The market belongs to another waiver policy",
  "WAIVER.ROUTE_NOT_FOUND": "No such route",
  "WAIVER.METHOD_NOT_ALLOWED": "Method not allowed",
  "WAIVER.PAYLOAD_TOO_LARGE": "The body is too large",
  "WAIVER.INTERNAL": "Internal error",
  "WAIVER.UNAVAILABLE": "The service is unavailable",
};

/** The `type` URI of a problem: `urn:carfare:problem:<code>`. */
export const PROBLEM_TYPE_PREFIX = "urn:carfare:problem:";

/** The media type of every error response. */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** The most field problems one response lists; a body can hold far more mistakes than anyone reads. */
export const MAX_LISTED_ERRORS = 100;

/** One bad field: a JSON Pointer into the body, or the name of a header or a URL parameter. */
export interface ProblemField {
  readonly field: string;
  readonly message: string;
}

/** An RFC 9457 problem details object as this service sends it (spec §5). */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly ProblemField[];
}

/** The status of a code: the spec's table, then the adapter's own codes; 400 for anything unknown. */
export function statusOfCode(code: string): number {
  return STATUS_OF_CODE[code] ?? (TRANSPORT_STATUS_OF_CODE as Record<string, number>)[code] ?? 400;
}

/** A problem of `code` with its status, title and the given detail and field problems. */
export function problem(code: string, detail: string, errors: readonly ProblemField[] = []): Problem {
  const listed = errors.length > MAX_LISTED_ERRORS ? errors.slice(0, MAX_LISTED_ERRORS) : errors;
  const more = errors.length - listed.length;
  return {
    type: `${PROBLEM_TYPE_PREFIX}${code}`,
    title: TITLES[code] ?? code,
    status: statusOfCode(code),
    detail: more > 0 ? `${detail}; only the first ${MAX_LISTED_ERRORS} are listed` : detail,
    code,
    ...(listed.length > 0 ? { errors: listed } : {}),
  };
}

/**
 * Where the fields of a request live, so that an issue's field is rendered as what the caller sent: a
 * JSON Pointer into the body (`/products/2/selfPayCap`), or, for a header or a URL parameter, its name
 * (`Idempotency-Key`, `limit`).
 */
export interface FieldLocations {
  /** Names of the route's path and query parameters. */
  readonly parameters: ReadonlySet<string>;
  /** Use-case field names that stand for a parameter of another name (`version` for the path's `{n}`). */
  readonly aliases?: Readonly<Record<string, string>>;
}

/**
 * Codes whose issues describe the incident as stored rather than the request (`status`: "REPORTED cannot
 * become CHARGED"); their fields are given as the name of the incident's property.
 */
const RESOURCE_FIELD_CODES: ReadonlySet<string> = new Set(["WAIVER.ILLEGAL_TRANSITION"]);

/** Header names as the use cases spell them in issues → as they are written in HTTP. */
const HEADER_FIELDS: Readonly<Record<string, string>> = {
  "idempotency-key": "Idempotency-Key",
  "if-match": "If-Match",
  authorization: "Authorization",
  "content-type": "Content-Type",
};

/** The problem of a domain error, each issue's field rendered for HTTP (see `renderField`). */
export function problemOfDomainError(error: DomainError, locations: FieldLocations): Problem {
  const render = RESOURCE_FIELD_CODES.has(error.code)
    ? (field: string) => field
    : (field: string) => renderField(field, locations);
  return problem(
    error.code,
    error.message,
    dedupe(error.issues.map((issue) => ({ field: render(issue.field), message: issue.message }))),
  );
}

/**
 * A use case's field name as the caller knows it: a header's name, a URL parameter's name, or else a JSON
 * Pointer into the body, converted from the use cases' paths (`products[2].selfPayCap` →
 * `/products/2/selfPayCap`, `exclusions[1]` → `/exclusions/1`, `prices["A B"]` → `/prices/A B`). The whole
 * body (the policy reader's `(document)`) is the empty pointer.
 */
export function renderField(field: string, locations: FieldLocations): string {
  const header = HEADER_FIELDS[field.toLowerCase()];
  if (header !== undefined) return header;
  const alias = locations.aliases?.[field];
  if (alias !== undefined) return alias;
  if (locations.parameters.has(field)) return field;
  if (field === DOCUMENT_FIELD || field === "") return "";
  return toJsonPointer(pathSegments(field));
}

/** A JSON Pointer (RFC 6901) of the given segments. */
export function toJsonPointer(segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/**
 * The segments of a dotted path with bracketed indexes and quoted keys (`a.b[2]["c d"]`). Text that is not
 * such a path is taken as one segment, so that nothing is ever lost.
 */
export function pathSegments(path: string): string[] {
  const segments: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === ".") {
      if (i === 0 || i === path.length - 1) return [path];
      i++;
      continue;
    }
    if (path[i] === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) return [path];
      const inside = path.slice(i + 1, close);
      if (/^\d+$/.test(inside)) {
        segments.push(inside);
        i = close + 1;
        continue;
      }
      // A quoted key: a JSON string, which may itself contain "]".
      const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path.slice(i));
      if (quoted === null) return [path];
      segments.push(JSON.parse(`"${quoted[1]}"`) as string);
      i += quoted[0].length;
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== "." && path[end] !== "[") end++;
    segments.push(path.slice(i, end));
    i = end;
  }
  return segments;
}

/** The segments of a JSON Pointer (`/a/b~1c` → `["a", "b/c"]`). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The issues without repeats of the same field and message, in their order. */
export function dedupe(issues: readonly ProblemField[]): ProblemField[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.field}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Issues keep the domain's shape; this names the type for callers that build them. */
export type { FieldIssue };

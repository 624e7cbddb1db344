import type { AccessTokens } from "@carfare/kit";
import type { FastifyRequest, RouteOptions } from "fastify";
import { InvalidRequestError, UnauthenticatedError } from "../../domain/waiver-errors.js";
import { RefusedValue, unstorableTextReason } from "./request-body.js";

/** The actor of a caller who presents no token where none is required. */
export const ANONYMOUS = "anonymous";

// --- Access (DESIGN.md "Access") ---------------------------------------------------------------------------

/** The name of the admin token presented; refused when there is none, it is wrong, or none is configured. */
export function authenticateAdmin(adminTokens: AccessTokens, authorization: string | undefined): string {
  const name = adminTokens.authenticate(authorization);
  if (name !== undefined) return name;
  throw new UnauthenticatedError(
    adminTokens.isEmpty
      ? "no admin token is configured (CARFARE_ADMIN_TOKENS), so admin requests are refused"
      : "an admin token is required: Authorization: Bearer <token>",
    [{ field: "Authorization", message: "missing or wrong token" }],
  );
}

/**
 * Who calls a service route: the name of the service token presented, or of an admin token (admins may act
 * on incidents too, and their name is what the history should show). When service tokens are configured one
 * of the two is required; when none is, anyone may call, and a caller without a known token is `anonymous`.
 */
export function authenticateCaller(
  serviceTokens: AccessTokens,
  adminTokens: AccessTokens,
  authorization: string | undefined,
): string {
  const name = serviceTokens.authenticate(authorization) ?? adminTokens.authenticate(authorization);
  if (name !== undefined) return name;
  if (serviceTokens.isEmpty) return ANONYMOUS;
  throw new UnauthenticatedError("a service token is required: Authorization: Bearer <token>", [
    { field: "Authorization", message: "missing or wrong token" },
  ]);
}

// --- Conditional requests ----------------------------------------------------------------------------------

const STRONG_VERSION_TAG = /^\s*"([1-9]\d{0,15})"\s*$/;

/**
 * The version an `If-Match` header asks for: undefined when absent or `*` (any current version), the
 * number of a strong tag `"<version>"` as this API gives out in `ETag`. Anything else — a weak tag, a list,
 * an unquoted number, a tag we never issue — is INVALID_REQUEST rather than a silent mismatch.
 */
export function expectedVersionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === "*") return undefined;
  const match = STRONG_VERSION_TAG.exec(ifMatch);
  const version = match === null ? Number.NaN : Number(match[1]);
  if (Number.isSafeInteger(version)) return version;
  throw new InvalidRequestError(
    `If-Match must be one ETag of this API, the incident's version in quotes such as "3", or *; got ${JSON.stringify(ifMatch.slice(0, 80))}`,
    [{ field: "If-Match", message: 'must be a version in quotes, e.g. "3", or *' }],
  );
}

// --- URL parameters ---------------------------------------------------------------------------------------

const DECIMAL_INTEGER = /^-?\d{1,300}$/;

/**
 * Prepares path and query parameters for strict validation: validation never coerces (bodies must arrive
 * with their JSON types), yet URL parameters are always text. So, for exactly the parameters the route's
 * schema declares as integers, a plain decimal numeral (`50`, `-1`) becomes its number before validation;
 * anything else (`1e2`, `0x10`, `5.0`, ` 5`, a repeated parameter) stays text and is refused as not an
 * integer. Text that cannot be stored (a NUL character, a lone surrogate) is marked refused, as in bodies.
 * Returns the preValidation hook for a route, or undefined when it has no parameters.
 */
export function urlParameterHook(
  route: Pick<RouteOptions, "schema">,
): ((request: FastifyRequest) => Promise<void>) | undefined {
  const schema = route.schema as { params?: unknown; querystring?: unknown } | undefined;
  const params = integerProperties(schema?.params);
  const query = integerProperties(schema?.querystring);
  if (schema?.params === undefined && schema?.querystring === undefined) return undefined;
  return async (request) => {
    request.params = normalised(request.params, params);
    request.query = normalised(request.query, query);
  };
}

function integerProperties(schema: unknown): ReadonlySet<string> {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
  return new Set(Object.keys(properties).filter((key) => properties[key]?.type === "integer"));
}

function normalised(values: unknown, integers: ReadonlySet<string>): unknown {
  if (typeof values !== "object" || values === null) return values;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    result[key] = normalisedValue(value, integers.has(key));
  }
  return result;
}

function normalisedValue(value: unknown, integer: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => normalisedValue(item, false));
  if (typeof value !== "string") return value;
  const unstorable = unstorableTextReason(value);
  if (unstorable !== undefined) return new RefusedValue(unstorable);
  return integer && DECIMAL_INTEGER.test(value) ? Number(value) : value;
}

/** The names of a route's path and query parameters (how their problems are named). */
export function parameterNames(route: { schema?: unknown }): ReadonlySet<string> {
  const schema = route.schema as { params?: unknown; querystring?: unknown } | undefined;
  const names = (part: unknown) =>
    Object.keys((part as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  return new Set([...names(schema?.params), ...names(schema?.querystring)]);
}

import { MAX_INPUT_AMOUNT } from "@carfare/kit";
import { type TSchema, Type } from "typebox";
import { MAX_INCIDENT_PAGE_SIZE } from "../../application/list-incidents.js";
import { WaiverPolicySchema } from "../../application/policy-schema.js";
import { MAX_IDENTIFIER_LENGTH, MAX_TEXT_LENGTH } from "../../application/request-checks.js";
import { EXCLUSIONS, INCIDENT_STATUSES } from "../../domain/incident.js";
import { MAX_REPAIR_DAYS } from "../../domain/liability.js";
import { CAR_CLASSES } from "../../domain/waiver-policy.js";

/**
 * The JSON Schemas (TypeBox) of the REST API: what Fastify validates requests against and what the OpenAPI
 * 3.1 document at /openapi.json is generated from, so every description here is API documentation.
 * Bodies are strict: unknown fields are refused (`additionalProperties: false`), types are not coerced.
 */

/** A string with at least one character that is not white space. */
export const NOT_BLANK_PATTERN = "\\S";

/** The oldest driver age and longest licence a waiver quote accepts (as the use case checks). */
const MAX_DRIVER_AGE = 120;
const MAX_LICENSE_YEARS = 100;

const identifier = (description: string) =>
  Type.String({ maxLength: MAX_IDENTIFIER_LENGTH, pattern: NOT_BLANK_PATTERN, description });
const text = (description: string) =>
  Type.String({ maxLength: MAX_TEXT_LENGTH, pattern: NOT_BLANK_PATTERN, description });
const money = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_INPUT_AMOUNT, description });
const dateTime = (description: string) => Type.String({ format: "date-time", description });
const carClass = Type.Enum(CAR_CLASSES, { type: "string", description: "The car class (glossary), e.g. MIDSIZE." });
const status = Type.Enum(INCIDENT_STATUSES, { type: "string", description: "Where the incident is in its lifecycle." });

// --- Requests ---------------------------------------------------------------------------------------------

export const WaiverQuoteRequest = Type.Object(
  {
    market: identifier("The market whose waiver policy in effect prices the rental, e.g. kr."),
    carClass,
    startAt: dateTime("Start of the rental (RFC 3339, on a whole minute)."),
    endAt: dateTime("End of the rental (RFC 3339, on a whole minute); after startAt, at most 30 days later."),
    driverAge: Type.Integer({ minimum: 0, maximum: MAX_DRIVER_AGE, description: "The driver's age in years." }),
    licenseYears: Type.Integer({
      minimum: 0,
      maximum: MAX_LICENSE_YEARS,
      description: "Whole years the driver has held a licence.",
    }),
  },
  { additionalProperties: false, description: "A rental to offer waiver products for (spec §2)." },
);

export const IncidentReport = Type.Object(
  {
    rentalId: identifier("The rental (booking) the incident happened in."),
    market: identifier("The market of the rental, e.g. kr."),
    carClass,
    dailyRate: money("The car's standard daily rate in minor units: the loss-of-use basis (spec §3)."),
    productCode: identifier("The waiver product bought at booking, e.g. CAP_300K; sellable or legacy."),
    policyVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description:
          "The policyVersion of the waiver quote made at booking. Left out: the version in effect at occurredAt.",
      }),
    ),
    occurredAt: dateTime("When the damage happened (RFC 3339)."),
    description: Type.Optional(
      Type.String({ maxLength: MAX_TEXT_LENGTH, description: "What happened, in the reporter's words." }),
    ),
  },
  { additionalProperties: false, description: "The booking's snapshot an incident is created from (spec §3, §5)." },
);

export const AssessmentBody = Type.Object(
  {
    repairCost: money("The repair cost in minor units."),
    repairDays: Type.Integer({
      minimum: 0,
      maximum: MAX_REPAIR_DAYS,
      description: "Days the car is off the road for repair.",
    }),
    faultPercent: Type.Integer({ minimum: 0, maximum: 100, description: "The customer's share of the fault, 0–100." }),
    exclusions: Type.Array(
      Type.Enum(EXCLUSIONS, { type: "string", description: "A circumstance that voids the waiver." }),
      {
        maxItems: EXCLUSIONS.length,
        description: "The exclusions that apply, each at most once; any one voids the waiver (basis EXCLUDED).",
      },
    ),
  },
  { additionalProperties: false, description: "An assessment (spec §3); replaces an earlier one while ASSESSED." },
);

export const ReasonBody = Type.Object(
  { reason: text("Why, in words kept in the incident's history.") },
  { additionalProperties: false },
);

export const ResolutionBody = Type.Object(
  {
    owed: Type.Optional(money("What the customer owes in the end, at most what was charged. Default: the charge.")),
    note: text("How the dispute was resolved."),
  },
  { additionalProperties: false },
);

export const IncidentParams = Type.Object({
  id: Type.String({ description: "The incident's id (a UUID)." }),
});

export const PolicyParams = Type.Object({
  policyId: Type.String({ description: "The waiver policy's id, e.g. kr-waiver." }),
});

export const PolicyVersionParams = Type.Object({
  policyId: Type.String({ description: "The waiver policy's id, e.g. kr-waiver." }),
  n: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "The version number, from 1." }),
});

export const ListIncidentsQuerystring = Type.Object(
  {
    rentalId: Type.Optional(identifier("Only the incidents of this rental.")),
    status: Type.Optional(status),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_INCIDENT_PAGE_SIZE,
        default: 50,
        description: `Incidents per page, 1–${MAX_INCIDENT_PAGE_SIZE}; default 50.`,
      }),
    ),
    cursor: Type.Optional(
      Type.String({ maxLength: 200, description: "The nextCursor of the page before, as given; opaque." }),
    ),
  },
  { additionalProperties: false },
);

export const IdempotencyKeyHeader = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      description:
        "Required. Any text up to 255 characters, unique per incident: retrying with the same key and a JSON-equal body returns the incident created the first time (200) instead of creating another.",
    }),
  ),
});

export const IfMatchHeader = Type.Object({
  "if-match": Type.Optional(
    Type.String({
      description:
        'The incident\'s ETag as last read, e.g. "3" (with the quotes): the change applies only if the incident is still at that version, else 412. `*` or no header: whatever the version.',
    }),
  ),
});

// --- Responses --------------------------------------------------------------------------------------------

const currency = Type.String({ description: "ISO 4217 code of every amount, e.g. KRW." });
const timestamp = (description: string) => Type.String({ format: "date-time", description });
const amount = (description: string) => Type.Integer({ description: `${description} In minor units.` });

export const Problem = Type.Object(
  {
    type: Type.String({ description: "urn:carfare:problem:<code>" }),
    title: Type.String({ description: "A short summary of the kind of problem." }),
    status: Type.Integer({ description: "The HTTP status." }),
    detail: Type.String({ description: "What went wrong with this request, for people." }),
    code: Type.String({ description: "The stable error code, e.g. WAIVER.INVALID_REQUEST (see the error table)." }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({
            description:
              "A JSON Pointer into the body (`/products/2/selfPayCap`; the empty pointer for the whole body), or the name of a header (`Idempotency-Key`, `If-Match`, `Authorization`) or of a path or query parameter (`limit`); for ILLEGAL_TRANSITION, `status`: the incident's.",
          }),
          message: Type.String(),
        }),
        { description: "Every bad field found." },
      ),
    ),
  },
  { $id: "Problem", description: "An RFC 9457 problem details object." },
);

export const WaiverQuote = Type.Object(
  {
    policyId: Type.String(),
    policyVersion: Type.Integer({ description: "Pass it as policyVersion when reporting an incident of this rental." }),
    currency,
    options: Type.Array(
      Type.Object({
        productCode: Type.String(),
        name: Type.String(),
        selfPayCap: Type.Optional(amount("CAPPED products: the most the customer pays per accident.")),
        fee: amount("The waiver fee for the rental, young-driver surcharge included."),
        eligible: Type.Boolean(),
        ineligibleReason: Type.Optional(
          Type.Enum(["DRIVER_TOO_YOUNG", "LICENSE_TOO_NEW"], { type: "string", description: "When not eligible." }),
        ),
      }),
      { description: "The sellable products priced for the car class, in the policy's order." },
    ),
  },
  { $id: "WaiverQuote", description: "The waiver products offered with a rental (spec §2)." },
);

export const Incident = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    rentalId: Type.String(),
    market: Type.String(),
    carClass: Type.String(),
    dailyRate: amount("The car's standard daily rate as reported."),
    productCode: Type.String(),
    policyId: Type.String({ description: "The waiver policy whose version applies." }),
    policyVersion: Type.Integer(),
    status,
    occurredAt: timestamp("When the damage happened."),
    reportedAt: timestamp("When the incident was reported."),
    description: Type.Optional(Type.String()),
    assessment: Type.Optional(
      Type.Object({
        repairCost: amount("The repair cost."),
        repairDays: Type.Integer(),
        faultPercent: Type.Integer(),
        exclusions: Type.Array(Type.String()),
      }),
    ),
    liability: Type.Optional(
      Type.Object(
        {
          lossOfUse: amount("Loss of use."),
          damage: amount("Repair cost plus loss of use."),
          share: amount("The customer's share of the damage by fault."),
          owed: amount("What the customer owes."),
          basis: Type.Enum(["CAPPED", "FIXED_DEDUCTIBLE", "EXCLUDED"], { type: "string" }),
          currency,
        },
        { description: "What the customer owes and why (spec §3)." },
      ),
    ),
    charged: Type.Optional(amount("Frozen at charging: the liability's owed amount.")),
    resolution: Type.Optional(Type.Object({ owed: amount("What the customer owes in the end."), note: Type.String() })),
    version: Type.Integer({ description: "Starts at 1, +1 with every change; the ETag." }),
    events: Type.Array(
      Type.Object({
        at: timestamp("When."),
        type: status,
        actor: Type.String({ description: "The name of the caller's token, or anonymous." }),
        data: Type.Record(Type.String(), Type.Unknown(), { description: "What the transition recorded." }),
      }),
      { description: "The history, oldest first: every transition, creation included." },
    ),
  },
  { $id: "Incident", description: "A damage event during a rental, with its lifecycle and history (spec §4, §5)." },
);

export const IncidentPage = Type.Object(
  {
    items: Type.Array(Type.Ref("Incident"), { description: "Newest reportedAt first." }),
    nextCursor: Type.Optional(Type.String({ description: "Present when more incidents follow: pass it as cursor." })),
  },
  { $id: "IncidentPage" },
);

export const PublishedVersion = Type.Object(
  { policyId: Type.String(), version: Type.Integer() },
  { $id: "PublishedVersion", description: "The version the document is (201: new; 200: the newest, unchanged)." },
);

export const PolicyVersionList = Type.Object(
  {
    policyId: Type.String(),
    market: Type.String(),
    versions: Type.Array(
      Type.Object({
        version: Type.Integer(),
        publishedAt: timestamp("When it was published."),
        publishedBy: Type.String({ description: "The name of the admin token that published it." }),
        effectiveFrom: timestamp("From when it applies."),
      }),
      { description: "Oldest first." },
    ),
  },
  { $id: "PolicyVersionList" },
);

export const PolicyList = Type.Object(
  { policies: Type.Array(Type.Ref("PolicyVersionList"), { description: "By policy id." }) },
  { $id: "PolicyList" },
);

/** The waiver policy document schema, without the draft-07 `$schema` it carries as a file for editors. */
export const WaiverPolicyDocument: TSchema = (() => {
  const { $schema: _draft, ...schema } = WaiverPolicySchema as TSchema & { $schema?: string };
  return { ...schema, $id: "WaiverPolicyDocument" };
})();

/** The schemas the routes refer to by `$ref`, registered once with `addSchema` (OpenAPI components). */
export const SHARED_SCHEMAS: readonly TSchema[] = [
  Problem,
  WaiverQuote,
  Incident,
  IncidentPage,
  PublishedVersion,
  PolicyVersionList,
  PolicyList,
  WaiverPolicyDocument,
];

/** The response of `status` with a JSON body of `schema`, and optional response headers. */
export function jsonResponse(description: string, schema: TSchema, headers?: Record<string, TSchema>) {
  return { description, content: { "application/json": { schema } }, ...(headers ? { headers } : {}) };
}

/** The problem responses of a route, by status. */
export function problemResponses(statuses: Record<number, string>) {
  const responses: Record<number, object> = {};
  for (const [status, description] of Object.entries(statuses)) {
    responses[Number(status)] = {
      description,
      content: { "application/problem+json": { schema: Type.Ref("Problem") } },
    };
  }
  return responses;
}

/** The ETag response header of incident responses. */
export const ETAG_HEADER = {
  ETag: Type.String({ description: 'The incident\'s version as a strong entity tag, e.g. "3": send it as If-Match.' }),
};

import { canonicalJson } from "@carfare/kit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { assessIncident } from "../../application/assess-incident.js";
import { changeIncidentStatus, type StatusChange } from "../../application/change-incident-status.js";
import { getIncident } from "../../application/get-incident.js";
import { listIncidents } from "../../application/list-incidents.js";
import { quoteWaiverOptions } from "../../application/quote-waiver-options.js";
import { reportIncident } from "../../application/report-incident.js";
import type { Incident } from "../../domain/incident.js";
import { parseRfc3339 } from "../../domain/policy-rules.js";
import { IdempotencyKeyRequiredError, InvalidRequestError } from "../../domain/waiver-errors.js";
import { etagOf, incidentJson, incidentPageJson, waiverQuoteText } from "./representations.js";
import { authenticateCaller, expectedVersionOf } from "./request-context.js";
import {
  AssessmentBody,
  ETAG_HEADER,
  IdempotencyKeyHeader,
  IfMatchHeader,
  IncidentParams,
  IncidentReport,
  jsonResponse,
  ListIncidentsQuerystring,
  problemResponses,
  ReasonBody,
  ResolutionBody,
  WaiverQuoteRequest,
} from "./schemas.js";
import type { WaiverAppDeps } from "./waiver-app.js";
import { IGNORE_WAIVER } from "./waiver-metrics.js";

const locationHeader = { type: "string", description: "The new incident's URL." };
const SECURITY: Record<string, string[]>[] = [{ serviceToken: [] }, { adminToken: [] }, {}];
const INCIDENTS_TAG = "incidents";

const AUTH_PROBLEMS = { 400: "The request is invalid.", 401: "A service token is required and was not given." };
const CHANGE_PROBLEMS = {
  ...AUTH_PROBLEMS,
  404: "No such incident.",
  409: "The incident's status does not allow this change.",
  412: "If-Match names a version the incident is no longer at.",
  415: "The body is not JSON.",
};

/**
 * The service API (spec §5): waiver quotes and incidents. Callers present a service token when
 * `CARFARE_SERVICE_TOKENS` is set; the token's name (or `anonymous`) is the actor incident events record.
 */
export const serviceRoutes: FastifyPluginAsyncTypebox<{ deps: WaiverAppDeps }> = async (app, { deps }) => {
  const { incidents, catalog, clock } = deps;
  const observer = deps.observer ?? IGNORE_WAIVER;
  const policySource = {
    catalog,
    ...(deps.refreshCatalog === undefined ? {} : { refreshCatalog: deps.refreshCatalog }),
  };

  // A plain callback: it runs on every service request (see the hooks of waiver-app.ts).
  app.addHook("onRequest", (request, _reply, done) => {
    let actor: string;
    try {
      actor = authenticateCaller(deps.serviceTokens, deps.adminTokens, request.headers.authorization);
    } catch (error) {
      done(error as Error);
      return;
    }
    request.waiverActor = actor;
    done();
  });

  app.post(
    "/v1/waiver-quotes",
    {
      schema: {
        tags: ["waiver quotes"],
        operationId: "quoteWaiver",
        summary: "Offer waiver products for a rental",
        description:
          "Prices every sellable product of the market's waiver policy in effect for the car class (spec §2): 24-hour windows from startAt, each min(started hours × hourly, daily), plus the young-driver surcharge; lists ineligible products with their reason. Nothing is stored.",
        security: SECURITY,
        body: WaiverQuoteRequest,
        response: {
          200: jsonResponse("The options, in the policy's product order.", { $ref: "WaiverQuote" }),
          ...problemResponses({
            ...AUTH_PROBLEMS,
            400: "The request is invalid (INVALID_REQUEST, MALFORMED_JSON) or the period is (INVALID_PERIOD).",
            404: "No waiver policy is in effect for the market.",
            415: "The body is not JSON.",
          }),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const quote = quoteWaiverOptions(
        { catalog, clock },
        {
          market: body.market,
          carClass: body.carClass,
          startAt: instantOf(body.startAt),
          endAt: instantOf(body.endAt),
          driverAge: body.driverAge,
          licenseYears: body.licenseYears,
        },
      );
      if (!quote.ok) throw quote.error;
      observer.quoted(body.market, body.carClass);
      // Already JSON text: with this Content-Type, Fastify sends it as it is (and adds charset=utf-8, as for
      // any JSON answer), so the serializer is not run on it.
      reply.header("content-type", "application/json");
      return waiverQuoteText(quote.value);
    },
  );

  app.post(
    "/v1/incidents",
    {
      // Spec §5: the key is checked before anything else about the request, the body included.
      onRequest: async (request) => {
        if (idempotencyKeyOf(request) === undefined) {
          throw new IdempotencyKeyRequiredError("creating an incident needs an Idempotency-Key header", [
            { field: "Idempotency-Key", message: "required" },
          ]);
        }
      },
      schema: {
        tags: [INCIDENTS_TAG],
        operationId: "reportIncident",
        summary: "Report an incident",
        description:
          "Creates an incident (REPORTED, version 1) from the booking's snapshot, once per Idempotency-Key: the same key with a JSON-equal body (key order and white space do not matter) returns the incident as it is now with 200; with another body it is refused (422). The product must exist in the policy version, sellable or not.",
        security: SECURITY,
        headers: IdempotencyKeyHeader,
        body: IncidentReport,
        response: {
          201: jsonResponse("Created.", { $ref: "Incident" }, { ...ETAG_HEADER, Location: locationHeader }),
          200: jsonResponse("Already created under this key with the same body: the incident as it is now.", {
            $ref: "Incident",
          }),
          ...problemResponses({
            ...AUTH_PROBLEMS,
            400: "The Idempotency-Key is missing (IDEMPOTENCY_KEY_REQUIRED) or the request is invalid.",
            404: "The market has no such policy version, or none in effect at occurredAt.",
            415: "The body is not JSON.",
            422: "The key was used with another body (IDEMPOTENCY_KEY_REUSED), or the product is not in the policy version (UNKNOWN_PRODUCT).",
          }),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const reported = await reportIncident(
        { incidents, clock, ...policySource, ...(deps.newId === undefined ? {} : { newId: deps.newId }) },
        {
          idempotencyKey: idempotencyKeyOf(request),
          requestFingerprint: canonicalJson(body),
          report: {
            rentalId: body.rentalId,
            market: body.market,
            carClass: body.carClass,
            dailyRate: body.dailyRate,
            productCode: body.productCode,
            ...(body.policyVersion === undefined ? {} : { policyVersion: body.policyVersion }),
            occurredAt: instantOf(body.occurredAt),
            ...(body.description === undefined ? {} : { description: body.description }),
          },
          actor: request.waiverActor,
        },
      );
      if (!reported.ok) throw reported.error;
      const { incident, replayed } = reported.value;
      if (!replayed) {
        observer.changed(incident);
        reply.code(201).header("location", `/v1/incidents/${incident.id}`);
      }
      return sendIncident(reply, incident);
    },
  );

  app.get(
    "/v1/incidents/:id",
    {
      schema: {
        tags: [INCIDENTS_TAG],
        operationId: "getIncident",
        summary: "Read an incident",
        description: "The incident with its history; ETag is its version, to send back as If-Match.",
        security: SECURITY,
        params: IncidentParams,
        response: {
          200: jsonResponse("The incident.", { $ref: "Incident" }, ETAG_HEADER),
          ...problemResponses({ ...AUTH_PROBLEMS, 404: "No such incident." }),
        },
      },
    },
    async (request, reply) => {
      const found = await getIncident(incidents, request.params.id);
      if (!found.ok) throw found.error;
      return sendIncident(reply, found.value);
    },
  );

  app.get(
    "/v1/incidents",
    {
      schema: {
        tags: [INCIDENTS_TAG],
        operationId: "listIncidents",
        summary: "List incidents",
        description:
          "Newest reportedAt first, optionally of one rental and/or one status, a page at a time: pass nextCursor as cursor for the next page.",
        security: SECURITY,
        querystring: ListIncidentsQuerystring,
        response: {
          200: jsonResponse("A page of incidents.", { $ref: "IncidentPage" }),
          ...problemResponses({ ...AUTH_PROBLEMS, 400: "A query parameter is invalid (a bad cursor included)." }),
        },
      },
    },
    async (request) => {
      const { rentalId, status, limit, cursor } = request.query;
      const page = await listIncidents(incidents, {
        ...(rentalId === undefined ? {} : { rentalId }),
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      if (!page.ok) throw page.error;
      return incidentPageJson(page.value);
    },
  );

  app.put(
    "/v1/incidents/:id/assessment",
    {
      schema: {
        tags: [INCIDENTS_TAG],
        operationId: "assessIncident",
        summary: "Assess an incident",
        description:
          "Records the assessment and the liability computed under the incident's own policy version and product (spec §3), moving it to ASSESSED; while ASSESSED, a new assessment replaces the old one.",
        security: SECURITY,
        params: IncidentParams,
        headers: IfMatchHeader,
        body: AssessmentBody,
        response: {
          200: jsonResponse("The incident with its assessment and liability.", { $ref: "Incident" }, ETAG_HEADER),
          ...problemResponses(CHANGE_PROBLEMS),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const assessed = await assessIncident(
        { incidents, clock, ...policySource },
        {
          incidentId: request.params.id,
          assessment: {
            repairCost: body.repairCost,
            repairDays: body.repairDays,
            faultPercent: body.faultPercent,
            exclusions: body.exclusions,
          },
          ...expectation(request),
          actor: request.waiverActor,
        },
      );
      if (!assessed.ok) throw assessed.error;
      observer.changed(assessed.value);
      return sendIncident(reply, assessed.value);
    },
  );

  const change = async (request: FastifyRequest, incidentId: string, reply: FastifyReply, to: StatusChange) => {
    const changed = await changeIncidentStatus(
      { incidents, clock },
      { incidentId, change: to, ...expectation(request), actor: request.waiverActor },
    );
    if (!changed.ok) throw changed.error;
    observer.changed(changed.value);
    return sendIncident(reply, changed.value);
  };
  const changeSchema = (
    operationId: string,
    summary: string,
    description: string,
    problems: Record<number, string> = CHANGE_PROBLEMS,
  ) => ({
    operationId,
    tags: [INCIDENTS_TAG],
    summary,
    description,
    security: SECURITY,
    params: IncidentParams,
    headers: IfMatchHeader,
    response: {
      200: jsonResponse("The incident after the change.", { $ref: "Incident" }, ETAG_HEADER),
      ...problemResponses(problems),
    },
  });

  app.post(
    "/v1/incidents/:id/charge",
    {
      schema: changeSchema(
        "chargeIncident",
        "Charge the customer",
        "ASSESSED → CHARGED; freezes charged at the liability's owed amount. No body (or an empty JSON object).",
      ),
    },
    async (request, reply) => {
      requireNoBody(request.body);
      return change(request, request.params.id, reply, { action: "charge" });
    },
  );
  app.post(
    "/v1/incidents/:id/settle",
    {
      schema: changeSchema(
        "settleIncident",
        "Record the payment",
        "CHARGED → SETTLED: the customer paid what was charged. No body (or an empty JSON object).",
      ),
    },
    async (request, reply) => {
      requireNoBody(request.body);
      return change(request, request.params.id, reply, { action: "settle" });
    },
  );
  app.post(
    "/v1/incidents/:id/dispute",
    {
      schema: {
        ...changeSchema("disputeIncident", "Dispute the charge", "CHARGED → DISPUTED, with the customer's reason."),
        body: ReasonBody,
      },
    },
    async (request, reply) =>
      change(request, request.params.id, reply, { action: "dispute", reason: request.body.reason }),
  );
  app.post(
    "/v1/incidents/:id/resolve",
    {
      schema: {
        ...changeSchema(
          "resolveIncident",
          "Resolve a dispute",
          "DISPUTED → RESOLVED with what the customer owes in the end: at most what was charged (default: the charge). The liability stays as assessed.",
          { ...CHANGE_PROBLEMS, 422: "owed is more than was charged (RESOLUTION_ABOVE_CHARGE)." },
        ),
        body: ResolutionBody,
      },
    },
    async (request, reply) => {
      const { owed, note } = request.body;
      return change(request, request.params.id, reply, {
        action: "resolve",
        ...(owed === undefined ? {} : { owed }),
        note,
      });
    },
  );
  app.post(
    "/v1/incidents/:id/cancel",
    {
      schema: {
        ...changeSchema("cancelIncident", "Cancel an incident", "REPORTED or ASSESSED → CANCELLED, with the reason."),
        body: ReasonBody,
      },
    },
    async (request, reply) =>
      change(request, request.params.id, reply, { action: "cancel", reason: request.body.reason }),
  );
};

function sendIncident(reply: FastifyReply, incident: Incident) {
  reply.header("etag", etagOf(incident));
  return incidentJson(incident);
}

/** The If-Match of a state-changing request as the use cases take it. */
function expectation(request: FastifyRequest): { expectedVersion?: number } {
  const expectedVersion = expectedVersionOf(headerText(request.headers["if-match"]));
  return expectedVersion === undefined ? {} : { expectedVersion };
}

/** The Idempotency-Key header, if it holds anything but white space. */
function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = headerText(request.headers["idempotency-key"]);
  return key === undefined || key.trim() === "" ? undefined : key;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** An RFC 3339 text the schema accepted, as an instant (an Invalid Date if the calendar disagrees). */
function instantOf(text: string): Date {
  return new Date(parseRfc3339(text) ?? Number.NaN);
}

/** Charge and settle take no body; an empty JSON object is tolerated, anything else is refused field by field. */
function requireNoBody(body: unknown): void {
  if (body === undefined) return;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidRequestError("this request takes no body (or an empty JSON object)", [
      { field: "", message: "must be absent or {}" },
    ]);
  }
  const fields = Object.keys(body);
  if (fields.length > 0) {
    throw new InvalidRequestError(
      `this request takes no body, got ${fields.length} field(s)`,
      // The use cases' path syntax for any key: the adapter renders it as the pointer `/<key>`.
      fields.map((field) => ({ field: `[${JSON.stringify(field)}]`, message: "unknown field" })),
    );
  }
}

import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { type AccessTokens, DomainError, type Logger, type Registry } from "@carfare/kit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { PolicyCatalog } from "../../application/policy-catalog.js";
import type { Clock, IncidentRepository, WaiverPolicyRepository } from "../../application/ports.js";
import { adminRoutes } from "./admin-routes.js";
import { PROBLEM_MEDIA_TYPE, type Problem, problem, problemOfDomainError, type TransportCode } from "./problem.js";
import { JSON_MEDIA_TYPES, parseJsonBody } from "./request-body.js";
import { parameterNames, urlParameterHook } from "./request-context.js";
import { requestLogger } from "./request-logger.js";
import { SHARED_SCHEMAS } from "./schemas.js";
import { serviceRoutes } from "./service-routes.js";
import { type ValidationContext, validationIssues } from "./validation-issues.js";
import { requestDurations, type WaiverObserver } from "./waiver-metrics.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is calling: the name of the token presented, or `anonymous` (set by the access hooks). */
    waiverActor: string;
  }
  interface FastifyContextConfig {
    /** Use-case field names that mean a URL parameter of another name on this route. */
    fieldAliases?: Readonly<Record<string, string>>;
  }
}

/** What the REST adapter needs: the ports the use cases run on, the access tokens and the telemetry. */
export interface WaiverAppDeps {
  readonly policies: WaiverPolicyRepository;
  readonly incidents: IncidentRepository;
  readonly catalog: PolicyCatalog;
  /** Brings the catalog up to date with the database (the refresher's `refresh`). */
  readonly refreshCatalog?: () => Promise<void>;
  readonly clock: Clock;
  readonly adminTokens: AccessTokens;
  readonly serviceTokens: AccessTokens;
  readonly logger: Logger;
  /** Where `http_request_duration_seconds` is registered (the process's /metrics). */
  readonly metrics?: Registry;
  /**
   * Resolves when the service can do its work (the database answers), rejects otherwise: `GET /readyz`.
   * Default: always ready.
   */
  readonly ready?: () => Promise<void>;
  /** How long `/readyz` waits for `ready`. Default 1,000 ms. */
  readonly readyTimeoutMs?: number;
  /**
   * True while the service drains before shutting down: `/readyz` answers 503 (so that balancers stop
   * sending) while every other route still serves. Default: never.
   */
  readonly draining?: () => boolean;
  /** Told of every waiver quote and incident change (the business counters); default: nobody. */
  readonly observer?: WaiverObserver;
  /** The largest request body accepted, in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Makes incident ids (default: random UUIDs). */
  readonly newId?: () => string;
}

/** The largest request body accepted by default: 1 MiB, the size limit of a waiver policy document too. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const packageVersion = (createRequire(import.meta.url)("../../../package.json") as { version: string }).version;

/** A refusal of the HTTP adapter itself (see TRANSPORT_STATUS_OF_CODE), with the headers it calls for. */
class TransportRefusal extends Error {
  constructor(
    readonly code: TransportCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/**
 * The damage-waiver REST API (spec §5) as a Fastify app, not yet listening: the routes with their TypeBox
 * schemas, strict validation (no coercion, unknown fields refused, every error listed), the one error
 * handler that turns every refusal into `application/problem+json`, and the OpenAPI 3.1 document at
 * `/openapi.json` with its docs page at `/docs`.
 *
 * @example
 * const app = await buildWaiverApp({ policies, incidents, catalog, clock, adminTokens, serviceTokens, logger });
 * await app.listen({ host: "127.0.0.1", port: 8080 });
 */
export async function buildWaiverApp(deps: WaiverAppDeps): Promise<FastifyInstance> {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by one, written when the response is sent (below).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "request_id" }),
    // Each request's lines carry its request id, but its child logger is only made when it writes one.
    childLoggerFactory: (logger, bindings, options) => requestLogger(logger, bindings, options),
    // The caller's x-request-id when it is usable, else a new UUID; every line of a request carries it.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && isUsableRequestId(given) ? given : randomUUID();
    },
    bodyLimit,
    // Long enough for any identifier (255) in a path, short enough to bound the router's work.
    routerOptions: { maxParamLength: 1000 },
    // While closing, requests still arriving get our own 503 problem (below) instead of Fastify's plain body.
    return503OnClosing: false,
    ajv: {
      customOptions: {
        // Fastify's defaults strip unknown properties, coerce types and stop at the first error (DESIGN.md).
        removeAdditional: false,
        coerceTypes: false,
        allErrors: true,
        useDefaults: false,
      },
    },
    frameworkErrors: (error, request, reply) => {
      // A path that does not decode (`%zz`) or a parameter too long for the router.
      sendProblem(reply, problem("WAIVER.INVALID_REQUEST", `the URL cannot be routed: ${error.message}`), request);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Responses are built by the representation functions; the response schemas document them (and a test
  // checks that they agree), so a mismatch shows instead of being silently trimmed by a schema serializer.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  app.decorateRequest("waiverActor", "");

  const routes: { methods: string[]; pattern: RegExp }[] = [];
  app.addHook("onRoute", (route) => {
    routes.push({ methods: [route.method].flat(), pattern: routePattern(route.url ?? route.path) });
    const normalise = urlParameterHook(route);
    if (normalise !== undefined) route.preValidation = [normalise, ...[route.preValidation ?? []].flat()];
  });

  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // The hooks run on every request, so they are plain callbacks: no promise, no extra turn of the microtask
  // queue each (they used to be async functions).
  // Requests in flight when closing began are answered with Connection: close, so that their keep-alive
  // connections end with them instead of holding the shutdown until the grace period runs out.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    if (closing) {
      done(
        new TransportRefusal("WAIVER.UNAVAILABLE", "the service is shutting down; retry on another instance", {
          connection: "close",
          "retry-after": "1",
        }),
      );
      return;
    }
    done();
  });

  const observeDuration = deps.metrics === undefined ? undefined : requestDurations(deps.metrics);
  app.addHook("onResponse", (request, reply, done) => {
    // The route template (`/v1/incidents/:id`), never the raw URL: one series per route, not per incident.
    const route = request.routeOptions.url ?? "unmatched";
    const status = reply.statusCode;
    const elapsedMs = reply.elapsedTime;
    observeDuration?.(request.method, route, status, elapsedMs / 1000);
    // debug when answered, info for a refusal, warn for a failure (whose cause is logged as an error).
    const level = status >= 500 ? "warn" : status >= 400 ? "info" : "debug";
    if (deps.logger.isLevelEnabled(level)) {
      request.log[level](
        { method: request.method, route, status_code: status, duration_ms: Math.round(elapsedMs * 1000) / 1000 },
        "http request",
      );
    }
    done();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPES, { parseAs: "buffer" }, (request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer, request.headers["content-type"]));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const { problem: answer, headers, bug } = problemOf(error as Error, request, bodyLimit);
    if (bug) request.log.error({ err: error, route: request.routeOptions.url }, "request failed unexpectedly");
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    sendProblem(reply, answer, request);
  });

  app.setNotFoundHandler(async (request) => {
    const path = request.url.split("?", 1)[0] ?? "";
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
    if (allowed.length > 0) {
      throw new TransportRefusal(
        "WAIVER.METHOD_NOT_ALLOWED",
        `${request.method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`,
        { allow: allowed.join(", ") },
      );
    }
    throw new TransportRefusal("WAIVER.ROUTE_NOT_FOUND", `no route ${request.method} ${path}; see /docs`);
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "carfare damage waiver",
        version: packageVersion,
        description:
          "Waiver quotes at booking, incidents and their liability, and the waiver policy documents behind them (spec/damage-waiver.md). Money is integers of minor units; timestamps are RFC 3339. Errors are application/problem+json (RFC 9457) with a stable code; request bodies are validated strictly (no type coercion, unknown fields refused, every bad field listed, each named by a JSON Pointer into the body, or by its name for a header or URL parameter).",
      },
      servers: [{ url: "/", description: "This server" }],
      tags: [
        { name: "waiver quotes", description: "Waiver products and their fees for a rental (spec §2)." },
        { name: "incidents", description: "Incidents, assessments and the lifecycle (spec §3, §4)." },
        { name: "waiver policies (admin)", description: "Versioned waiver policy documents (spec §1)." },
      ],
      components: {
        securitySchemes: {
          adminToken: {
            type: "http",
            scheme: "bearer",
            description: "A token of CARFARE_ADMIN_TOKENS; its name is recorded as the publisher.",
          },
          serviceToken: {
            type: "http",
            scheme: "bearer",
            description:
              "A token of CARFARE_SERVICE_TOKENS, required when any is configured (an admin token works too); its name is the actor in the incident's history.",
          },
        },
      },
    },
    // Shared schemas become components named by their $id (Incident, Problem…), not def-0, def-1.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  // Probes (Kubernetes): no token, not in the OpenAPI document. While closing, onRequest answers 503 first.
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (request) => {
    if (deps.draining?.() === true) {
      throw new TransportRefusal("WAIVER.UNAVAILABLE", "not ready: the service is shutting down", {
        "retry-after": "1",
      });
    }
    const timeoutMs = deps.readyTimeoutMs ?? 1000;
    try {
      await withTimeout(deps.ready?.() ?? Promise.resolve(), timeoutMs);
    } catch (error) {
      request.log.warn({ err: error }, "not ready: the database did not answer");
      // Not the cause: the connection error may name hosts and users; it is in the log.
      throw new TransportRefusal(
        "WAIVER.UNAVAILABLE",
        `not ready: the database did not answer within ${timeoutMs} ms`,
        {
          "retry-after": "1",
        },
      );
    }
    return { status: "ready" };
  });

  await app.register(serviceRoutes, { deps });
  await app.register(adminRoutes, { deps });
  return app;
}

function problemOf(
  error: FastifyError | Error,
  request: FastifyRequest,
  bodyLimit: number,
): { problem: Problem; headers: Readonly<Record<string, string>>; bug: boolean } {
  const refusal = (answer: Problem, headers: Readonly<Record<string, string>> = {}) => ({
    problem: answer,
    headers,
    bug: false,
  });
  if (error instanceof DomainError) {
    const locations = {
      parameters: parameterNames(request.routeOptions),
      aliases: request.routeOptions.config?.fieldAliases ?? {},
    };
    const answer = problemOfDomainError(error, locations);
    return refusal(answer, answer.status === 401 ? { "www-authenticate": 'Bearer realm="carfare"' } : {});
  }
  if (error instanceof TransportRefusal) return refusal(problem(error.code, error.message), error.headers);
  const fastifyError = error as FastifyError;
  if (Array.isArray(fastifyError.validation)) {
    const context = (fastifyError.validationContext ?? "body") as ValidationContext;
    const data = context === "querystring" ? request.query : context === "params" ? request.params : request.body;
    const issues = validationIssues(fastifyError.validation, context, data);
    const [first] = issues;
    const where = { body: "the body", querystring: "the query string", params: "the path", headers: "the headers" }[
      context
    ];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    const detail =
      first === undefined
        ? `${where} is invalid`
        : `${where} is invalid: ${first.field === "" ? "" : `${first.field}: `}${first.message}${more}`;
    return refusal(problem("WAIVER.INVALID_REQUEST", detail, issues));
  }
  switch (fastifyError.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE": {
      const accepted = request.routeOptions.url === "/admin/v1/waiver-policies" ? "a waiver policy" : "JSON";
      const given = request.headers["content-type"];
      return refusal(
        problem(
          "WAIVER.UNSUPPORTED_MEDIA_TYPE",
          `${given === undefined ? "a body without a Content-Type" : `Content-Type ${given}`} is not accepted here; send ${accepted === "JSON" ? "application/json" : "application/yaml or application/json"}`,
          [{ field: "Content-Type", message: given === undefined ? "required with a body" : "not supported" }],
        ),
      );
    }
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return refusal(problem("WAIVER.PAYLOAD_TOO_LARGE", `the body is larger than the limit of ${bodyLimit} bytes`));
  }
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // Fastify's other refusals of a request (a Content-Length that does not match the body, an aborted upload…).
    return refusal(problem("WAIVER.INVALID_REQUEST", fastifyError.message));
  }
  return {
    problem: problem("WAIVER.INTERNAL", "the service failed to handle the request; it has been logged"),
    headers: {},
    bug: true,
  };
}

function sendProblem(reply: FastifyReply, answer: Problem, request: FastifyRequest): void {
  reply.code(answer.status).header("content-type", PROBLEM_MEDIA_TYPE).header("cache-control", "no-store");
  if (request.id !== undefined) reply.header("x-request-id", request.id);
  // As bytes, so that Fastify adds no charset parameter: application/problem+json defines none (RFC 9457).
  reply.send(Buffer.from(JSON.stringify(answer), "utf8"));
}

/** Rejects when `promise` has not settled within `ms`. */
function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A caller's request id is used as given when it is short printable ASCII (it goes into logs and headers). */
function isUsableRequestId(id: string): boolean {
  return id.length > 0 && id.length <= 128 && /^[\x21-\x7e]+$/.test(id);
}

/** A route's URL as find-my-way writes it (`/v1/incidents/:id/charge`, `/docs/*`) as a RegExp of paths. */
function routePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === "*") return ".*";
      if (part.startsWith(":")) return "[^/]+";
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`);
}

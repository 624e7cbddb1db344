import {
  AccessTokens,
  createLogger,
  createMetricsRegistry,
  DomainError,
  type Registry,
  type TestDatabase,
} from "@carfare/kit";
import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as errors from "../../src/domain/waiver-errors.js";
import {
  type RunningWaiverService,
  STATUS_OF_CODE,
  startWaiverService,
  TRANSPORT_STATUS_OF_CODE,
} from "../../src/index.js";
import { createHttpTestDatabase } from "./waiver-service-under-test.js";

// Spec §5: the REST contract is published as OpenAPI 3.1 at /openapi.json, generated from the route schemas,
// with a docs page at /docs; errors map to statuses as the spec's table says.

/** Every route of spec §5's table. */
const SPEC_ROUTES = [
  ["post", "/v1/waiver-quotes"],
  ["post", "/v1/incidents"],
  ["get", "/v1/incidents/{id}"],
  ["get", "/v1/incidents"],
  ["put", "/v1/incidents/{id}/assessment"],
  ["post", "/v1/incidents/{id}/charge"],
  ["post", "/v1/incidents/{id}/settle"],
  ["post", "/v1/incidents/{id}/dispute"],
  ["post", "/v1/incidents/{id}/resolve"],
  ["post", "/v1/incidents/{id}/cancel"],
  ["post", "/admin/v1/waiver-policies"],
  // Additive to §5, for `carfare policy list`.
  ["get", "/admin/v1/waiver-policies"],
  ["get", "/admin/v1/waiver-policies/{policyId}/versions"],
  ["get", "/admin/v1/waiver-policies/{policyId}/versions/{n}"],
] as const;

/** Spec §5's error table. */
const SPEC_STATUS_OF_CODE = {
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

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers: unknown[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
}
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}

describe("The OpenAPI document and the docs page", () => {
  let database: TestDatabase;
  let service: RunningWaiverService;
  let metrics: Registry;
  let document: OpenApiDocument;

  beforeAll(async () => {
    database = await createHttpTestDatabase("pglite");
    metrics = createMetricsRegistry();
    service = await startWaiverService({
      db: database.db,
      host: "127.0.0.1",
      port: 0,
      adminTokens: AccessTokens.parse("CARFARE_ADMIN_TOKENS", ""),
      serviceTokens: AccessTokens.parse("CARFARE_SERVICE_TOKENS", ""),
      logger: createLogger({ level: "silent" }),
      metrics,
    });
    document = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await service?.stop(1_000);
    await database?.close();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(structuredClone(document) as never);

    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(result.specification).toBe("OpenAPI");
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.title).toBe("carfare damage waiver");
    expect(document.servers).toHaveLength(1);
    expect(document.tags.map((t) => t.name)).toEqual(["waiver quotes", "incidents", "waiver policies (admin)"]);
  });

  it("describes every route of spec §5 and nothing else, each with an operation id, a summary and a tag", () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => [method, path]),
    );

    expect(documented.sort()).toEqual(SPEC_ROUTES.map(([m, p]) => [m, p]).sort());
    for (const [method, path] of SPEC_ROUTES) {
      const operation = document.paths[path]?.[method] as Operation;
      expect(operation.operationId, `${method} ${path}`).toBeTruthy();
      expect(operation.summary, `${method} ${path}`).toBeTruthy();
      expect(operation.tags, `${method} ${path}`).toHaveLength(1);
    }
  });

  it("declares bearer tokens: admin routes need the admin scheme, service routes take a service token or none", () => {
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.components.securitySchemes.serviceToken).toMatchObject({ type: "http", scheme: "bearer" });
    for (const [method, path] of SPEC_ROUTES) {
      const security = document.paths[path]?.[method]?.security;
      expect(security, `${method} ${path}`).toEqual(
        path.startsWith("/admin/") ? [{ adminToken: [] }] : [{ serviceToken: [] }, { adminToken: [] }, {}],
      );
    }
  });

  it("documents every error response as application/problem+json of the shared Problem schema", () => {
    for (const [method, path] of SPEC_ROUTES) {
      const responses = document.paths[path]?.[method]?.responses ?? {};
      const problems = Object.entries(responses).filter(([status]) => Number(status) >= 400);
      expect(problems.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const [status, response] of problems) {
        expect(response.content?.["application/problem+json"]?.schema, `${method} ${path} ${status}`).toEqual({
          $ref: "#/components/schemas/Problem",
        });
      }
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["Problem", "Incident", "WaiverQuote", "WaiverPolicyDocument"]),
    );
  });

  it("serves the docs page at /docs", async () => {
    const answer = await fetch(`${service.url}/docs`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("text/html");
  });

  it("counts requests in http_request_duration_seconds by method, route and status", async () => {
    await fetch(`${service.url}/v1/incidents/not-a-uuid`);

    const text = await metrics.getSingleMetricAsString("http_request_duration_seconds");

    expect(text).toContain('method="GET",route="/v1/incidents/:id",status_code="404"');
  });
});

describe("The mapping of error codes to HTTP statuses", () => {
  const domainCodes = Object.values(errors)
    .filter((value) => typeof value === "function" && value.prototype instanceof DomainError)
    .map((ErrorClass) => new (ErrorClass as new (message: string) => DomainError)("x").code);

  it("maps every code of spec §5's table to its status, and knows no other domain code", () => {
    expect(STATUS_OF_CODE).toEqual(SPEC_STATUS_OF_CODE);
  });

  it("has a status for every code the damage-waiver domain raises", () => {
    expect([...domainCodes].sort()).toEqual(Object.keys(SPEC_STATUS_OF_CODE).sort());
  });

  it("keeps the adapter's own codes apart from the domain's", () => {
    for (const code of Object.keys(TRANSPORT_STATUS_OF_CODE)) expect(domainCodes).not.toContain(code);
    expect(TRANSPORT_STATUS_OF_CODE).toEqual({
      "WAIVER.ROUTE_NOT_FOUND": 404,
      "WAIVER.METHOD_NOT_ALLOWED": 405,
      "WAIVER.PAYLOAD_TOO_LARGE": 413,
      "WAIVER.INTERNAL": 500,
      "WAIVER.UNAVAILABLE": 503,
    });
  });
});

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { getPolicyVersion, listPolicyVersions } from "../../application/list-policy-versions.js";
import { publishPolicy } from "../../application/publish-policy.js";
import { UnsupportedMediaTypeError } from "../../domain/waiver-errors.js";
import { policyVersionListJson } from "./representations.js";
import { POLICY_MEDIA_TYPES, policyDocumentText } from "./request-body.js";
import { authenticateAdmin } from "./request-context.js";
import { jsonResponse, PolicyParams, PolicyVersionParams, problemResponses } from "./schemas.js";
import type { WaiverAppDeps } from "./waiver-app.js";

const SECURITY: Record<string, string[]>[] = [{ adminToken: [] }];
const TAG = "waiver policies (admin)";
const AUTH_PROBLEMS = { 401: "An admin token is required (and none is configured, or it is not one of them)." };

/**
 * The admin API: publishing waiver policy documents and reading their versions. Every request needs a token
 * of `CARFARE_ADMIN_TOKENS`; with none configured every request is refused. The token's name is recorded as
 * the version's publisher.
 */
export const adminRoutes: FastifyPluginAsyncTypebox<{ deps: WaiverAppDeps }> = async (app, { deps }) => {
  const { policies, catalog, clock } = deps;

  app.addHook("onRequest", async (request) => {
    request.waiverActor = authenticateAdmin(deps.adminTokens, request.headers.authorization);
  });

  // The document is read by the policy reader (YAML 1.2 or JSON, every problem named), so it arrives as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(POLICY_MEDIA_TYPES, { parseAs: "buffer" }, (request, body, done) => {
    try {
      done(null, policyDocumentText(body as Buffer, request.headers["content-type"]));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.post(
    "/admin/v1/waiver-policies",
    {
      // The schema documents the document; the policy reader validates it, with its own rules and messages.
      validatorCompiler: () => () => true,
      schema: {
        tags: [TAG],
        operationId: "publishWaiverPolicy",
        summary: "Publish a waiver policy version",
        description:
          "Validates the document (spec §1) and stores it as the next immutable version of its policy id. Re-publishing the newest document creates nothing (200). A policy id serves one market for good, and a market has one policy id.",
        security: SECURITY,
        consumes: POLICY_MEDIA_TYPES,
        body: { $ref: "WaiverPolicyDocument" },
        response: {
          201: jsonResponse("Published as a new version.", { $ref: "PublishedVersion" }),
          200: jsonResponse("The document equals the newest version: nothing was created.", {
            $ref: "PublishedVersion",
          }),
          ...problemResponses({
            ...AUTH_PROBLEMS,
            400: "The document is invalid (INVALID_POLICY), every problem named by a JSON Pointer.",
            413: "The document is larger than the body limit.",
            415: "The body is not application/yaml (application/x-yaml, text/yaml) or application/json.",
            422: "The market belongs to another policy id, or the id to another market (POLICY_MARKET_TAKEN).",
          }),
        },
      },
    },
    async (request, reply) => {
      const text = request.body as unknown;
      if (typeof text !== "string") {
        throw new UnsupportedMediaTypeError(
          `send the document with Content-Type ${POLICY_MEDIA_TYPES.join(", ")}; the request had no body`,
          [{ field: "Content-Type", message: `must be one of ${POLICY_MEDIA_TYPES.join(", ")}` }],
        );
      }
      const published = await publishPolicy({ policies, catalog, clock }, text, request.waiverActor);
      if (!published.ok) throw published.error;
      const { policy, created } = published.value;
      reply
        .code(created ? 201 : 200)
        .header(
          "location",
          `/admin/v1/waiver-policies/${encodeURIComponent(policy.policyId)}/versions/${policy.version}`,
        );
      return { policyId: policy.policyId, version: policy.version };
    },
  );

  app.get(
    "/admin/v1/waiver-policies",
    {
      schema: {
        tags: [TAG],
        operationId: "listWaiverPolicies",
        summary: "List every waiver policy with its versions",
        description: "Additive to spec §5: what `carfare policy list` shows.",
        security: SECURITY,
        response: {
          200: jsonResponse("Every policy, by id; each with its versions, oldest first.", { $ref: "PolicyList" }),
          ...problemResponses(AUTH_PROBLEMS),
        },
      },
    },
    async () => {
      await deps.refreshCatalog?.();
      return { policies: catalog.policyIds().map((id) => policyVersionListJson(catalog.versionsOf(id))) };
    },
  );

  app.get(
    "/admin/v1/waiver-policies/:policyId/versions",
    {
      schema: {
        tags: [TAG],
        operationId: "listWaiverPolicyVersions",
        summary: "List a waiver policy's versions",
        security: SECURITY,
        params: PolicyParams,
        response: {
          200: jsonResponse("Every version, oldest first.", { $ref: "PolicyVersionList" }),
          ...problemResponses({ ...AUTH_PROBLEMS, 404: "No such waiver policy." }),
        },
      },
    },
    async (request) => {
      // Versions published by another process show at once, not only after the next poll.
      await deps.refreshCatalog?.();
      const versions = listPolicyVersions(catalog, request.params.policyId);
      if (!versions.ok) throw versions.error;
      return policyVersionListJson(versions.value);
    },
  );

  app.get(
    "/admin/v1/waiver-policies/:policyId/versions/:n",
    {
      // The use case names the version `version`; in this URL it is `{n}`.
      config: { fieldAliases: { version: "n" } },
      schema: {
        tags: [TAG],
        operationId: "getWaiverPolicyVersion",
        summary: "Read one version's document",
        description:
          "The document as validated and stored (every product's sellable filled in); publishing it again as JSON creates nothing if it is the newest.",
        security: SECURITY,
        params: PolicyVersionParams,
        response: {
          200: jsonResponse("The waiver policy document of that version.", { $ref: "WaiverPolicyDocument" }),
          ...problemResponses({
            ...AUTH_PROBLEMS,
            400: "n is not a version number.",
            404: "No such waiver policy, or no such version of it.",
          }),
        },
      },
    },
    async (request) => {
      await deps.refreshCatalog?.();
      const published = getPolicyVersion(catalog, request.params.policyId, request.params.n);
      if (!published.ok) throw published.error;
      return published.value.document;
    },
  );
};

import { DEFAULT_BODY_LIMIT } from "@carfare/damage-waiver";
import Fastify from "fastify";
import { WaiverQuoteRequest } from "../packages/damage-waiver/src/adapters/http/schemas.js";
import { serveControl, settledMemory } from "./child-control.js";
import { WAIVER_QUOTE_PATH } from "./waiver-request.js";

/**
 * The baseline of the waiver-quote benchmark: a bare Fastify 5 server (the same installed Fastify as the
 * damage-waiver service) with the service's strict Ajv options and body limit, and one route,
 * `POST /v1/waiver-quotes`, validating its body against the very TypeBox schema the service uses
 * (`WaiverQuoteRequest`: unknown fields refused, no coercion, date-time formats, integer ranges) and
 * answering `{}`. No logger, hooks, content-type parser of its own, error handler, metrics, or OpenAPI:
 * what is left is Fastify, its JSON body parser, Ajv and node:http.
 *
 *   node --expose-gc --import tsx bench/empty-fastify-server.ts
 */
const app = Fastify({
  bodyLimit: DEFAULT_BODY_LIMIT,
  ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false } },
});

let answered = 0;
app.post(WAIVER_QUOTE_PATH, { schema: { body: WaiverQuoteRequest } }, async () => {
  answered++;
  return {};
});
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
if (address === null || typeof address === "string") throw new Error("empty Fastify server: no TCP port");

serveControl(
  { port: address.port, fastify: app.version },
  { stats: () => ({ answered }), cpu: () => process.cpuUsage(), memory: settledMemory },
  () => app.close(),
);

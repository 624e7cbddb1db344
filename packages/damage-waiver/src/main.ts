import type { AddressInfo } from "node:net";
import { type AccessTokens, type Database, type Logger, queryRows, type Registry } from "@carfare/kit";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { buildWaiverApp } from "./adapters/http/waiver-app.js";
import { createWaiverMetrics } from "./adapters/http/waiver-metrics.js";
import { PostgresIncidentRepository } from "./adapters/postgres/incident.repository.js";
import { PostgresWaiverPolicyRepository } from "./adapters/postgres/policy.repository.js";
import { PolicyCatalog } from "./application/policy-catalog.js";
import { PolicyRefresher } from "./application/policy-refresher.js";
import type { Clock, PublishedPolicy } from "./application/ports.js";
import { publishPolicy } from "./application/publish-policy.js";

export interface WaiverServiceOptions {
  readonly db: Database;
  readonly host: string;
  /** 0 picks a free port (see `port` of the running service). */
  readonly port: number;
  readonly adminTokens: AccessTokens;
  readonly serviceTokens: AccessTokens;
  readonly logger: Logger;
  /** Where the service's metrics are registered (served on the process's /metrics). */
  readonly metrics?: Registry;
  readonly clock?: Clock;
  /** How often to look for waiver policy versions published by other processes. Default 1,000 ms. */
  readonly refreshIntervalMs?: number;
}

export interface RunningWaiverService {
  readonly port: number;
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly catalog: PolicyCatalog;
  readonly app: FastifyInstance;
  /**
   * Drains for `drainMs` (default 0): requests are still served, but `/readyz` answers 503 so that load
   * balancers stop sending. Then stops taking requests (new ones get 503), lets those in flight finish for up
   * to `graceMs`, closes the remaining connections and stops polling for policies. The database is the
   * caller's to close.
   */
  stop(graceMs?: number, drainMs?: number): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** Wires the damage-waiver context to its database and serves it over HTTP: the composition root. */
export async function startWaiverService(options: WaiverServiceOptions): Promise<RunningWaiverService> {
  const { db } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ service: "damage-waiver" });
  const policies = new PostgresWaiverPolicyRepository(db);
  const incidents = new PostgresIncidentRepository(db);
  const catalog = new PolicyCatalog();
  const refresher = new PolicyRefresher({
    policies,
    catalog,
    intervalMs: options.refreshIntervalMs ?? 1000,
    onError: (err) => logger.error({ err }, "waiver policy refresh failed; serving the versions already loaded"),
  });
  await refresher.load();
  refresher.start();

  let draining = false;
  let app: FastifyInstance;
  try {
    app = await buildWaiverApp({
      policies,
      incidents,
      catalog,
      refreshCatalog: () => refresher.refresh(),
      clock,
      adminTokens: options.adminTokens,
      serviceTokens: options.serviceTokens,
      logger,
      ready: async () => {
        await queryRows(db, sql`SELECT 1`);
      },
      draining: () => draining,
      ...(options.metrics === undefined
        ? {}
        : { metrics: options.metrics, observer: createWaiverMetrics(options.metrics) }),
    });
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await refresher.stop();
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  logger.info({ port, policies: catalog.policyIds() }, "damage-waiver service listening");

  return {
    port,
    url: `http://${host}:${port}`,
    catalog,
    app,
    async stop(graceMs = 10_000, drainMs = 0) {
      if (drainMs > 0) {
        draining = true;
        logger.info({ drain_ms: drainMs }, "draining: /readyz answers 503, requests are still served");
        await new Promise((resolve) => setTimeout(resolve, drainMs));
      }
      const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        await refresher.stop();
      }
    },
  };
}

/**
 * Publishes the given waiver policy documents when the database holds no policy yet (the demo's seed).
 * Returns what was published; a document that fails validation stops the seed with its error.
 */
export async function seedPolicies(
  db: Database,
  documents: readonly { name: string; text: string }[],
  clock: Clock = systemClock,
): Promise<PublishedPolicy[]> {
  const policies = new PostgresWaiverPolicyRepository(db);
  if ((await policies.listAll()).length > 0) return [];
  const catalog = new PolicyCatalog();
  const published: PublishedPolicy[] = [];
  for (const { name, text } of documents) {
    const result = await publishPolicy({ policies, catalog, clock }, text, "seed");
    if (!result.ok) throw new Error(`seed waiver policy ${name}: ${result.error.message}`);
    published.push(result.value.policy);
  }
  return published;
}

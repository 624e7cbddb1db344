import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { seedPolicies, startWaiverService, waiverMigrations } from "@carfare/damage-waiver";
import {
  AccessTokens,
  createLogger,
  createMetricsRegistry,
  type Histogram,
  openDatabase,
  queryRows,
  runMigrations,
} from "@carfare/kit";
import { sql } from "drizzle-orm";
import { BENCH_ADMIN_TOKENS } from "./admin.js";
import { serveControl, settledMemory } from "./child-control.js";

/**
 * The real damage-waiver server for the benchmark: `startWaiverService` (the built package, as `carfare serve`
 * runs it: metrics registry, no service tokens, logger at info) on its own database with kr.yaml's waiver
 * policy published through `seedPolicies`, on 127.0.0.1 and a free port. The database is PostgreSQL when
 * DATABASE_URL is set (the bench gives each child a throwaway database), else PGlite in `--data-dir`.
 * Speaks the control protocol of child-control.ts on stdin/stdout.
 *
 * What it reports (`stats`) to check the load runs: the responses by route and status, read from the
 * service's own `http_request_duration_seconds` histogram (every response passes through it), and how many
 * error-level lines it logged (a 500 logs "request failed unexpectedly"; a failed policy refresh logs too).
 *
 *   node --expose-gc --import tsx bench/waiver-server.ts --data-dir DIR
 */
const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    policy: { type: "string", default: new URL("../examples/waiver-policies/kr.yaml", import.meta.url).pathname },
  },
});

const url = process.env.DATABASE_URL;
if (!url && values["data-dir"] === undefined) throw new Error("waiver-server: set DATABASE_URL or --data-dir");

// Logs go to stderr (stdout carries the control protocol), and every line at error level or above is counted.
const PINO_ERROR = 50;
let errorsLogged = 0;
let lastError: string | undefined;
const destination = {
  write(line: string) {
    const level = Number(/"level":(\d+)/.exec(line)?.[1]);
    if (level >= PINO_ERROR) {
      errorsLogged++;
      lastError = line.slice(0, 2000);
    }
    process.stderr.write(line);
  },
};
// As `carfare serve` wires it: the default LOG_LEVEL (info: answered requests log at debug, so not at all;
// refusals at info), lines counted in the registry's log_messages_total.
const metrics = createMetricsRegistry();
const logger = createLogger({ level: "info", name: "bench-waiver", destination, registry: metrics });

const database = await openDatabase(url ? { url, applicationName: "carfare bench" } : { dataDir: values["data-dir"] });
await runMigrations(database, waiverMigrations);
const seeded = await seedPolicies(database.db, [{ name: "kr.yaml", text: await readFile(values.policy, "utf8") }]);
if (seeded.length !== 1) throw new Error("waiver-server: the database already held waiver policies");

const service = await startWaiverService({
  db: database.db,
  host: "127.0.0.1",
  port: 0,
  adminTokens: AccessTokens.parse("admin tokens", BENCH_ADMIN_TOKENS),
  serviceTokens: AccessTokens.parse("service tokens", ""),
  logger,
  metrics,
});

/** Responses so far, `"POST /v1/incidents 201": n`, from the service's latency histogram. */
async function responses(): Promise<Record<string, number>> {
  const histogram = metrics.getSingleMetric("http_request_duration_seconds") as Histogram | undefined;
  if (histogram === undefined) return {};
  const counts: Record<string, number> = {};
  for (const value of (await histogram.get()).values) {
    if (value.metricName !== "http_request_duration_seconds_count") continue;
    const { method, route, status_code: status } = value.labels;
    counts[`${method} ${route} ${status}`] = value.value;
  }
  return counts;
}

serveControl(
  {
    port: service.port,
    database: database.kind,
    policies: seeded.map((p) => ({ id: p.policyId, version: p.version, market: p.market })),
  },
  {
    stats: async () => ({ responses: await responses(), errorsLogged, lastError }),
    /** CPU time of this process so far, µs (user and system, all threads): see waiver-cpu.ts. */
    cpu: () => process.cpuUsage(),
    /**
     * With PostgreSQL on this machine: the pids of the server processes working for this child — the
     * backends of its database and the server's own background processes (WAL writer, checkpointer…) —
     * whose CPU time the bench reads from /proc. None with PGlite, which runs in this process, nor with a
     * PostgreSQL elsewhere, whose pids mean nothing here.
     */
    postgresPids: async () => {
      if (database.kind !== "postgres" || !postgresIsLocal(url)) return [];
      const rows = await queryRows<{ pid: number }>(
        database.db,
        sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type <> 'client backend'`,
      );
      return rows.map((row) => row.pid);
    },
    incidents: async () => {
      const [row] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM waiver.incidents`);
      return { rows: row?.n };
    },
    memory: settledMemory,
  },
  async () => {
    await service.stop(1000);
    await database.close();
  },
);

/** Whether a PostgreSQL URL names this machine (loopback, or a Unix socket: no host). */
function postgresIsLocal(databaseUrl: string | undefined): boolean {
  if (databaseUrl === undefined) return false;
  const { hostname } = new URL(databaseUrl);
  return ["", "localhost", "127.0.0.1", "[::1]", "::1"].includes(hostname) || hostname.startsWith("127.");
}

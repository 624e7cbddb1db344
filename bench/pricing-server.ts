import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import {
  AccessTokens,
  createLogger,
  createMetricsRegistry,
  openDatabase,
  queryRows,
  runMigrations,
} from "@carfare/kit";
import { parseQuoteKeys, pricingMigrations, seedTariffs, startPricingService } from "@carfare/pricing";
import { sql } from "drizzle-orm";
import { BENCH_ADMIN_TOKENS } from "./admin.js";
import { callCounts, serveControl, settledMemory } from "./child-control.js";

/**
 * The real pricing server for the benchmark: `startPricingService` (the built package, as `carfare serve`
 * runs it) on its own database with the given tariff documents published, on 127.0.0.1 and a free port.
 * The database is PostgreSQL when DATABASE_URL is set (the bench gives each child a throwaway database),
 * else PGlite in `--data-dir`. Admin calls take the token of admin.ts. Speaks the control protocol of
 * child-control.ts on stdin/stdout.
 *
 *   node --expose-gc --import tsx bench/pricing-server.ts --data-dir DIR [--tariff FILE]... [--no-quote-log]
 */
const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    // Diagnostic: a recorder that holds at most one quote drops (and counts) nearly all of them, so the
    // database is all but never written — what serving costs without the quote log.
    "no-quote-log": { type: "boolean", default: false },
    tariff: {
      type: "string",
      multiple: true,
      default: [new URL("../examples/tariffs/kr.yaml", import.meta.url).pathname],
    },
  },
});

const url = process.env.DATABASE_URL;
if (!url && values["data-dir"] === undefined) throw new Error("pricing-server: set DATABASE_URL or --data-dir");
// Logs go to stderr: stdout carries the control protocol.
const logger = createLogger({ level: "warn", name: "bench-pricing", destination: process.stderr });
const database = await openDatabase(url ? { url, applicationName: "carfare bench" } : { dataDir: values["data-dir"] });
await runMigrations(database, pricingMigrations);
const documents = await Promise.all(
  values.tariff.map(async (file) => ({ name: basename(file), text: await readFile(file, "utf8") })),
);
const seeded = await seedTariffs(database.db, documents);
if (seeded.length !== documents.length) throw new Error("pricing-server: the database already held tariffs");

const service = await startPricingService({
  db: database.db,
  host: "127.0.0.1",
  port: 0,
  quoteKeys: parseQuoteKeys("bench:a-benchmark-quote-signing-secret"),
  adminTokens: AccessTokens.parse("admin tokens", BENCH_ADMIN_TOKENS),
  serviceTokens: AccessTokens.parse("service tokens", ""),
  logger,
  // As `carfare serve` wires it (the process's /metrics is not served here: nobody scrapes it).
  metrics: createMetricsRegistry(),
  // The diagnostic's drops are on purpose: neither logged nor counted.
  ...(values["no-quote-log"] ? { recorder: { maxBuffered: 1, onDropped: () => undefined } } : {}),
});

const modelsInEffect = () => service.catalog.inEffect("kr", new Date())?.tariff.carModels.size;
const recorder = () => ({
  recorded: service.recorder.recorded,
  dropped: service.recorder.dropped,
  pending: service.recorder.pending,
});

serveControl(
  {
    port: service.port,
    database: database.kind,
    tariffs: seeded.map((t) => ({ id: t.tariffId, version: t.version, models: t.document.carModels.length })),
  },
  {
    stats: async () => ({
      calls: await callCounts(service.grpc.server),
      recorder: recorder(),
      modelsInEffect: modelsInEffect(),
    }),
    /** Waits until every quote given so far is written (or dropped), then counts the rows. */
    flush: async () => {
      const started = performance.now();
      await service.recorder.flush();
      const flushMs = performance.now() - started;
      const [row] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM pricing.quotes`);
      return { calls: await callCounts(service.grpc.server), recorder: recorder(), quoteRows: row?.n, flushMs };
    },
    memory: settledMemory,
  },
  async () => {
    await service.stop(1000);
    await database.close();
  },
);

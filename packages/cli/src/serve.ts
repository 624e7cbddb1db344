import { readdir, readFile } from "node:fs/promises";
import {
  AccessTokens,
  createLogger,
  createMetricsRegistry,
  type MetricsServer,
  startMetricsServer,
} from "@carfare/kit";
import { parseQuoteKeys, type RunningPricingService, seedTariffs, startPricingService } from "@carfare/pricing";
import type { CarfareConfig } from "./config.js";
import { migrateAll, openCarfareDatabase } from "./database.js";
import { loadOrCreateDemoSecrets } from "./demo-secrets.js";

export type ServiceName = "all" | "pricing";

export interface ServeOptions {
  /** Publish the example tariffs when the database has none (always on the embedded database). */
  readonly seed: boolean;
}

const EXAMPLE_TARIFFS = new URL("../../../examples/tariffs/", import.meta.url);

/**
 * `carfare serve`: opens and migrates the database, seeds the demo, starts the services and stops them
 * cleanly on SIGTERM/SIGINT (calls in flight finish within CARFARE_SHUTDOWN_GRACE_MS).
 */
export async function serve(config: CarfareConfig, which: ServiceName, options: ServeOptions): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  const database = await openCarfareDatabase(config, `serve ${which}`);
  let pricing: RunningPricingService | undefined;
  let metricsServer: MetricsServer | undefined;
  const metrics = createMetricsRegistry();
  try {
    await migrateAll(database.handle);

    // Without configured credentials (the one-command demo) generate them and keep them in the data dir.
    const needsDemo = config.adminTokens.isEmpty || config.quoteKeysText === undefined;
    const demo = needsDemo ? await loadOrCreateDemoSecrets(config.dataDir) : undefined;
    const adminTokens =
      config.adminTokens.isEmpty && demo !== undefined
        ? AccessTokens.parse("demo admin token", demo.adminToken)
        : config.adminTokens;
    const quoteKeys = parseQuoteKeys(config.quoteKeysText ?? demo?.quoteKeys ?? "");

    const seeded =
      database.embedded || options.seed ? await seedTariffs(database.handle.db, await exampleTariffs()) : [];

    pricing = await startPricingService({
      db: database.handle.db,
      host: config.host,
      port: config.pricingPort,
      quoteKeys,
      adminTokens,
      serviceTokens: config.serviceTokens,
      logger,
      metrics,
    });
    metricsServer = await startMetricsServer({ host: config.host, port: config.metricsPort, registry: metrics });

    printBanner(
      config,
      database.where,
      pricing,
      metricsServer.port,
      seeded.map((t) => `${t.tariffId} v${t.version} (${t.market})`),
      demo,
    );
  } catch (error) {
    await metricsServer?.close();
    await pricing?.stop(0);
    await database.close();
    throw error;
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal, graceMs: config.shutdownGraceMs }, "stopping: finishing calls in flight");
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await pricing.stop(config.shutdownGraceMs);
  await metricsServer?.close();
  await database.close();
  logger.info("stopped");
  logger.flush();
}

async function exampleTariffs(): Promise<{ name: string; text: string }[]> {
  const files = (await readdir(EXAMPLE_TARIFFS)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  return Promise.all(
    files.map(async (name) => ({ name, text: await readFile(new URL(name, EXAMPLE_TARIFFS), "utf8") })),
  );
}

function printBanner(
  config: CarfareConfig,
  where: string,
  pricing: RunningPricingService,
  metricsPort: number,
  seeded: string[],
  demo: { adminToken: string; created: boolean } | undefined,
): void {
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const address = `${host}:${pricing.port}`;
  const lines = [
    "",
    "carfare is running",
    `  database        ${where}`,
    `  pricing (gRPC)  ${address}     try: grpcurl -plaintext ${address} list`,
    `  metrics         http://${host}:${metricsPort}/metrics`,
    `  tariffs         ${pricing.catalog.tariffIds().join(", ") || "none yet (carfare tariff publish FILE)"}${seeded.length > 0 ? `   (seeded: ${seeded.join(", ")})` : ""}`,
  ];
  if (demo !== undefined) {
    const token = demo.adminToken.slice(demo.adminToken.indexOf(":") + 1);
    lines.push(
      demo.created
        ? `  admin token     ${token}   (generated now and shown once; kept in ${config.dataDir}/admin-token for the CLI)`
        : `  admin token     kept in ${config.dataDir}/admin-token (the CLI reads it from there)`,
    );
  }
  lines.push(
    `  quote           npx carfare quote --market kr --model sonata-dn8 --from 2026-11-28T10:00+09:00 --to 2026-11-29T12:00+09:00 --km 120 --explain`,
    "  stop            Ctrl-C",
    "",
  );
  process.stderr.write(`${lines.join("\n")}\n`);
}

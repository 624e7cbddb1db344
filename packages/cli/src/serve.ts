import { readdir, readFile } from "node:fs/promises";
import { type RunningWaiverService, seedPolicies, startWaiverService } from "@carfare/damage-waiver";
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
import { type DemoSecrets, loadOrCreateDemoSecrets } from "./demo-secrets.js";

export const SERVICES = ["all", "pricing", "waiver"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServeOptions {
  /** Publish the example tariffs and waiver policies when the database has none (always on the embedded one). */
  readonly seed: boolean;
}

const EXAMPLES = new URL("../../../examples/", import.meta.url);

/**
 * `carfare serve`: opens and migrates the database, seeds the demo, starts the services and stops them
 * cleanly on SIGTERM/SIGINT: for CARFARE_SHUTDOWN_DRAIN_MS they report not ready (gRPC health NOT_SERVING,
 * /readyz 503) while still serving, then stop taking requests; those in flight finish within
 * CARFARE_SHUTDOWN_GRACE_MS.
 */
export async function serve(config: CarfareConfig, which: ServiceName, options: ServeOptions): Promise<void> {
  const metrics = createMetricsRegistry();
  const logger = createLogger({
    level: config.logLevel,
    registry: metrics,
    ...(config.slackWebhookUrl === undefined ? {} : { slack: { webhookUrl: config.slackWebhookUrl } }),
  });
  const runPricing = which === "all" || which === "pricing";
  const runWaiver = which === "all" || which === "waiver";
  const database = await openCarfareDatabase(config, `serve ${which}`);
  let pricing: RunningPricingService | undefined;
  let waiver: RunningWaiverService | undefined;
  let metricsServer: MetricsServer | undefined;
  // Listen for the signals before anything is served: a SIGTERM that came before the handlers would kill the
  // process outright (a supervisor may send it as soon as it sees the banner).
  const signalled = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info(
        { signal, drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs },
        "stopping: reporting not ready, then finishing requests in flight",
      );
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  const stopAll = async (graceMs: number, drainMs = 0) => {
    await Promise.all([pricing?.stop(graceMs, drainMs), waiver?.stop(graceMs, drainMs)]);
    await metricsServer?.close();
    await database.close();
  };

  try {
    await migrateAll(database.handle);

    // Without configured credentials (the one-command demo) generate them and keep them in the data dir.
    const needsDemo = config.adminTokens.isEmpty || (runPricing && config.quoteKeysText === undefined);
    const demo = needsDemo ? await loadOrCreateDemoSecrets(config.dataDir) : undefined;
    const adminTokens =
      config.adminTokens.isEmpty && demo !== undefined
        ? AccessTokens.parse("demo admin token", demo.adminToken)
        : config.adminTokens;

    const seed = database.embedded || options.seed;
    const seeded: string[] = [];
    if (runPricing) {
      const tariffs = seed ? await seedTariffs(database.handle.db, await examples("tariffs")) : [];
      seeded.push(...tariffs.map((t) => `tariff ${t.tariffId} v${t.version}`));
      pricing = await startPricingService({
        db: database.handle.db,
        host: config.host,
        port: config.pricingPort,
        quoteKeys: parseQuoteKeys(config.quoteKeysText ?? demo?.quoteKeys ?? ""),
        adminTokens,
        serviceTokens: config.serviceTokens,
        logger,
        metrics,
      });
    }
    if (runWaiver) {
      const policies = seed ? await seedPolicies(database.handle.db, await examples("waiver-policies")) : [];
      seeded.push(...policies.map((p) => `waiver policy ${p.policyId} v${p.version}`));
      waiver = await startWaiverService({
        db: database.handle.db,
        host: config.host,
        port: config.waiverPort,
        adminTokens,
        serviceTokens: config.serviceTokens,
        logger,
        metrics,
      });
    }
    metricsServer = await startMetricsServer({ host: config.host, port: config.metricsPort, registry: metrics });
    printBanner({ config, where: database.where, pricing, waiver, metricsPort: metricsServer.port, seeded, demo });
  } catch (error) {
    await stopAll(0);
    throw error;
  }

  await signalled;
  await stopAll(config.shutdownGraceMs, config.shutdownDrainMs);
  logger.info("stopped");
  logger.flush();
}

/** The example documents of `examples/<folder>/`, in file-name order. */
async function examples(folder: string): Promise<{ name: string; text: string }[]> {
  const dir = new URL(`${folder}/`, EXAMPLES);
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  return Promise.all(files.map(async (name) => ({ name, text: await readFile(new URL(name, dir), "utf8") })));
}

function printBanner(o: {
  config: CarfareConfig;
  where: string;
  pricing: RunningPricingService | undefined;
  waiver: RunningWaiverService | undefined;
  metricsPort: number;
  seeded: string[];
  demo: DemoSecrets | undefined;
}): void {
  const host = o.config.host === "0.0.0.0" || o.config.host === "::" ? "localhost" : o.config.host;
  const lines = ["", "carfare is running", `  database        ${o.where}`];
  if (o.seeded.length > 0) lines.push(`  seeded          ${o.seeded.join(", ")}`);
  if (o.pricing !== undefined) {
    const address = `${host}:${o.pricing.port}`;
    lines.push(
      `  pricing (gRPC)  ${address}     try: grpcurl -plaintext ${address} list`,
      `  tariffs         ${o.pricing.catalog.tariffIds().join(", ") || "none yet (carfare tariff publish FILE)"}`,
    );
  }
  if (o.waiver !== undefined) {
    const url = `http://${host}:${o.waiver.port}`;
    lines.push(
      `  waiver (HTTP)   ${url}     API docs: ${url}/docs`,
      `  policies        ${o.waiver.catalog.policyIds().join(", ") || "none yet (carfare policy publish FILE)"}`,
    );
  }
  lines.push(`  metrics         http://${host}:${o.metricsPort}/metrics`);
  if (o.config.slackWebhookUrl !== undefined)
    lines.push("  error logs      also posted to Slack (CARFARE_SLACK_WEBHOOK_URL)");
  if (o.demo !== undefined) {
    const token = o.demo.adminToken.slice(o.demo.adminToken.indexOf(":") + 1);
    lines.push(
      o.demo.created
        ? `  admin token     ${token}   (generated now and shown once; kept in ${o.config.dataDir}/admin-token for the CLI)`
        : `  admin token     kept in ${o.config.dataDir}/admin-token (the CLI reads it from there)`,
    );
  }
  if (o.pricing !== undefined) {
    lines.push(
      "  quote           npx carfare quote --market kr --model sonata-dn8 --from 2026-11-28T10:00+09:00 --to 2026-11-29T12:00+09:00 --km 120 --explain",
    );
  }
  lines.push("  stop            Ctrl-C", "");
  process.stderr.write(`${lines.join("\n")}\n`);
}

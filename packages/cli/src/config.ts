import { join, resolve } from "node:path";
import { AccessTokens, type Environment, envHttpUrl, envInteger, envOptional, envPort, envString } from "@carfare/kit";

/** The settings of a carfare process (DESIGN.md "Configuration"); every one has an environment variable. */
export interface CarfareConfig {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly host: string;
  readonly pricingPort: number;
  readonly waiverPort: number;
  readonly metricsPort: number;
  readonly adminTokens: AccessTokens;
  readonly serviceTokens: AccessTokens;
  readonly quoteKeysText: string | undefined;
  readonly logLevel: string;
  /** Error-level logs also go to this Slack incoming webhook; a secret, never logged. */
  readonly slackWebhookUrl: string | undefined;
  readonly shutdownGraceMs: number;
  readonly shutdownDrainMs: number;
}

export function loadConfig(env: Environment = process.env): CarfareConfig {
  return {
    databaseUrl: envOptional(env, "DATABASE_URL"),
    dataDir: resolve(envString(env, "CARFARE_DATA_DIR", "./.carfare")),
    host: envString(env, "CARFARE_HOST", "127.0.0.1"),
    pricingPort: envPort(env, "CARFARE_PRICING_PORT", 50051),
    waiverPort: envPort(env, "CARFARE_WAIVER_PORT", 8080),
    metricsPort: envPort(env, "CARFARE_METRICS_PORT", 9464),
    adminTokens: AccessTokens.parse("CARFARE_ADMIN_TOKENS", envOptional(env, "CARFARE_ADMIN_TOKENS")),
    serviceTokens: AccessTokens.parse("CARFARE_SERVICE_TOKENS", envOptional(env, "CARFARE_SERVICE_TOKENS")),
    quoteKeysText: envOptional(env, "CARFARE_QUOTE_KEYS"),
    logLevel: envString(env, "LOG_LEVEL", "info"),
    slackWebhookUrl: envHttpUrl(env, "CARFARE_SLACK_WEBHOOK_URL"),
    shutdownGraceMs: envInteger(env, "CARFARE_SHUTDOWN_GRACE_MS", 10_000),
    shutdownDrainMs: envInteger(env, "CARFARE_SHUTDOWN_DRAIN_MS", 0),
  };
}

/** Where the embedded database lives inside the data directory. */
export function embeddedDatabaseDir(config: CarfareConfig): string {
  return join(config.dataDir, "db");
}

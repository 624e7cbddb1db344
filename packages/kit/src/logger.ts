import pino, { type Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { createSlackErrorAlerts, type SlackErrorAlertsOptions } from "./slack-error-alerts.js";

export type { Logger } from "pino";

/**
 * The process logger: JSON lines on stdout (what Fluent Bit and Loki expect). Anything that could hold a
 * credential is redacted by path, so a careless `log.info({ headers })` cannot leak a token. Errors are
 * logged under `err` with their cause chain. With a `registry`, every line written is counted in
 * `log_messages_total{level}` (trace … fatal), which the error-rate alert watches.
 *
 * With `slack`, error and fatal lines are also posted to a Slack webhook (deduplicated, rate-limited, never
 * blocking: see `createSlackErrorAlerts`). They are taken after serialization, so redaction applies to them.
 * Without it, lines go straight to the destination as before.
 */
export function createLogger(
  options: {
    level?: string;
    name?: string;
    destination?: pino.DestinationStream;
    registry?: Registry;
    slack?: SlackErrorAlertsOptions;
  } = {},
): Logger {
  const count = options.registry === undefined ? undefined : logLineCounter(options.registry);
  const destination = options.destination ?? pino.destination({ sync: false });
  let logger: Logger | undefined;
  const stream =
    options.slack === undefined
      ? destination
      : withErrorsToSlack(
          destination,
          createSlackErrorAlerts({
            ...(options.registry === undefined ? {} : { registry: options.registry }),
            // warn, not error: the alerts' own troubles must not be posted to Slack by the alerts.
            report: (problem) => logger?.warn(problem),
            ...options.slack,
          }),
        );
  logger = pino(
    {
      name: options.name ?? "carfare",
      level: options.level ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          "headers.cookie",
          "*.headers.cookie",
          "quoteKeys",
          "*.quoteKeys",
          "adminTokens",
          "*.adminTokens",
          "serviceTokens",
          "*.serviceTokens",
          "token",
          "*.token",
          "secret",
          "*.secret",
          "password",
          "*.password",
        ],
        censor: "[redacted]",
      },
      serializers: { err: pino.stdSerializers.errWithCause },
      ...(count === undefined
        ? {}
        : {
            hooks: {
              // Called only for lines at an enabled level, i.e. lines that are written.
              logMethod(args, method, level) {
                count(level);
                method.apply(this, args);
              },
            },
          }),
    },
    stream,
  );
  return logger;
}

/** Every line to `destination`, error and fatal lines also to `alerts`. */
function withErrorsToSlack(
  destination: pino.DestinationStream,
  alerts: { write(line: string): void },
): pino.DestinationStream {
  const streams = pino.multistream([
    { level: 0, stream: destination },
    { level: pino.levels.values.error as number, stream: alerts },
  ]);
  // multistream has no flush(cb), so logger.flush() would otherwise stop flushing stdout at shutdown.
  const flush = (callback: (error?: Error) => void) => {
    const target = destination as { flush?: (cb: (error?: Error) => void) => void };
    if (typeof target.flush === "function") target.flush(callback);
    else callback();
  };
  return Object.assign(streams, { flush });
}

/** `log_messages_total{level}`, its series made up front (at 0) for each pino level. */
function logLineCounter(registry: Registry): (level: number) => void {
  const existing = registry.getSingleMetric("log_messages_total") as Counter<"level"> | undefined;
  const counter =
    existing ??
    new Counter({
      name: "log_messages_total",
      help: "Log lines written, by level (trace, debug, info, warn, error, fatal).",
      labelNames: ["level"],
      registers: [registry],
    });
  const byLevel = new Map<number, { inc(): void }>();
  for (const [label, value] of Object.entries(pino.levels.values)) {
    counter.inc({ level: label }, 0);
    byLevel.set(value, counter.labels({ level: label }));
  }
  return (level) => byLevel.get(level)?.inc();
}

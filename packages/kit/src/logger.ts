import pino, { type Logger } from "pino";
import { Counter, type Registry } from "prom-client";

export type { Logger } from "pino";

/**
 * The process logger: JSON lines on stdout (what Fluent Bit and Loki expect). Anything that could hold a
 * credential is redacted by path, so a careless `log.info({ headers })` cannot leak a token. Errors are
 * logged under `err` with their cause chain. With a `registry`, every line written is counted in
 * `log_messages_total{level}` (trace … fatal), which the error-rate alert watches.
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream; registry?: Registry } = {},
): Logger {
  const count = options.registry === undefined ? undefined : logLineCounter(options.registry);
  return pino(
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
    options.destination ?? pino.destination({ sync: false }),
  );
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

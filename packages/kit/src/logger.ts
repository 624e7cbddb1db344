import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/**
 * The process logger: JSON lines on stdout (what Fluent Bit and Loki expect). Anything that could hold a
 * credential is redacted by path, so a careless `log.info({ headers })` cannot leak a token.
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
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
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

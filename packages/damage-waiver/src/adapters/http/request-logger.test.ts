import { createLogger, type Logger } from "@carfare/kit";
import type { FastifyBaseLogger } from "fastify";
import { describe, expect, it } from "vitest";
import { requestLogger } from "./request-logger.js";

/**
 * A service logger (kit's, redaction included) writing into `lines`, seen through a parent that counts the
 * children made of it (what Fastify hands the factory is such a pino logger).
 */
function serviceLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger: Logger = createLogger({
    level,
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  }).child({ service: "damage-waiver" });
  let children = 0;
  const parent = Object.assign(Object.create(logger) as Logger, {
    child: (...args: Parameters<Logger["child"]>) => {
      children++;
      return logger.child(...args);
    },
  });
  return { logger: parent as unknown as FastifyBaseLogger, lines, children: () => children };
}

describe("requestLogger", () => {
  it("makes no child logger for a request that writes nothing at an enabled level", () => {
    const service = serviceLogger("info");
    const log = requestLogger(service.logger, { request_id: "r-1" });

    log.debug({ route: "/v1/waiver-quotes" }, "http request");
    log.trace("nothing");

    expect(service.children()).toBe(0);
    expect(service.lines).toEqual([]);
  });

  it("writes every line of the request with its request id, exactly as pino's own child does", () => {
    const lazy = serviceLogger("debug");
    const eager = serviceLogger("debug");
    const log = requestLogger(lazy.logger, { request_id: "r-2" });
    const child = eager.logger.child({ request_id: "r-2" });

    for (const target of [log, child]) {
      target.debug({ route: "/v1/waiver-quotes", status_code: 200 }, "http request");
      target.info("refused %s", "twice");
      target.warn({ authorization: "Bearer secret" }, "redacted");
      target.error({ err: new Error("boom") }, "request failed unexpectedly");
    }

    const withoutTime = (lines: Record<string, unknown>[]) =>
      lines.map(({ time: _time, err, ...line }) => ({ ...line, err: (err as { message?: string })?.message }));
    expect(withoutTime(lazy.lines)).toEqual(withoutTime(eager.lines));
    expect(lazy.lines.map((line) => line.request_id)).toEqual(["r-2", "r-2", "r-2", "r-2"]);
    expect(lazy.lines[2]?.authorization).toBe("[redacted]");
    expect(lazy.children()).toBe(1);
  });

  it("reports the level of the service logger, and its children carry the request id too", () => {
    const service = serviceLogger("info");
    const log = requestLogger(service.logger, { request_id: "r-3" }) as FastifyBaseLogger & {
      isLevelEnabled(level: string): boolean;
      bindings(): Record<string, unknown>;
    };

    expect(log.level).toBe("info");
    expect(log.isLevelEnabled("debug")).toBe(false);
    expect(log.isLevelEnabled("info")).toBe(true);
    log.child({ step: "refresh" }).info("from a child");

    expect(service.lines[0]).toMatchObject({ request_id: "r-3", step: "refresh", msg: "from a child" });
    expect(log.bindings()).toMatchObject({ request_id: "r-3" });
  });

  it("makes the child at once when the route asks for a level of its own", () => {
    const service = serviceLogger("info");
    const log = requestLogger(service.logger, { request_id: "r-4" }, { level: "debug" });

    log.debug("written at the route's level");

    expect(service.children()).toBe(1);
    expect(service.lines[0]).toMatchObject({ request_id: "r-4", level: 20 });
  });
});

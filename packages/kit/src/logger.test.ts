import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

function captured(level = "debug", registry?: Registry) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    ...(registry === undefined ? {} : { registry }),
  });
  return { logger, lines };
}

describe("createLogger", () => {
  it("counts every line written in log_messages_total by level, children's lines included", async () => {
    const registry = new Registry();
    const { logger } = captured("info", registry);
    logger.info("one");
    logger.child({ service: "pricing" }).error("two");
    logger.debug("not written at info, not counted");

    const text = await registry.metrics();
    expect(text).toContain('log_messages_total{level="info"} 1');
    expect(text).toContain('log_messages_total{level="error"} 1');
    expect(text).toContain('log_messages_total{level="debug"} 0');
    expect(text).toContain('log_messages_total{level="fatal"} 0');
  });

  it("redacts credentials wherever a careless caller puts them", () => {
    const { logger, lines } = captured();
    logger.info({
      token: "t-1",
      quote: { token: "t-2" },
      req: { headers: { authorization: "Bearer t-3", cookie: "s=t-4" } },
      config: { quoteKeys: "k1:t-5", adminTokens: "ops:t-6" },
    });
    const text = JSON.stringify(lines);
    for (const secret of ["t-1", "t-2", "t-3", "t-4", "t-5", "t-6"]) expect(text).not.toContain(secret);
  });

  it("logs an error with its cause chain", () => {
    const { logger, lines } = captured();
    logger.error({ err: new Error("publish failed", { cause: new Error("connection refused") }) }, "boom");
    expect(JSON.stringify(lines[0])).toContain("connection refused");
  });
});

describe("createLogger with a Slack webhook", () => {
  it("without one, writes straight to its destination, as it always has", () => {
    const destination = { write: (_line: string) => undefined };
    const logger = createLogger({ destination });
    expect((logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym]).toBe(destination);
  });

  it("with one, still writes every line to its destination, and logger.flush() still flushes it", () => {
    const lines: string[] = [];
    let flushed = 0;
    const destination = {
      write: (line: string) => void lines.push(line),
      flush: (callback: () => void) => {
        flushed += 1;
        callback();
      },
    };
    const logger = createLogger({ level: "debug", destination, slack: { webhookUrl: "http://127.0.0.1:9/hook" } });
    logger.debug("one");
    logger.info("two");
    logger.warn("three");
    logger.flush();
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(["one", "two", "three"]);
    expect(flushed).toBe(1);
  });
});

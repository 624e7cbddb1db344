import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, type Logger } from "./logger.js";
import {
  type AlertClock,
  createSlackErrorAlerts,
  retryAfterMs,
  type SlackErrorAlerts,
  type SlackErrorAlertsOptions,
} from "./slack-error-alerts.js";

/** Time that moves only when a test says so; its timers run in order as it passes them. */
function manualClock(start = Date.parse("2026-05-01T00:00:00Z")) {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  /** Runs the earliest timer due by `until` and says whether there was one; else moves to `until`. */
  const step = (until: number): boolean => {
    let due: [number, { at: number; run: () => void }] | undefined;
    for (const entry of timers) if (entry[1].at <= until && (due === undefined || entry[1].at < due[1].at)) due = entry;
    if (due === undefined) {
      now = Math.max(now, until);
      return false;
    }
    timers.delete(due[0]);
    now = Math.max(now, due[1].at);
    due[1].run();
    return true;
  };
  const clock = {
    now: () => now,
    setTimeout(run: () => void, ms: number) {
      nextId += 1;
      timers.set(nextId, { at: now + ms, run });
      return nextId;
    },
    clearTimeout(handle: unknown) {
      timers.delete(handle as number);
    },
    step,
    /** Moves time on at once: a post in flight meanwhile sees its timeout pass too. */
    advance(ms: number) {
      const until = now + ms;
      while (step(until));
    },
  };
  return clock satisfies AlertClock;
}

type Answer = "ok" | "hang" | { status: number; headers?: Record<string, string> };

/** A local HTTP server standing in for Slack's webhook: it records every post and answers as told. */
async function startSlack(clock: AlertClock) {
  const posts: { body: string; text: string; at: number; path: string }[] = [];
  const answers: Answer[] = [];
  let otherwise: Answer = "ok";
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      posts.push({ body, text: (JSON.parse(body) as { text: string }).text, at: clock.now(), path: request.url ?? "" });
      const answer = answers.shift() ?? otherwise;
      if (answer === "hang") return;
      const { status, headers } = answer === "ok" ? { status: 200, headers: {} } : answer;
      response.writeHead(status, { "content-type": "text/plain", ...headers }).end(status === 200 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/s3cr3t-webhook-path`,
    posts,
    /** Answers for the next posts, in order; then `otherwise`. */
    answerNext: (...next: Answer[]) => answers.push(...next),
    answerAlways: (answer: Answer) => {
      otherwise = answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A logger whose error lines go to a stand-in Slack, its stdout captured, on manual time. */
async function setup(tuning: Partial<SlackErrorAlertsOptions> = {}, registry?: Registry) {
  const clock = manualClock();
  const slack = await startSlack(clock);
  cleanups.push(slack.close);
  const stdout: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: { write: (line: string) => void stdout.push(line) },
    ...(registry === undefined ? {} : { registry }),
    slack: { webhookUrl: slack.url, source: "pod-1", clock, ...tuning },
  });
  const alerts = alertsOf(logger);
  // Not awaited: a post hanging on a failed test ends when the stand-in closes its connections, just after.
  cleanups.push(async () => void alerts.close());
  return {
    clock,
    slack,
    logger,
    alerts,
    stdout,
    /** What the alerts said about themselves: warn lines on stdout. */
    reports: () =>
      stdout
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .flatMap((l) => (l.level === 40 ? [l.msg] : [])),
    /** Lets time pass, waiting after each timer for the post it started (if any) to be answered. */
    async pass(ms: number) {
      const until = clock.now() + ms;
      while (clock.step(until)) await alerts.settled();
    },
  };
}

/** The alerts behind a logger made with `slack`: a stream of its multistream. */
function alertsOf(logger: Logger): SlackErrorAlerts {
  const stream = (logger as unknown as Record<symbol, { streams: { stream: unknown }[] }>)[pino.symbols.streamSym];
  const found = stream?.streams.find((s) => typeof (s.stream as SlackErrorAlerts).settled === "function");
  if (found === undefined) throw new Error("no Slack alerts behind this logger");
  return found.stream as SlackErrorAlerts;
}

describe("Slack error alerts", () => {
  it("posts error lines to the webhook, later and off the logging call, and nothing below error", async () => {
    const { logger, slack, stdout, pass } = await setup();
    logger.info("an info line");
    logger.warn("a warning");
    logger.error({ err: new Error("connection refused") }, "catalog refresh failed");
    logger.fatal("cannot start");
    expect(slack.posts).toHaveLength(0);
    expect(stdout).toHaveLength(4);

    await pass(300);
    expect(slack.posts).toHaveLength(1);
    const [post] = slack.posts;
    expect(post?.path).toBe("/services/T000/B000/s3cr3t-webhook-path");
    expect(post?.text).toContain("*ERROR* carfare on pod-1 at 2026-");
    expect(post?.text).toContain("> catalog refresh failed (Error: connection refused)");
    expect(post?.text).toContain("*FATAL* carfare on pod-1");
    expect(post?.text).not.toContain("an info line");
    expect(post?.text).not.toContain("a warning");
  });

  it("posts a repeated error once per window and sums the repeats up when the window ends", async () => {
    const { logger, slack, pass, alerts } = await setup();
    for (let i = 0; i < 9; i++)
      logger.error({ err: new Error("connection refused"), request_id: `r-${i}` }, "writing quotes failed");
    for (let i = 0; i < 4; i++) logger.error({ request_id: `p-${i}` }, "publish failed");
    logger.error("disk full");
    logger.error("disk full");

    await pass(300);
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]?.text.match(/\*ERROR\*/g)).toHaveLength(3);

    await pass(30_000);
    expect(slack.posts).toHaveLength(1);
    await pass(30_000);
    expect(slack.posts).toHaveLength(2);
    expect(slack.posts[1]?.text).toContain(
      "12 more error lines suppressed in the last 60 s, 3 distinct: " +
        "`writing quotes failed (Error: connection refused)` ×8, `publish failed` ×3, `disk full` ×1.",
    );
    expect(alerts.stats().suppressedLines).toBe(12);
  });

  it("posts an error again once its window is over, when it is still happening", async () => {
    const { logger, slack, pass } = await setup();
    logger.error("disk full");
    await pass(300);
    logger.error("disk full");
    await pass(10_000);
    expect(slack.posts).toHaveLength(1);

    await pass(60_000);
    expect(slack.posts).toHaveLength(2); // the summary: 1 suppressed
    logger.error("disk full");
    await pass(300);
    expect(slack.posts).toHaveLength(3);
    expect(slack.posts[2]?.text).toContain("> disk full");
  });

  it("sends at most one message a second, putting what came meanwhile into the next one", async () => {
    const { logger, slack, pass } = await setup();
    for (let i = 0; i < 50; i++) {
      logger.error(`failure ${i}`);
      await pass(100);
    }
    for (let i = 0; i < 5; i++) await pass(1_000);

    const gaps = slack.posts.slice(1).map((p, i) => p.at - (slack.posts[i]?.at ?? 0));
    expect(gaps.every((gap) => gap >= 1_000)).toBe(true);
    expect(slack.posts).toHaveLength(6); // 5 s of errors, the first after 250 ms of coalescing
    const all = slack.posts.map((p) => p.text).join("\n");
    for (let i = 0; i < 50; i++) expect(all).toMatch(new RegExp(`failure ${i}\\b`));
  });

  it("coalesces a burst of distinct errors into one message: five in full, the rest by name", async () => {
    const { logger, slack, pass } = await setup();
    for (let i = 0; i < 20; i++) logger.error(`failure ${i}`);
    await pass(300);
    await pass(5_000);
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]?.text.match(/\*ERROR\*/g)).toHaveLength(5);
    expect(slack.posts[0]?.text).toContain("Also new: `failure 5`, `failure 6`");
    expect(slack.posts[0]?.text).toContain("`failure 19`.");
  });

  it("on HTTP 429 sends nothing before Retry-After has passed, then posts what it held back", async () => {
    const { logger, slack, pass, reports, alerts } = await setup();
    slack.answerNext({ status: 429, headers: { "retry-after": "30" } });
    logger.error("first");
    await pass(300);
    expect(slack.posts).toHaveLength(1);
    logger.error("second");
    await pass(29_900); // the 429 came at 250 ms
    expect(slack.posts).toHaveLength(1);

    await pass(100);
    expect(slack.posts).toHaveLength(2);
    expect((slack.posts[1]?.at ?? 0) - (slack.posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(30_000);
    expect(slack.posts[1]?.text).toContain("> first");
    expect(slack.posts[1]?.text).toContain("> second");
    expect(alerts.stats().rateLimited).toBe(1);
    expect(reports()).toContain("Slack error alerts: Slack asked to wait 30 s (HTTP 429)");
  });

  it("when Slack answers 500, backs off, says once that posting fails, and lists what was lost", async () => {
    const registry = new Registry();
    const { logger, slack, pass, reports } = await setup({}, registry);
    slack.answerNext({ status: 500 }, { status: 500 });
    logger.error("boom");
    await pass(300);
    logger.error("second");
    await pass(1_000);
    expect(slack.posts).toHaveLength(1); // backed off for 2 s after the failure
    await pass(1_000);
    expect(slack.posts).toHaveLength(2);
    logger.error("third");
    await pass(3_000);
    expect(slack.posts).toHaveLength(2); // 4 s after the second failure
    await pass(1_000);
    expect(slack.posts).toHaveLength(3);
    expect(slack.posts[2]?.text).toContain("> third");

    await pass(60_000);
    expect(slack.posts[3]?.text).toContain("2 posts to Slack failed (last: HTTP 500); not posted: `boom`, `second`.");
    expect(reports()).toEqual([
      "Slack error alerts: posting failed (HTTP 500); backing off, the error lines are in these logs",
      "Slack error alerts: posting works again after 2 failed posts",
    ]);
    // The alerts' reports are warn lines, so they are not posted themselves.
    expect(slack.posts.some((p) => p.text.includes("posting failed"))).toBe(false);
    const metrics = await registry.metrics();
    expect(metrics).toContain('log_slack_posts_total{result="failed"} 2');
    expect(metrics).toContain('log_slack_posts_total{result="posted"} 2');
    expect(metrics).toContain('log_slack_lines_dropped_total{reason="post_failed"} 2');
  });

  it("when Slack hangs, aborts the post after the timeout while logging stays fast and memory bounded", async () => {
    const { logger, slack, clock, reports, alerts } = await setup({ timeoutMs: 5_000, maxQueuedLines: 1_000 });
    slack.answerAlways("hang");
    logger.error("first");
    clock.advance(300);
    await vi.waitFor(() => expect(slack.posts).toHaveLength(1));

    const started = performance.now();
    for (let i = 0; i < 5_000; i++) logger.error({ err: new Error("still down") }, `storm ${i}`);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2_000); // well under a millisecond a line, even on a busy machine
    expect(alerts.stats()).toMatchObject({ queuedLines: 1_000, droppedLines: 4_000 });

    clock.advance(5_000);
    await alerts.settled();
    expect(alerts.stats().failed).toBe(1);
    expect(reports()[0]).toContain("posting failed (no answer within 5000 ms)");
  });

  it("when Slack refuses connections, nothing escapes into the app and the webhook URL is never logged", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    cleanups.push(async () => void process.off("unhandledRejection", onUnhandled));
    const { logger, slack, pass, stdout, reports, alerts } = await setup();
    await slack.close();

    logger.error({ err: new Error("x") }, "boom");
    await pass(300);
    logger.error("after the failure, logging goes on");
    await pass(5_000);

    expect(alerts.stats().failed).toBe(2);
    expect(reports()[0]).toContain("posting failed (ECONNREFUSED)");
    expect(stdout.join("\n")).not.toContain("s3cr3t");
    expect(unhandled).toEqual([]);
  });

  it("posts lines after the logger's redaction: no token reaches Slack", async () => {
    const { logger, slack, pass } = await setup();
    logger.error(
      {
        token: "tok-one",
        req: { headers: { authorization: "Bearer tok-two", cookie: "s=tok-three" } },
        config: { adminTokens: "ops:tok-four", quoteKeys: "k1:tok-five" },
        err: new Error("publish failed"),
      },
      "publishing failed",
    );
    await pass(300);
    expect(slack.posts).toHaveLength(1);
    const body = slack.posts[0]?.body ?? "";
    for (const secret of ["tok-one", "tok-two", "tok-three", "tok-four", "tok-five"])
      expect(body).not.toContain(secret);
    expect(body).toContain("[redacted]");
    expect(body).toContain("publishing failed");
  });

  it("queues a huge line cut down to what the message shows", async () => {
    const { logger, slack, pass } = await setup();
    logger.error({ err: new Error("too big"), details: "x".repeat(1_000_000) }, "import failed");
    await pass(300);
    expect(slack.posts[0]?.text).toContain("> import failed (Error: too big)");
    expect(slack.posts[0]?.body.length).toBeLessThan(4_000);
  });

  it("keeps at most maxDistinct errors per window and counts the rest as others", async () => {
    const { logger, slack, pass } = await setup({ maxDistinct: 10 });
    for (let i = 0; i < 50; i++) logger.error(`failure ${i}`);
    await pass(300);
    await pass(60_000);
    expect(slack.posts).toHaveLength(2);
    expect(slack.posts[0]?.text).toContain("`failure 9`");
    expect(slack.posts[0]?.text).not.toContain("failure 10");
    expect(slack.posts[1]?.text).toContain(
      "40 more error lines suppressed in the last 60 s, 1 distinct: others (beyond 10 distinct) ×40.",
    );
  });

  it("survives what it cannot read and a report that throws", async () => {
    const clock = manualClock();
    const slack = await startSlack(clock);
    cleanups.push(slack.close);
    slack.answerAlways({ status: 500 });
    const alerts = createSlackErrorAlerts({
      webhookUrl: slack.url,
      clock,
      report: () => {
        throw new Error("the report broke");
      },
    });
    cleanups.push(alerts.close);
    alerts.write("not json at all\n");
    alerts.write('{"level":50,"msg":');
    clock.advance(300);
    await alerts.settled();
    expect(slack.posts[0]?.text).toContain("> not json at all");
    expect(alerts.stats().failed).toBe(1);
  });

  it("after close, reads and posts nothing more", async () => {
    const clock = manualClock();
    const slack = await startSlack(clock);
    cleanups.push(slack.close);
    const alerts = createSlackErrorAlerts({ webhookUrl: slack.url, clock });
    alerts.write('{"level":50,"msg":"boom"}\n');
    await alerts.close();
    alerts.write('{"level":50,"msg":"boom again"}\n');
    clock.advance(10_000);
    await alerts.settled();
    expect(slack.posts).toHaveLength(0);
  });

  it("refuses a webhook URL that is not http(s) without repeating it", () => {
    expect(() => createSlackErrorAlerts({ webhookUrl: "ftp://hooks.example/s3cr3t" })).toThrow(/http/);
    expect(() => createSlackErrorAlerts({ webhookUrl: "hooks.example/s3cr3t" })).toThrow(/not a URL/);
    expect(() => createSlackErrorAlerts({ webhookUrl: "hooks.example/s3cr3t" })).not.toThrow(/s3cr3t/);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-05-01T00:00:00Z");
  it("reads seconds or an HTTP date, waits 30 s when it cannot, and never more than an hour", () => {
    expect(retryAfterMs("12", now)).toBe(12_000);
    expect(retryAfterMs("Fri, 01 May 2026 00:00:45 GMT", now)).toBe(45_000);
    expect(retryAfterMs(null, now)).toBe(30_000);
    expect(retryAfterMs("soon", now)).toBe(30_000);
    expect(retryAfterMs("999999", now)).toBe(3_600_000);
  });
});

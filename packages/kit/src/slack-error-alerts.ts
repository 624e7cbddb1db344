import { hostname } from "node:os";
import { Counter, type Registry } from "prom-client";

/** The time source of the alerts. Tests pass a manual clock; production uses {@link systemAlertClock}. */
export interface AlertClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time; its timers are unref'd so that a pending alert never keeps a finished process alive. */
export const systemAlertClock: AlertClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SlackErrorAlertsOptions {
  /** The incoming-webhook URL. A secret: it is never logged, not even in error messages. */
  readonly webhookUrl: string;
  /** Who is speaking, shown in every message. Default: the host name (the pod name on Kubernetes). */
  readonly source?: string;
  /** Within a window each distinct error is posted once; its repeats are counted and summed up at the end. */
  readonly windowMs?: number;
  /** Slack allows about one message a second per webhook. */
  readonly minIntervalMs?: number;
  /** How long the first line of a burst waits, so that the rest of the burst goes in the same message. */
  readonly coalesceMs?: number;
  /** A post without an answer within this time is aborted and counted as failed. */
  readonly timeoutMs?: number;
  /** Lines waiting to be read; beyond it lines are dropped and counted. */
  readonly maxQueuedLines?: number;
  /** Distinct errors remembered per window (and waiting to be posted); the rest are counted as "others". */
  readonly maxDistinct?: number;
  /** New errors shown in full in one message; up to 20 more are listed by their message only. */
  readonly maxErrorsPerMessage?: number;
  readonly clock?: AlertClock;
  /** Where the alerts' own troubles go (Slack refusing, rate limits). Called rarely: on changes only. */
  readonly report?: (problem: string) => void;
  /** With a registry: `log_slack_posts_total{result}` and `log_slack_lines_dropped_total{reason}`. */
  readonly registry?: Registry;
}

export interface SlackErrorAlertStats {
  /** Lines written and not yet read. */
  readonly queuedLines: number;
  readonly posted: number;
  readonly rateLimited: number;
  readonly failed: number;
  /** Lines dropped because the queue was full. */
  readonly droppedLines: number;
  /** Repeats of an error already posted in its window (they are in the summaries). */
  readonly suppressedLines: number;
}

/**
 * A pino destination for error-level lines that posts them to a Slack incoming webhook. `write` only queues
 * the line (bounded); reading, deduplicating and posting happen later on timers, one post at a time, at most
 * one a second, each with a timeout. Nothing it does can throw into the caller or keep the process alive.
 */
export interface SlackErrorAlerts {
  write(line: string): void;
  stats(): SlackErrorAlertStats;
  /** Resolves when no post is in flight (a post is bounded by `timeoutMs`). */
  settled(): Promise<void>;
  /** Stops reading and posting; a post in flight finishes or times out. */
  close(): Promise<void>;
}

interface ErrorGroup {
  readonly label: string;
  repeats: number;
}

interface Window {
  readonly start: number;
  readonly groups: Map<string, ErrorGroup>;
  /** Lines of errors beyond `maxDistinct`, counted but not told apart. */
  others: number;
}

interface PendingError {
  readonly label: string;
  readonly text: string;
}

interface Message {
  readonly errors: PendingError[];
  readonly summary: string | undefined;
}

type Outcome = { kind: "posted" } | { kind: "rate_limited"; waitMs: number } | { kind: "failed"; why: string };

const HOUR_MS = 3_600_000;
/** Longer lines are cut down before they are queued, so the queue's memory is bounded in bytes too. */
const MAX_QUEUED_LINE_CHARS = 8_192;
const MAX_LISTED_PER_MESSAGE = 20;

export function createSlackErrorAlerts(options: SlackErrorAlertsOptions): SlackErrorAlerts {
  const url = webhookUrl(options.webhookUrl);
  const clock = options.clock ?? systemAlertClock;
  const source = options.source ?? hostname();
  const windowMs = options.windowMs ?? 60_000;
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const coalesceMs = options.coalesceMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxQueuedLines = options.maxQueuedLines ?? 1_000;
  const maxDistinct = options.maxDistinct ?? 100;
  const maxErrorsPerMessage = options.maxErrorsPerMessage ?? 5;
  const metrics = options.registry === undefined ? undefined : slackMetrics(options.registry);

  let queued: string[] = [];
  let window: Window | undefined;
  let toPost: PendingError[] = [];
  let summaryDue: string | undefined;
  // Since the last summary: lines dropped unread, posts that failed and what they would have said.
  let dropped = 0;
  let failures = { posts: 0, lastWhy: "", lost: [] as string[], lostCount: 0 };
  let consecutiveFailures = 0;
  let nextSendAt = 0;
  let inFlight: Promise<void> | undefined;
  let timer: { handle: unknown; at: number } | undefined;
  let closed = false;
  const totals = { posted: 0, rateLimited: 0, failed: 0, droppedLines: 0, suppressedLines: 0 };

  const report = (problem: string) => {
    try {
      options.report?.(problem);
    } catch {
      // The report is advice; losing it must not stop the alerts.
    }
  };

  function wakeAt(at: number): void {
    if (closed || (timer !== undefined && timer.at <= at)) return;
    if (timer !== undefined) clock.clearTimeout(timer.handle);
    timer = { at, handle: clock.setTimeout(pump, Math.max(0, at - clock.now())) };
  }

  function pump(): void {
    timer = undefined;
    if (closed) return;
    try {
      const now = clock.now();
      closeWindowIfOver(now);
      readQueued(now);
      if (inFlight !== undefined) return; // its completion pumps again
      const hasSomething = toPost.length > 0 || summaryDue !== undefined;
      if (hasSomething && now >= nextSendAt) {
        send(takeMessage(), now);
        return;
      }
      if (hasSomething) wakeAt(nextSendAt);
      if (window !== undefined && needsSummary(window)) wakeAt(window.start + windowMs);
    } catch (error) {
      report(`Slack error alerts: internal failure (${describeFailure(error)}); alerts may be missing`);
    }
  }

  function needsSummary(w: Window): boolean {
    return w.others > 0 || [...w.groups.values()].some((g) => g.repeats > 0) || dropped > 0 || failures.posts > 0;
  }

  function closeWindowIfOver(now: number): void {
    if (window === undefined || now < window.start + windowMs) return;
    const text = needsSummary(window) ? summarize(window, now) : undefined;
    window = undefined;
    dropped = 0;
    failures = { posts: 0, lastWhy: "", lost: [], lostCount: 0 };
    if (text !== undefined) summaryDue = summaryDue === undefined ? text : `${summaryDue}\n${text}`;
  }

  function summarize(w: Window, now: number): string {
    const seconds = Math.round((now - w.start) / 1000);
    const repeated = [...w.groups.values()].filter((g) => g.repeats > 0).sort((a, b) => b.repeats - a.repeats);
    const suppressed = repeated.reduce((n, g) => n + g.repeats, 0) + w.others;
    const parts: string[] = [];
    if (suppressed > 0) {
      const distinct = repeated.length + (w.others > 0 ? 1 : 0);
      const listed = repeated.slice(0, 5).map((g) => `\`${g.label}\` ×${g.repeats}`);
      if (repeated.length > 5) listed.push(`${repeated.length - 5} more`);
      if (w.others > 0) listed.push(`others (beyond ${maxDistinct} distinct) ×${w.others}`);
      parts.push(
        `${suppressed} more error ${plural(suppressed, "line")} suppressed in the last ${seconds} s, ` +
          `${distinct} distinct: ${listed.join(", ")}.`,
      );
    }
    if (dropped > 0)
      parts.push(`${dropped} error ${plural(dropped, "line")} dropped unread (more than ${maxQueuedLines} waiting).`);
    if (failures.posts > 0) {
      const lost = failures.lost.map((label) => `\`${label}\``);
      if (failures.lostCount > lost.length) lost.push(`${failures.lostCount - lost.length} more`);
      parts.push(
        `${failures.posts} ${plural(failures.posts, "post")} to Slack failed (last: ${failures.lastWhy})` +
          (lost.length > 0 ? `; not posted: ${lost.join(", ")}.` : "."),
      );
    }
    return `*Summary* from ${mrkdwn(source)}: ${parts.join(" ")} Every line is in the service's logs.`;
  }

  function readQueued(now: number): void {
    if (queued.length === 0) return;
    const lines = queued;
    queued = [];
    for (const line of lines) {
      window ??= { start: now, groups: new Map(), others: 0 };
      const entry = describeLine(line, source);
      const group = window.groups.get(entry.fingerprint);
      if (group !== undefined) {
        group.repeats += 1;
        totals.suppressedLines += 1;
      } else if (window.groups.size >= maxDistinct || toPost.length >= maxDistinct) {
        window.others += 1;
        totals.suppressedLines += 1;
      } else {
        window.groups.set(entry.fingerprint, { label: entry.label, repeats: 0 });
        toPost.push({ label: entry.label, text: entry.text });
      }
    }
  }

  function takeMessage(): Message {
    const errors = toPost.slice(0, maxErrorsPerMessage + MAX_LISTED_PER_MESSAGE);
    toPost = toPost.slice(errors.length);
    const summary = summaryDue;
    summaryDue = undefined;
    return { errors, summary };
  }

  function send(message: Message, startedAt: number): void {
    const parts = message.errors.slice(0, maxErrorsPerMessage).map((e) => e.text);
    const listed = message.errors.slice(maxErrorsPerMessage).map((e) => `\`${e.label}\``);
    if (listed.length > 0) parts.push(`Also new: ${listed.join(", ")}.`);
    if (message.summary !== undefined) parts.push(message.summary);
    if (toPost.length > 0) parts.push(`_${toPost.length} more new ${plural(toPost.length, "error")} follow._`);
    nextSendAt = startedAt + minIntervalMs;
    inFlight = post(parts.join("\n\n"))
      .then((outcome) => settle(message, outcome))
      .catch((error) =>
        report(`Slack error alerts: internal failure (${describeFailure(error)}); alerts may be missing`),
      )
      .finally(() => {
        inFlight = undefined;
        pump();
      });
  }

  async function post(text: string): Promise<Outcome> {
    const abort = new AbortController();
    let timedOut = false;
    const timeout = clock.setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
        signal: abort.signal,
      });
      const retryAfter = response.headers.get("retry-after");
      // The answer's body is not needed; cancelling it frees the connection.
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { kind: "posted" };
      if (response.status === 429) return { kind: "rate_limited", waitMs: retryAfterMs(retryAfter, clock.now()) };
      return { kind: "failed", why: `HTTP ${response.status}` };
    } catch (error) {
      return { kind: "failed", why: timedOut ? `no answer within ${timeoutMs} ms` : describeFailure(error) };
    } finally {
      clock.clearTimeout(timeout);
    }
  }

  function settle(message: Message, outcome: Outcome): void {
    const now = clock.now();
    metrics?.posts(outcome.kind);
    if (outcome.kind === "posted") {
      totals.posted += 1;
      if (consecutiveFailures > 0)
        report(`Slack error alerts: posting works again after ${consecutiveFailures} failed posts`);
      consecutiveFailures = 0;
      return;
    }
    if (outcome.kind === "rate_limited") {
      // Nothing was posted: keep the message whole and send nothing before Slack's time has passed.
      totals.rateLimited += 1;
      nextSendAt = Math.max(nextSendAt, now + outcome.waitMs);
      toPost = [...message.errors, ...toPost];
      if (message.summary !== undefined)
        summaryDue = summaryDue === undefined ? message.summary : `${message.summary}\n${summaryDue}`;
      report(`Slack error alerts: Slack asked to wait ${Math.ceil(outcome.waitMs / 1000)} s (HTTP 429)`);
      return;
    }
    // Failed: the lines are on stdout anyway. Drop the message rather than grow a backlog, say so in the next
    // summary, and back off so that a Slack outage costs a post every minute at most.
    totals.failed += 1;
    consecutiveFailures += 1;
    nextSendAt = Math.max(nextSendAt, now + Math.min(60_000, minIntervalMs * 2 ** consecutiveFailures));
    failures.posts += 1;
    failures.lastWhy = outcome.why;
    failures.lostCount += message.errors.length;
    for (const e of message.errors) if (failures.lost.length < 5) failures.lost.push(e.label);
    metrics?.dropped("post_failed", message.errors.length);
    if (consecutiveFailures === 1)
      report(`Slack error alerts: posting failed (${outcome.why}); backing off, the error lines are in these logs`);
    // A summary is due for the failure even if no error follows in this window.
    window ??= { start: now, groups: new Map(), others: 0 };
  }

  return {
    write(line: string): void {
      if (closed) return;
      if (queued.length >= maxQueuedLines) {
        dropped += 1;
        totals.droppedLines += 1;
        metrics?.dropped("queue_full", 1);
        return;
      }
      queued.push(line.length > MAX_QUEUED_LINE_CHARS ? compact(line) : line);
      if (queued.length === 1) {
        try {
          wakeAt(clock.now() + coalesceMs);
        } catch {
          // A broken clock must not break logging.
        }
      }
    },
    stats: () => ({ queuedLines: queued.length, ...totals }),
    settled: async () => {
      await inFlight;
    },
    close: async () => {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer.handle);
      timer = undefined;
      queued = [];
      await inFlight;
    },
  };
}

function webhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error("the Slack webhook URL is not a URL (its value is not shown: it is a secret)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error(
      "the Slack webhook URL must be an http:// or https:// URL (its value is not shown: it is a secret)",
    );
  return url;
}

/** Milliseconds to wait from a `Retry-After` (seconds or an HTTP date); Slack sends seconds. */
export function retryAfterMs(header: string | null, now: number): number {
  const text = header?.trim() ?? "";
  let ms = 30_000; // missing or unreadable: a cautious default
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else if (text !== "" && !Number.isNaN(Date.parse(text))) ms = Math.max(0, Date.parse(text) - now);
  // A bogus header must not silence alerts for days.
  return Math.min(ms, HOUR_MS);
}

/**
 * A long line reduced to what a message shows and the fingerprint needs. The result is a new string: a slice
 * of the line could keep the whole of it in memory.
 */
function compact(line: string): string {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const err = typeof o.err === "object" && o.err !== null ? (o.err as Record<string, unknown>) : undefined;
    const cut = (v: unknown, max: number) => (typeof v === "string" ? truncate(v, max) : v);
    return JSON.stringify({
      level: o.level,
      time: o.time,
      name: o.name,
      service: o.service,
      msg: cut(o.msg, 1_000),
      ...(err === undefined
        ? {}
        : { err: { type: err.type, message: cut(err.message, 1_000), stack: cut(err.stack, 2_000) } }),
      cut: `the line had ${line.length} characters`,
    });
  } catch {
    return Buffer.from(line.slice(0, MAX_QUEUED_LINE_CHARS)).toString();
  }
}

const LEVELS: Record<number, string> = { 50: "ERROR", 60: "FATAL" };
const MAX_LINE_CHARS = 1_500;
const MAX_LABEL_CHARS = 120;

/**
 * What a line says, for Slack, and its fingerprint: level, logger name, `service`, message and the error's
 * type and message. Time, pid, host and request ids are left out, so repeats of one failure match.
 */
function describeLine(line: string, source: string): { fingerprint: string; label: string; text: string } {
  const raw = line.trimEnd();
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON (a destination written to by hand): it is still an error line.
  }
  const field = (o: unknown, key: string) => {
    const v = typeof o === "object" && o !== null ? (o as Record<string, unknown>)[key] : undefined;
    return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
  };
  const level = LEVELS[Number(parsed?.level)] ?? `LEVEL ${field(parsed, "level") ?? "?"}`;
  const name = [field(parsed, "name"), field(parsed, "service")].filter((s) => s !== undefined).join("/");
  const msg = field(parsed, "msg") ?? (parsed === undefined ? raw.slice(0, 200) : "");
  const err = parsed?.err;
  const errType = field(err, "type");
  const errMessage = field(err, "message");
  const errText = errType === undefined && errMessage === undefined ? "" : `${errType ?? "Error"}: ${errMessage ?? ""}`;
  // `logger.error(err)` makes the error's message the line's message: say it once.
  const says =
    (errText === "" ? msg : errMessage === msg || msg === "" ? errText : `${msg} (${errText})`) || "(no message)";
  const text = [
    `*${level}* ${mrkdwn(name === "" ? "log" : name)} on ${mrkdwn(source)}${timeOf(parsed)}`,
    `> ${mrkdwn(truncate(says, 500))}`,
    `\`\`\`${mrkdwn(truncate(raw, MAX_LINE_CHARS))}\`\`\``,
  ].join("\n");
  return {
    fingerprint: JSON.stringify([level, name, msg, errType, errMessage]),
    label: mrkdwn(truncate(says, MAX_LABEL_CHARS)),
    text,
  };
}

function timeOf(parsed: Record<string, unknown> | undefined): string {
  const time = parsed?.time;
  if (typeof time === "string") return ` at ${mrkdwn(time)}`;
  if (typeof time === "number") return ` at ${new Date(time).toISOString()}`;
  return "";
}

/**
 * Slack's mrkdwn gives `&`, `<` and `>` a meaning (links, mentions); a backtick in a line would end its code
 * block early.
 */
function mrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("`", "'");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** A failure in words that cannot contain the URL: error names and codes only, never messages. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.name : "unknown error";
}

function slackMetrics(registry: Registry) {
  const posts =
    (registry.getSingleMetric("log_slack_posts_total") as Counter<"result"> | undefined) ??
    new Counter({
      name: "log_slack_posts_total",
      help: "Posts of error logs to Slack, by result (posted, rate_limited, failed).",
      labelNames: ["result"],
      registers: [registry],
    });
  const dropped =
    (registry.getSingleMetric("log_slack_lines_dropped_total") as Counter<"reason"> | undefined) ??
    new Counter({
      name: "log_slack_lines_dropped_total",
      help: "Error lines that did not reach Slack, by reason (queue_full, post_failed); repeats are summarised, not counted.",
      labelNames: ["reason"],
      registers: [registry],
    });
  for (const result of ["posted", "rate_limited", "failed"]) posts.inc({ result }, 0);
  for (const reason of ["queue_full", "post_failed"]) dropped.inc({ reason }, 0);
  return {
    posts: (result: Outcome["kind"]) => posts.inc({ result }),
    dropped: (reason: string, n: number) => {
      if (n > 0) dropped.inc({ reason }, n);
    },
  };
}

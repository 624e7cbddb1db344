import { waiverMigrations } from "@carfare/damage-waiver";
import type { BenchChild } from "./children.js";
import { type CoreUse, coreUse, coreUseOf, cpuSnapshot } from "./cpu-usage.js";
import { type LoadResult, runH2load } from "./h2load.js";
import { type BenchServer, type CheckedRun, startBenchServer, type Timing } from "./paired-load.js";
import { checkEmptyWaiverQuote, checkWaiverQuote, WAIVER_QUOTE_PATH } from "./waiver-request.js";

/**
 * The HTTP/1.1 load of the waiver-quote benchmark: h2load with `--h1`, 256 keep-alive connections with one
 * request in flight each (no pipelining, as ordinary HTTP/1.1 clients do), so the same 256 requests in
 * flight as the gRPC section's 8 connections × 32 streams.
 */
export const HTTP_LOAD = { connections: 256, pipelined: 1, warmUpSeconds: 3, seconds: 10, serverCore: 0, loadCore: 1 };

/** The incident-creation load: the node:http client of incident-load.ts on core 1. */
export const INCIDENT_LOAD = { connections: 32, warmUpSeconds: 2, seconds: 8, serverCore: 0, loadCore: 1 };

export interface HttpServerUnderLoad<S> {
  readonly load: LoadResult;
  /** The server's own counters (its `stats` command) just before and just after h2load, checks excluded. */
  readonly before: S;
  readonly after: S;
  readonly serverCore: CoreUse;
  readonly loadCore: CoreUse;
}

/**
 * One h2load run (HTTP/1.1, JSON body; section 5's load, `timing` shortens it) against a bench server,
 * bracketed by a checked request before and after (`check` throws unless the server answers it correctly)
 * and by the server's own counters.
 */
export async function loadHttpServer<S>(
  child: BenchChild,
  options: { path: string; bodyFile: string; logFile: string },
  check: (port: number) => Promise<unknown>,
  timing: Timing = HTTP_LOAD,
): Promise<HttpServerUnderLoad<S>> {
  await check(child.port);
  const before = await child.request<S>("stats");
  const cpuBefore = cpuSnapshot(child.pid);
  const load = await runH2load({
    port: child.port,
    path: options.path,
    headers: ["content-type: application/json"],
    bodyFile: options.bodyFile,
    logFile: options.logFile,
    http1: true,
    core: HTTP_LOAD.loadCore,
    connections: HTTP_LOAD.connections,
    streams: HTTP_LOAD.pipelined,
    warmUpSeconds: timing.warmUpSeconds,
    seconds: timing.seconds,
  });
  const cpuAfter = cpuSnapshot(child.pid);
  const after = await child.request<S>("stats");
  await check(child.port);
  return {
    load,
    before,
    after,
    serverCore: coreUse(cpuBefore, cpuAfter, HTTP_LOAD.serverCore),
    loadCore: coreUseOf(cpuBefore, cpuAfter, HTTP_LOAD.loadCore, load.cpuSeconds),
  };
}

/** What h2load itself saw go wrong: failed, errored or timed-out requests, non-2xx statuses, failed streams. */
export function h2loadProblems(load: LoadResult): string[] {
  const problems: string[] = [];
  if (load.failed + load.errored + load.timeout > 0)
    problems.push(`h2load: ${load.failed} failed, ${load.errored} errored, ${load.timeout} timed out`);
  if (load.statusOther > 0) problems.push(`h2load: ${load.statusOther} responses were not 2xx`);
  if (load.loggedFailed > 0) problems.push(`h2load log: ${load.loggedFailed} requests failed`);
  return problems;
}

/** The difference of two response tallies (`"POST /v1/incidents 201": n`): what was answered in between. */
export function tallyDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) {
    const d = n - (before[key] ?? 0);
    if (d !== 0) delta[key] = d;
  }
  return delta;
}

/** The servers of section 5: `real` (bench/waiver-server.ts on a database of its own), `empty` (bench/empty-fastify-server.ts). */
export const WAIVER_QUOTE_SERVER_KINDS = ["real", "empty"] as const;
export type WaiverQuoteServerKind = (typeof WAIVER_QUOTE_SERVER_KINDS)[number];

/** What the servers of section 5 report (`stats`): the real one its responses and error lines, the empty one its answers. */
export interface WaiverQuoteStats {
  /** The real server: responses so far by `method route status`, from its latency histogram. */
  readonly responses?: Record<string, number>;
  readonly errorsLogged?: number;
  readonly lastError?: string;
  /** The empty server: requests answered so far. */
  readonly answered?: number;
}

/** A server of section 5, pinned to its core; `checkout` runs it from another built checkout's bench/. */
export function startWaiverQuoteServer(
  kind: WaiverQuoteServerKind,
  label: string,
  root: string,
  checkout?: string,
): Promise<BenchServer> {
  const common = { root, core: HTTP_LOAD.serverCore, ...(checkout === undefined ? {} : { checkout }) };
  return kind === "empty"
    ? startBenchServer(label, "empty-fastify-server.ts", common)
    : startBenchServer(label, "waiver-server.ts", { ...common, database: [waiverMigrations] });
}

/**
 * Problems with a waiver-quote run, empty when it is sound: h2load saw no failure, and the server's own tally
 * (warm-up included) holds nothing but answers of the route, at least as many as h2load measured; the real
 * server logged no error line in its whole life.
 */
export function waiverQuoteProblems(kind: WaiverQuoteServerKind, run: HttpServerUnderLoad<WaiverQuoteStats>): string[] {
  const problems = h2loadProblems(run.load);
  const measured = run.load.succeeded;
  if (kind === "empty") {
    const answered = (run.after.answered ?? 0) - (run.before.answered ?? 0);
    if (answered < measured) problems.push(`answered ${answered}, fewer than the ${measured} h2load measured`);
    return problems;
  }
  const answered = tallyDelta(run.before.responses ?? {}, run.after.responses ?? {});
  const quoted = `POST ${WAIVER_QUOTE_PATH} 200`;
  const others = Object.entries(answered).filter(([key]) => key !== quoted);
  if (others.length > 0) problems.push(`also answered ${JSON.stringify(Object.fromEntries(others))}`);
  if ((answered[quoted] ?? 0) < measured)
    problems.push(`${answered[quoted] ?? 0} × 200, fewer than the ${measured} h2load measured`);
  if ((run.after.errorsLogged ?? 0) > 0)
    problems.push(`logged ${run.after.errorsLogged} errors; the last: ${run.after.lastError ?? ""}`);
  return problems;
}

/** `loadHttpServer` on the waiver-quote route with the check of its kind of server, and its problems. */
export async function checkedWaiverQuoteLoad(
  kind: WaiverQuoteServerKind,
  child: BenchChild,
  files: { bodyFile: string; logFile: string },
  timing: Timing,
): Promise<CheckedRun<HttpServerUnderLoad<WaiverQuoteStats>>> {
  const run = await loadHttpServer<WaiverQuoteStats>(
    child,
    { path: WAIVER_QUOTE_PATH, ...files },
    kind === "empty" ? checkEmptyWaiverQuote : checkWaiverQuote,
    timing,
  );
  return { run, perSecond: run.load.perSecond, problems: waiverQuoteProblems(kind, run) };
}

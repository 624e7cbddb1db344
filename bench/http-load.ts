import type { BenchChild } from "./children.js";
import { type CoreUse, coreUse, coreUseOf, cpuSnapshot } from "./cpu-usage.js";
import { type LoadResult, runH2load } from "./h2load.js";

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
 * One h2load run (HTTP/1.1, JSON body) against a bench server, bracketed by a checked request before and
 * after (`check` throws unless the server answers it correctly) and by the server's own counters.
 */
export async function loadHttpServer<S>(
  child: BenchChild,
  options: { path: string; bodyFile: string; logFile: string },
  check: (port: number) => Promise<unknown>,
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
    warmUpSeconds: HTTP_LOAD.warmUpSeconds,
    seconds: HTTP_LOAD.seconds,
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

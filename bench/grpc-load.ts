import { pricingMigrations } from "@carfare/pricing";
import type { CallCounts } from "./child-control.js";
import type { BenchChild } from "./children.js";
import { type CoreUse, coreUse, coreUseOf, cpuSnapshot } from "./cpu-usage.js";
import { type LoadResult, runH2load } from "./h2load.js";
import { type BenchServer, type CheckedRun, startBenchServer, type Timing } from "./paired-load.js";
import { checkEmpty, checkQuote, QUOTE_PATH } from "./quote-request.js";

export const LOAD = { connections: 8, streams: 32, warmUpSeconds: 3, seconds: 10, serverCore: 0, loadCore: 1 };

export interface ServerUnderLoad {
  readonly load: LoadResult;
  /** The server's own call counters around the h2load run (warm-up included). */
  readonly during: CallCounts;
  /** The server's core during the run: how busy, and by whom (the server, interrupts, other processes). */
  readonly serverCore: CoreUse;
  /** The server's own CPU time during the run (all its threads), in clock ticks. */
  readonly serverTicks: number;
  /** The same for h2load's core. */
  readonly loadCore: CoreUse;
}

/**
 * One h2load run against a bench server (section 2's load; `timing` shortens it), bracketed by a checked call before (the body h2load will send is
 * answered OK with the right content) and after (the server still answers correctly), and by the server's
 * channelz call counters, which see the gRPC status of every call.
 */
export async function loadServer(
  child: BenchChild,
  files: { bodyFile: string; logFile: string },
  check: (port: number) => Promise<unknown>,
  timing: Timing = LOAD,
): Promise<ServerUnderLoad> {
  await check(child.port);
  const before = (await child.request<{ calls: CallCounts }>("stats")).calls;
  const cpuBefore = cpuSnapshot(child.pid);
  const load = await runH2load({
    port: child.port,
    path: QUOTE_PATH,
    headers: ["content-type: application/grpc", "te: trailers"],
    ...files,
    core: LOAD.loadCore,
    connections: LOAD.connections,
    streams: LOAD.streams,
    warmUpSeconds: timing.warmUpSeconds,
    seconds: timing.seconds,
  });
  const cpuAfter = cpuSnapshot(child.pid);
  const after = (await child.request<{ calls: CallCounts }>("stats")).calls;
  await check(child.port);
  return {
    load,
    during: {
      started: after.started - before.started,
      succeeded: after.succeeded - before.succeeded,
      failed: after.failed - before.failed,
    },
    serverCore: coreUse(cpuBefore, cpuAfter, LOAD.serverCore),
    serverTicks: cpuAfter.process - cpuBefore.process,
    loadCore: coreUseOf(cpuBefore, cpuAfter, LOAD.loadCore, load.cpuSeconds),
  };
}

/**
 * Problems with a run, empty when it is sound: h2load saw every measured request answered 200 with no
 * failure, and the server ended every call it started during the run (warm-up included, so at least as
 * many as h2load measured) with status OK — a gRPC error is still HTTP 200, which h2load alone cannot see.
 */
export function loadProblems(run: ServerUnderLoad): string[] {
  const { load, during } = run;
  const problems: string[] = [];
  if (load.failed + load.errored + load.timeout > 0)
    problems.push(`h2load: ${load.failed} failed, ${load.errored} errored, ${load.timeout} timed out`);
  if (load.statusOther > 0) problems.push(`h2load: ${load.statusOther} responses were not 2xx`);
  if (load.loggedFailed > 0) problems.push(`h2load log: ${load.loggedFailed} streams failed`);
  if (during.failed > 0) problems.push(`server: ${during.failed} calls ended with a gRPC error status`);
  if (during.succeeded < load.succeeded)
    problems.push(`server: ${during.succeeded} calls OK, fewer than the ${load.succeeded} h2load counted`);
  return problems;
}

/**
 * The servers of section 2: `real` (bench/pricing-server.ts on a database of its own), `real-no-log` (the
 * same with its quote log off) and `empty` (bench/empty-server.ts).
 */
export const QUOTE_SERVER_KINDS = ["real", "real-no-log", "empty"] as const;
export type QuoteServerKind = (typeof QUOTE_SERVER_KINDS)[number];

/** A server of section 2, pinned to its core; `checkout` runs it from another built checkout's bench/. */
export function startQuoteServer(
  kind: QuoteServerKind,
  label: string,
  root: string,
  checkout?: string,
): Promise<BenchServer> {
  const common = { root, core: LOAD.serverCore, ...(checkout === undefined ? {} : { checkout }) };
  if (kind === "empty") return startBenchServer(label, "empty-server.ts", common);
  return startBenchServer(label, "pricing-server.ts", {
    ...common,
    database: [pricingMigrations],
    args: kind === "real-no-log" ? ["--no-quote-log"] : [],
  });
}

/** `loadServer` with the check of its kind of server, and `loadProblems` of the run. */
export async function checkedQuoteLoad(
  kind: QuoteServerKind,
  child: BenchChild,
  files: { bodyFile: string; logFile: string; body: Buffer },
  timing: Timing,
): Promise<CheckedRun<ServerUnderLoad>> {
  const check = kind === "empty" ? checkEmpty : checkQuote;
  const run = await loadServer(child, files, (port) => check(port, files.body), timing);
  return { run, perSecond: run.load.perSecond, problems: loadProblems(run) };
}

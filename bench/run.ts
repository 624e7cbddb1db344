import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { publishTariff } from "./admin.js";
import { bigKrTariff } from "./big-tariff.js";
import type { CallCounts } from "./child-control.js";
import { type BenchChild, canPin, runScript } from "./children.js";
import { type CoreUse, coreTicks, coreUse, coreUseOf, cpuSnapshot, ticksOf } from "./cpu-usage.js";
import { benchDatabase } from "./databases.js";
import {
  checkedQuoteLoad,
  LOAD,
  loadProblems,
  loadServer,
  type ServerUnderLoad,
  startQuoteServer,
} from "./grpc-load.js";
import { h2loadAvailable } from "./h2load.js";
import {
  checkedWaiverQuoteLoad,
  HTTP_LOAD,
  type HttpServerUnderLoad,
  INCIDENT_LOAD,
  loadHttpServer,
  startWaiverQuoteServer,
  tallyDelta,
  waiverQuoteProblems,
} from "./http-load.js";
import type { Rate } from "./in-process.js";
import { type LoadOne, type Paired, pairedServers, type StartServer } from "./paired-load.js";
import { checkEmpty, checkQuote, quoteRequestBody, workedExample } from "./quote-request.js";
import { count, figure, mib, ms, note, percent, section } from "./report.js";
import {
  CHECKED_FEE,
  CHECKED_PRODUCT,
  checkEmptyWaiverQuote,
  checkIncidentCreation,
  checkWaiverQuote,
  INCIDENTS_PATH,
  WAIVER_QUOTE_PATH,
  waiverQuoteRequest,
} from "./waiver-request.js";

/**
 * `npm run bench`: every figure of docs/benchmarks.md in one run, each beside its target.
 * Servers and in-process runs are pinned to core 0, h2load to core 1; children run one at a time.
 *
 * `npm run bench -- --only=waiver` runs only the sections named (comma-separated): `in-process` (1),
 * `grpc` (2), `memory` (3), `quote-log` (4), `waiver` (5 and 6, which share one server).
 */
const SECTIONS = ["in-process", "grpc", "memory", "quote-log", "waiver"] as const;
const onlyArgument = process.argv.find((arg) => arg.startsWith("--only="));
const only = onlyArgument?.slice("--only=".length).split(",");
for (const name of only ?? [])
  if (!(SECTIONS as readonly string[]).includes(name))
    throw new Error(`--only: no section "${name}"; the sections are ${SECTIONS.join(", ")}`);
const selected = (name: (typeof SECTIONS)[number]): boolean => only === undefined || only.includes(name);
const BIG_TARIFF_MODELS = 2000;
/** How many measured rounds a paired run has, and how long each is (paired-load.ts). */
const PAIRED = { rounds: 3, seconds: 6 };
const started = performance.now();
const root = await mkdtemp(join(tmpdir(), "carfare-bench-"));
let incomplete = false;

console.log(
  `carfare bench — ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${availableParallelism()} cores, Node ${process.version}` +
    `, database: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "PGlite"}`,
);
if (!canPin) note("taskset is not available: processes are NOT pinned to cores; figures are less comparable.");
const [load1 = 0] = loadavg();
if (load1 > 1) note(`the machine is busy (load average ${load1.toFixed(1)}): other processes may disturb the figures.`);
if (availableParallelism() < 2) note("one core only: h2load shares it with the server; gRPC figures are understated.");

try {
  if (selected("in-process")) {
    // 1. In-process ---------------------------------------------------------------------------------------
    const [fourHours, thirtyDays, quoteUseCase] = await runScript<Rate[]>("./in-process.ts", ["--json"], { core: 0 });
    if (fourHours === undefined || thirtyDays === undefined || quoteUseCase === undefined)
      throw new Error("in-process.ts reported fewer rates than expected");
    section("1. In-process pricing (bench/in-process.ts, one thread pinned to core 0)");
    figure("pricing, 4-hour rental", `${count(fourHours.perSecond)} /s`, {
      text: "≥ 500,000 /s",
      met: fourHours.perSecond >= 500_000,
    });
    figure("pricing, 30-day rental", `${count(thirtyDays.perSecond)} /s`);
    const lengthRatio = thirtyDays.nsPerOp / fourHours.nsPerOp;
    figure("30-day time / 4-hour time", `${lengthRatio.toFixed(1)} ×`, { text: "≤ 25 ×", met: lengthRatio <= 25 });
    figure("Quote use case (priced, signed token)", `${count(quoteUseCase.perSecond)} /s`);
    note(
      `${fourHours.nsPerOp.toFixed(0)} ns, ${thirtyDays.nsPerOp.toFixed(0)} ns, ${quoteUseCase.nsPerOp.toFixed(0)} ns per operation`,
    );
  }

  if (selected("grpc")) {
    // 2. gRPC under load: the real server, the same without its quote log (diagnostic), the empty server ----
    const bodyFile = join(root, "quote-request.bin");
    await writeFile(bodyFile, quoteRequestBody());

    if (!h2loadAvailable()) {
      incomplete = true;
      section("2. gRPC Quote under load — SKIPPED");
      note("h2load was not found. Install it (Debian/Ubuntu): sudo apt-get install nghttp2-client");
    } else {
      const quote = await realServerRun(root, bodyFile, "real");
      const withoutLog = await realServerRun(root, bodyFile, "real-no-log");
      const bare = await emptyServerRun(root, bodyFile);
      const body = await readFile(bodyFile);
      const paired = await pairedRun(root, ["real", "empty"] as const, startQuoteServer, (kind, child, timing) =>
        checkedQuoteLoad(kind, child, { bodyFile, body, logFile: join(root, `paired-${child.pid}.log`) }, timing),
      );

      section(
        `2. gRPC Quote under load (h2load: ${LOAD.connections} connections × ${LOAD.streams} streams, ` +
          `${LOAD.warmUpSeconds} s warm-up + ${LOAD.seconds} s; servers on core ${LOAD.serverCore}, h2load on core ${LOAD.loadCore})`,
      );
      note(`real server: startPricingService, kr.yaml published, ${quote.where}, every quote recorded (in batches)`);
      note("empty server: bare grpc-js answering the same method with an empty message, request not even decoded");
      figure("Quote, real server", `${count(quote.run.load.perSecond)} /s`);
      figure("Quote, empty grpc-js server", `${count(bare.load.perSecond)} /s`);
      figure("real / empty, one after the other", percent(quote.run.load.perSecond / bare.load.perSecond));
      reportPaired(paired);
      figure("latency p50 / p99, real server", `${ms(quote.run.load.p50Ms)} / ${ms(quote.run.load.p99Ms)}`);
      figure("latency p50 / p99, empty server", `${ms(bare.load.p50Ms)} / ${ms(bare.load.p99Ms)}`);
      note(
        `closed loop: ${LOAD.connections * LOAD.streams} calls always in flight, so latency is mostly queueing ` +
          `(≈ ${LOAD.connections * LOAD.streams} / throughput); max ${ms(quote.run.load.maxMs)} real, ${ms(bare.load.maxMs)} empty`,
      );
      figure("diagnostic: real server, quote log off", `${count(withoutLog.run.load.perSecond)} /s`);
      note(
        `= ${percent(withoutLog.run.load.perSecond / bare.load.perSecond)} of empty; the same server with a recorder that ` +
          `drops instead of writing (p50 / p99 ${ms(withoutLog.run.load.p50Ms)} / ${ms(withoutLog.run.load.p99Ms)})`,
      );

      // Were the calls successful? HTTP 200 is not enough for gRPC; see loadProblems and docs/benchmarks.md.
      const problems = [
        ...loadProblems(quote.run).map((p) => `real ${p}`),
        ...loadProblems(withoutLog.run).map((p) => `diagnostic ${p}`),
        ...loadProblems(bare).map((p) => `empty ${p}`),
        ...paired.problems,
      ];
      const { flushed } = quote;
      if (flushed.recorder.dropped > 0)
        problems.push(`real server: the recorder dropped ${flushed.recorder.dropped} quotes`);
      if (flushed.quoteRows !== flushed.calls.succeeded)
        problems.push(
          `real server: ${flushed.quoteRows} quotes in the database for ${flushed.calls.succeeded} OK calls`,
        );
      const verified = problems.length === 0;
      figure("every call verified OK", verified ? "yes" : "NO", { text: "all OK", met: verified });
      note(
        `h2load (real / empty): ${count(quote.run.load.succeeded)} / ${count(bare.load.succeeded)} measured calls, all HTTP 2xx; ` +
          `servers' channelz, warm-up included: ${count(quote.run.during.succeeded)} / ${count(bare.during.succeeded)} ` +
          `ended OK, ${quote.run.during.failed} / ${bare.during.failed} with an error status`,
      );
      note(
        `quote log: ${count(flushed.quoteRows)} rows for ${count(flushed.calls.succeeded)} OK Quote calls, ` +
          `${flushed.recorder.dropped} dropped; worked-example amounts checked before and after each run`,
      );
      // Both cores must be ours alone for the figures to mean anything: a shared machine shows it here.
      for (const [label, run] of [
        ["real", quote.run],
        ["diagnostic", withoutLog.run],
        ["empty", bare],
      ] as const) {
        const { serverCore: s, loadCore: l } = run;
        note(
          `${label} run, core ${LOAD.serverCore}: ${percent(s.busy)} busy (server ${percent(s.byProcess)}, ` +
            `others ${percent(s.byOthers)}); core ${LOAD.loadCore}: ${percent(l.busy)} busy ` +
            `(h2load ${percent(l.byProcess)}, others ${percent(l.byOthers)})` +
            (s.byOthers > 0.03 || l.byOthers > 0.1 ? " — WARNING: other processes ran, figures disturbed" : ""),
        );
      }
      if (process.env.DATABASE_URL)
        note("(a PostgreSQL on this machine counts among the others: during the real run that is its own work)");
      for (const problem of problems) note(`PROBLEM: ${problem}`);
      note(`load: ${quote.run.load.command.replace(/:\d+\//, ":PORT/").replace(/\/tmp\/\S+\//g, "…/")}`);
    }
  }

  if (selected("memory")) {
    // 3. Memory ---------------------------------------------------------------------------------------------
    const memory = await memoryRun(root);
    section("3. Memory of a pricing server (VmRSS after GC, before any Quote; same process before and after)");
    figure("kr.yaml only (23 models)", mib(memory.kr.rssKiB));
    figure(`+ kr grown to ${count(BIG_TARIFF_MODELS)} models, published`, mib(memory.big.rssKiB));
    figure("difference", mib(memory.big.rssKiB - memory.kr.rssKiB));
    const heapDelta = memory.big.heap.heapUsed - memory.kr.heap.heapUsed;
    note(
      `JS heap used ${mib(memory.kr.heap.heapUsed / 1024)} → ${mib(memory.big.heap.heapUsed / 1024)}: ` +
        `${mib(heapDelta / 1024)}, ${(heapDelta / 1024 / (BIG_TARIFF_MODELS - 23)).toFixed(2)} KiB per added model ` +
        `(the catalog keeps both versions: v1 for the quotes priced on it)`,
    );
    note(`published over TariffAdminService/PublishTariff: ${(memory.documentBytes / 1024).toFixed(0)} KiB of JSON`);
    if (!process.env.DATABASE_URL)
      note(
        `RSS includes the embedded PGlite (WebAssembly PostgreSQL, ${mib(memory.kr.heap.external / 1024)} "external") ` +
          "in the same process; across fresh processes its RSS varies by ±25 MiB",
      );
  }

  if (selected("quote-log")) {
    // 4. Quote log write rate -------------------------------------------------------------------------------
    const logDatabase = await benchDatabase(root, "quote-log");
    let written: { quotes: number; perSecond: number };
    try {
      written = await runScript("./quote-log-rate.ts", logDatabase.args, { core: 0, env: logDatabase.env });
    } finally {
      await logDatabase.close();
    }
    section("4. Quote log (BatchingQuoteRecorder → PostgresQuoteLog, batches of 500, one writer, core 0)");
    figure("quotes written", `${count(written.perSecond)} /s`);
    note(`${count(written.quotes)} quotes recorded at once, timed until flush() resolved`);
  }

  if (selected("waiver")) {
    // 5 + 6. The damage-waiver service: waiver quotes beside an empty Fastify route, then incident creation ----
    const withH2load = h2loadAvailable();
    const waiver = await waiverServerRuns(root, withH2load);
    const emptyFastify = withH2load ? await emptyFastifyRun(root) : undefined;
    if (waiver.quotes === undefined || emptyFastify === undefined) {
      incomplete = true;
      section("5. Waiver quotes under load — SKIPPED");
      note("h2load was not found. Install it (Debian/Ubuntu): sudo apt-get install nghttp2-client");
    } else {
      const bodyFile = join(root, "waiver-quote.json");
      const paired = await pairedRun(root, ["real", "empty"] as const, startWaiverQuoteServer, (kind, child, timing) =>
        checkedWaiverQuoteLoad(kind, child, { bodyFile, logFile: join(root, `paired-${child.pid}.log`) }, timing),
      );
      reportWaiverQuotes(waiver.quotes, emptyFastify, waiver, paired);
    }
    reportIncidents(waiver.incidents, waiver);
  }
} catch (error) {
  incomplete = true;
  console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
console.log(`\n${incomplete ? "incomplete run" : "done"} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = incomplete ? 1 : 0;

interface Flushed {
  readonly calls: CallCounts;
  readonly recorder: { readonly recorded: number; readonly dropped: number };
  readonly quoteRows: number;
}

/** The real server under load on a database of its own, then every quote it gave flushed and counted. */
async function realServerRun(root: string, bodyFile: string, kind: "real" | "real-no-log") {
  const server = await startQuoteServer(kind, `pricing server (${kind})`, root);
  try {
    const body = await readFile(bodyFile);
    const run = await loadServer(server.child, { bodyFile, logFile: join(root, "quote.log") }, (port) =>
      checkQuote(port, body),
    );
    const flushed = await server.child.request<Flushed>("flush");
    return { run, flushed, where: server.where ?? "" };
  } finally {
    await server.stop();
  }
}

async function emptyServerRun(root: string, bodyFile: string): Promise<ServerUnderLoad> {
  const server = await startQuoteServer("empty", "empty server", root);
  try {
    const body = await readFile(bodyFile);
    return await loadServer(server.child, { bodyFile, logFile: join(root, "empty.log") }, (port) =>
      checkEmpty(port, body),
    );
  } finally {
    await server.stop();
  }
}

/**
 * A fresh pricing server with kr.yaml, measured at rest; then kr grown to BIG_TARIFF_MODELS models is
 * published to it as the next version, and it is measured again. One process, so the embedded database's
 * share of the RSS is the same in both figures.
 */
async function memoryRun(root: string) {
  const server = await startQuoteServer("real", "pricing server (memory)", root);
  const { child } = server;
  try {
    const kr = { heap: await child.request<NodeJS.MemoryUsage>("memory"), rssKiB: child.rssKiB() };
    const document = bigKrTariff(BIG_TARIFF_MODELS);
    const published = await publishTariff(child.port, document);
    const { modelsInEffect } = await child.request<{ modelsInEffect: number }>("stats");
    if (published.version !== 2 || modelsInEffect !== BIG_TARIFF_MODELS)
      throw new Error(`published version ${published.version} with ${modelsInEffect} models in effect`);
    const big = { heap: await child.request<NodeJS.MemoryUsage>("memory"), rssKiB: child.rssKiB() };
    // The copies are live: a copy of sonata-dn8 prices the worked example like the original.
    await checkQuote(child.port, quoteRequestBody({ ...workedExample, carModelId: "sonata-dn8-f0029" }));
    return { kr, big, documentBytes: Buffer.byteLength(document) };
  } finally {
    await server.stop();
  }
}

// --- 5 + 6: the damage-waiver service ----------------------------------------------------------------------

interface WaiverStats {
  /** Responses so far by `method route status`, from the service's latency histogram. */
  readonly responses: Record<string, number>;
  readonly errorsLogged: number;
  readonly lastError?: string;
}

interface IncidentLoad {
  readonly connections: number;
  readonly perSecond: number;
  readonly measured: number;
  readonly sent: number;
  readonly statuses: Record<string, number>;
  readonly transportErrors: number;
  readonly firstProblem?: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly cpuSeconds: number;
}

interface IncidentRun {
  readonly client: IncidentLoad;
  /** What the server answered on POST /v1/incidents during the client's run (checks excluded). */
  readonly answered: Record<string, number>;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
  readonly serverCore: CoreUse;
  readonly loadCore: CoreUse;
  /** With PostgreSQL: its processes (unpinned) during the run, and the CPU they used, in cores. */
  readonly postgres: { readonly processes: number; readonly cores: number } | undefined;
}

interface WaiverServerRuns {
  readonly quotes: HttpServerUnderLoad<WaiverStats> | undefined;
  readonly incidents: IncidentRun;
  /** Error-level lines the server logged over its whole life (both runs and every check). */
  readonly errorsLogged: number;
  readonly lastError: string | undefined;
  readonly where: string;
}

/**
 * The real damage-waiver server (kr.yaml's policy seeded) on a database of its own: waiver quotes under h2load
 * (when there is h2load), then incident creation under the node:http client. One server for both: the quote
 * run does not touch the database, so the incident run starts on the same empty incidents table.
 */
async function waiverServerRuns(root: string, withQuotes: boolean): Promise<WaiverServerRuns> {
  const server = await startWaiverQuoteServer("real", "waiver server", root);
  const { child } = server;
  try {
    let quotes: HttpServerUnderLoad<WaiverStats> | undefined;
    if (withQuotes) {
      const bodyFile = join(root, "waiver-quote.json");
      await writeFile(bodyFile, JSON.stringify(waiverQuoteRequest));
      quotes = await loadHttpServer<WaiverStats>(
        child,
        { path: WAIVER_QUOTE_PATH, bodyFile, logFile: join(root, "waiver-quote.log") },
        checkWaiverQuote,
      );
    }
    const incidents = await incidentRun(child);
    const final = await child.request<WaiverStats>("stats");
    return {
      quotes,
      incidents,
      errorsLogged: final.errorsLogged,
      lastError: final.lastError,
      where: server.where ?? "",
    };
  } finally {
    await server.stop();
  }
}

/**
 * Incident creation through the API: a checked creation (201, then its replay 200) before and after; between
 * them the client of incident-load.ts on core 1, every request with a key of its own. The incidents table is
 * counted just before and just after the client's run.
 */
async function incidentRun(child: BenchChild): Promise<IncidentRun> {
  const policyVersion = await checkWaiverQuote(child.port);
  await checkIncidentCreation(child.port, "bench-check-before", policyVersion);
  const rowsBefore = (await child.request<{ rows: number }>("incidents")).rows;
  const before = await child.request<WaiverStats>("stats");
  const pidsBefore = await child.request<number[]>("postgresPids");
  const postgresBefore = ticksOf(pidsBefore);
  const cpuBefore = cpuSnapshot(child.pid);
  const client = await runScript<IncidentLoad>(
    "./incident-load.ts",
    [
      `--port=${child.port}`,
      `--connections=${INCIDENT_LOAD.connections}`,
      `--warm-up=${INCIDENT_LOAD.warmUpSeconds}`,
      `--seconds=${INCIDENT_LOAD.seconds}`,
      `--policy-version=${policyVersion}`,
    ],
    { core: INCIDENT_LOAD.loadCore },
  );
  const cpuAfter = cpuSnapshot(child.pid);
  // The pool opens connections as the load needs them: backends that started during the run count from 0.
  const pidsAfter = await child.request<number[]>("postgresPids");
  const postgresAfter = ticksOf([...new Set([...pidsBefore, ...pidsAfter])]);
  const after = await child.request<WaiverStats>("stats");
  const rowsAfter = (await child.request<{ rows: number }>("incidents")).rows;
  let postgresTicks = 0;
  for (const [pid, ticks] of postgresAfter) postgresTicks += ticks - (postgresBefore.get(pid) ?? 0);
  await checkIncidentCreation(child.port, "bench-check-after", policyVersion);
  return {
    client,
    answered: tallyDelta(before.responses, after.responses),
    rowsBefore,
    rowsAfter,
    serverCore: coreUse(cpuBefore, cpuAfter, INCIDENT_LOAD.serverCore),
    loadCore: coreUseOf(cpuBefore, cpuAfter, INCIDENT_LOAD.loadCore, client.cpuSeconds),
    postgres:
      postgresAfter.size === 0
        ? undefined
        : {
            processes: postgresAfter.size,
            cores: postgresTicks / coreTicks(cpuBefore, cpuAfter, INCIDENT_LOAD.serverCore),
          },
  };
}

async function emptyFastifyRun(root: string): Promise<HttpServerUnderLoad<{ answered: number }>> {
  const server = await startWaiverQuoteServer("empty", "empty Fastify server", root);
  try {
    const bodyFile = join(root, "waiver-quote.json");
    await writeFile(bodyFile, JSON.stringify(waiverQuoteRequest));
    return await loadHttpServer(
      server.child,
      { path: WAIVER_QUOTE_PATH, bodyFile, logFile: join(root, "empty-fastify.log") },
      checkEmptyWaiverQuote,
    );
  } finally {
    await server.stop();
  }
}

/** One line on how both cores were used during a run; flags other processes on them. */
function coreNote(label: string, server: CoreUse, load: CoreUse, loader: string, serverCore: number, loadCore: number) {
  note(
    `${label}, core ${serverCore}: ${percent(server.busy)} busy (server ${percent(server.byProcess)}, ` +
      `others ${percent(server.byOthers)}); core ${loadCore}: ${percent(load.busy)} busy ` +
      `(${loader} ${percent(load.byProcess)}, others ${percent(load.byOthers)})` +
      (server.byOthers > 0.03 || load.byOthers > 0.1 ? " — WARNING: other processes ran, figures disturbed" : ""),
  );
}

/** Section 5. */
function reportWaiverQuotes(
  real: HttpServerUnderLoad<WaiverStats>,
  bare: HttpServerUnderLoad<{ answered: number }>,
  server: WaiverServerRuns,
  paired: Paired<unknown>,
): void {
  section(
    `5. Waiver quotes, POST ${WAIVER_QUOTE_PATH} (h2load --h1: ${HTTP_LOAD.connections} connections, ` +
      `${HTTP_LOAD.pipelined === 1 ? "no pipelining" : `${HTTP_LOAD.pipelined} pipelined`}, ` +
      `${HTTP_LOAD.warmUpSeconds} s warm-up + ${HTTP_LOAD.seconds} s; servers on core ${HTTP_LOAD.serverCore}, ` +
      `h2load on core ${HTTP_LOAD.loadCore})`,
  );
  note(`real server: startWaiverService, kr.yaml's waiver policy seeded, ${server.where}`);
  note("empty server: Fastify 5 with the service's Ajv options and body limit, the same body schema, answers {}");
  figure("waiver quote, real server", `${count(real.load.perSecond)} /s`);
  figure("empty Fastify POST route", `${count(bare.load.perSecond)} /s`);
  figure("real / empty, one after the other", percent(real.load.perSecond / bare.load.perSecond));
  reportPaired(paired);
  figure("latency p50 / p99, real server", `${ms(real.load.p50Ms)} / ${ms(real.load.p99Ms)}`);
  figure("latency p50 / p99, empty server", `${ms(bare.load.p50Ms)} / ${ms(bare.load.p99Ms)}`);
  note(
    `closed loop: ${HTTP_LOAD.connections} requests always in flight, so latency is mostly queueing; ` +
      `max ${ms(real.load.maxMs)} real, ${ms(bare.load.maxMs)} empty`,
  );

  const problems = [
    ...waiverQuoteProblems("real", real).map((p) => `real server: ${p}`),
    ...waiverQuoteProblems("empty", bare).map((p) => `empty server: ${p}`),
    ...paired.problems,
  ];
  if (server.errorsLogged > 0)
    problems.push(`real server logged ${server.errorsLogged} errors; the last: ${server.lastError ?? ""}`);
  const verified = problems.length === 0;
  figure("every request verified", verified ? "yes" : "NO", { text: "all 200, no error", met: verified });
  const ok = tallyDelta(real.before.responses, real.after.responses)[`POST ${WAIVER_QUOTE_PATH} 200`] ?? 0;
  note(
    `h2load (real / empty): ${count(real.load.succeeded)} / ${count(bare.load.succeeded)} measured requests, ` +
      `${count(real.load.status2xx)} / ${count(bare.load.status2xx)} 2xx, ${real.load.statusOther} / ` +
      `${bare.load.statusOther} other; real server's own tally, warm-up included: ${count(ok)} × 200; ` +
      `errors logged: ${server.errorsLogged}`,
  );
  note(
    `checked before and after each run: ${CHECKED_PRODUCT} fee ${count(CHECKED_FEE)} (real) or {} (empty), and 400 for ` +
      "a body with a string driverAge and an unknown field",
  );
  coreNote("real run", real.serverCore, real.loadCore, "h2load", HTTP_LOAD.serverCore, HTTP_LOAD.loadCore);
  coreNote("empty run", bare.serverCore, bare.loadCore, "h2load", HTTP_LOAD.serverCore, HTTP_LOAD.loadCore);
  for (const problem of problems) note(`PROBLEM: ${problem}`);
  note(`load: ${real.load.command.replace(/:\d+\//, ":PORT/").replace(/\/tmp\/\S+\//g, "…/")}`);
}

/**
 * The real server and the empty one started afresh together on core 0 and loaded together (paired-load.ts):
 * the ratio of their throughputs is the inverse ratio of their CPU per request, which the VM's drift between
 * one run and the next does not move.
 */
function pairedRun<K extends string, R>(
  root: string,
  [real, empty]: readonly [K, K],
  start: StartServer<K>,
  loadOne: LoadOne<K, R>,
): Promise<Paired<R>> {
  const sides = { a: { kind: empty, label: "paired empty server" }, b: { kind: real, label: "paired real server" } };
  return pairedServers(root, sides, start, loadOne, PAIRED);
}

/** The paired figure, which carries the verdict, and its rounds. */
function reportPaired(paired: Paired<unknown>): void {
  figure("real / empty, paired on one core (median)", percent(paired.ratio), {
    text: "≥ 80 %",
    met: paired.ratio >= 0.8,
  });
  note(
    `paired: both servers on core 0 at once, each under its own h2load; rounds ${paired.rounds
      .map((r) => `${count(r.b.perSecond)} / ${count(r.a.perSecond)} /s = ${percent(r.ratio)}`)
      .join(", ")} (real / empty, ${PAIRED.rounds} × ${PAIRED.seconds} s after a warm-up run)`,
  );
}

/** Section 6. The target is for PostgreSQL; on PGlite the figure is shown without a verdict. */
function reportIncidents(run: IncidentRun, server: WaiverServerRuns): void {
  const onPostgres = Boolean(process.env.DATABASE_URL);
  section(
    `6. Incident creation, POST ${INCIDENTS_PATH} (node:http client on core ${INCIDENT_LOAD.loadCore}: ` +
      `${INCIDENT_LOAD.connections} keep-alive connections, a new Idempotency-Key each, ` +
      `${INCIDENT_LOAD.warmUpSeconds} s warm-up + ${INCIDENT_LOAD.seconds} s; server on core ${INCIDENT_LOAD.serverCore})`,
  );
  note(`real server: the same waiver server as section 5, ${server.where}`);
  const { client } = run;
  if (onPostgres)
    figure("incidents created, PostgreSQL", `${count(client.perSecond)} /s`, {
      text: "≥ 2,000 /s",
      met: client.perSecond >= 2000,
    });
  else {
    figure("incidents created, PGlite (no target)", `${count(client.perSecond)} /s`);
    note("the ≥ 2,000 /s target is for PostgreSQL: DATABASE_URL=postgres://… npm run bench gives the verdict");
  }
  figure("latency p50 / p99", `${ms(client.p50Ms)} / ${ms(client.p99Ms)}`);

  const created = client.statuses["201"] ?? 0;
  const rowsAdded = run.rowsAfter - run.rowsBefore;
  const problems: string[] = [];
  const otherStatuses = Object.entries(client.statuses).filter(([status]) => status !== "201");
  if (otherStatuses.length > 0)
    problems.push(
      `client got ${JSON.stringify(Object.fromEntries(otherStatuses))}; first: ${client.firstProblem ?? ""}`,
    );
  const serverCreated = run.answered[`POST ${INCIDENTS_PATH} 201`] ?? 0;
  const serverOthers = Object.entries(run.answered).filter(([key]) => key !== `POST ${INCIDENTS_PATH} 201`);
  if (serverCreated !== created) problems.push(`server answered ${serverCreated} × 201, the client counted ${created}`);
  if (serverOthers.length > 0)
    problems.push(`server also answered ${JSON.stringify(Object.fromEntries(serverOthers))}`);
  if (rowsAdded !== created) problems.push(`${rowsAdded} rows added to waiver.incidents for ${created} × 201`);
  if (server.errorsLogged > 0)
    problems.push(`the server logged ${server.errorsLogged} errors; the last: ${server.lastError ?? ""}`);
  const verified = problems.length === 0;
  figure("rows in waiver.incidents = 201 responses", verified ? "yes" : "NO", {
    text: "all 201 = rows",
    met: verified,
  });
  note(
    `${count(created)} × 201 over the whole run (warm-up included; ${count(client.measured)} in the measured ` +
      `${INCIDENT_LOAD.seconds} s), ${otherStatuses.length === 0 ? "no other status" : "OTHER STATUSES"}; ` +
      `server's tally ${count(serverCreated)} × 201; waiver.incidents ${count(run.rowsBefore)} → ` +
      `${count(run.rowsAfter)} rows (+${count(rowsAdded)}); errors logged: ${server.errorsLogged}`,
  );
  note("checked before and after: one creation answered 201 REPORTED with its Location, its replay 200");
  if (run.postgres === undefined)
    coreNote("run", run.serverCore, run.loadCore, "client", INCIDENT_LOAD.serverCore, INCIDENT_LOAD.loadCore);
  else {
    // PostgreSQL is not pinned: its processes' time is known, not on which core it was spent. So the
    // check is on both cores together: whatever is neither server, client, PostgreSQL nor interrupts.
    const s = run.serverCore;
    const l = run.loadCore;
    const others = Math.max(
      0,
      s.busy + l.busy - s.byProcess - l.byProcess - s.interrupts - l.interrupts - run.postgres.cores,
    );
    note(
      `run, core ${INCIDENT_LOAD.serverCore}: ${percent(s.busy)} busy (server ${percent(s.byProcess)}); ` +
        `core ${INCIDENT_LOAD.loadCore}: ${percent(l.busy)} busy (client ${percent(l.byProcess)}); ` +
        `PostgreSQL (${run.postgres.processes} processes, unpinned, on either core): ${percent(run.postgres.cores)} ` +
        `of a core; others, both cores together: ${percent(others)}` +
        (others > 0.1 ? " — WARNING: other processes ran, figures disturbed" : ""),
    );
  }
  for (const problem of problems) note(`PROBLEM: ${problem}`);
}

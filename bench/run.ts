import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { publishTariff } from "./admin.js";
import { bigKrTariff } from "./big-tariff.js";
import type { CallCounts } from "./child-control.js";
import { BenchChild, canPin, runScript } from "./children.js";
import { benchDatabase } from "./databases.js";
import { LOAD, loadProblems, loadServer, type ServerUnderLoad } from "./grpc-load.js";
import { h2loadAvailable } from "./h2load.js";
import type { Rate } from "./in-process.js";
import { checkEmpty, checkQuote, quoteRequestBody, workedExample } from "./quote-request.js";
import { count, figure, mib, ms, note, percent, section } from "./report.js";

/**
 * `npm run bench`: every figure of docs/benchmarks.md in one run, each beside its target.
 * Servers and in-process runs are pinned to core 0, h2load to core 1; children run one at a time.
 */
const BIG_TARIFF_MODELS = 2000;
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

  // 2. gRPC under load: the real server, the same without its quote log (diagnostic), the empty server ----
  const bodyFile = join(root, "quote-request.bin");
  await writeFile(bodyFile, quoteRequestBody());

  if (!h2loadAvailable()) {
    incomplete = true;
    section("2. gRPC Quote under load — SKIPPED");
    note("h2load was not found. Install it (Debian/Ubuntu): sudo apt-get install nghttp2-client");
  } else {
    const quote = await realServerRun(root, bodyFile, []);
    const withoutLog = await realServerRun(root, bodyFile, ["--no-quote-log"]);
    const bare = await emptyServerRun(root, bodyFile);

    section(
      `2. gRPC Quote under load (h2load: ${LOAD.connections} connections × ${LOAD.streams} streams, ` +
        `${LOAD.warmUpSeconds} s warm-up + ${LOAD.seconds} s; servers on core ${LOAD.serverCore}, h2load on core ${LOAD.loadCore})`,
    );
    note(`real server: startPricingService, kr.yaml published, ${quote.where}, every quote recorded (in batches)`);
    note("empty server: bare grpc-js answering the same method with an empty message, request not even decoded");
    figure("Quote, real server", `${count(quote.run.load.perSecond)} /s`);
    figure("Quote, empty grpc-js server", `${count(bare.load.perSecond)} /s`);
    const ratio = quote.run.load.perSecond / bare.load.perSecond;
    figure("real / empty", percent(ratio), { text: "≥ 80 %", met: ratio >= 0.8 });
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
    ];
    const { flushed } = quote;
    if (flushed.recorder.dropped > 0)
      problems.push(`real server: the recorder dropped ${flushed.recorder.dropped} quotes`);
    if (flushed.quoteRows !== flushed.calls.succeeded)
      problems.push(`real server: ${flushed.quoteRows} quotes in the database for ${flushed.calls.succeeded} OK calls`);
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
async function realServerRun(root: string, bodyFile: string, extraArgs: string[]) {
  const database = await benchDatabase(root, `grpc${extraArgs.join("")}`);
  const child = await BenchChild.start("pricing server", "./pricing-server.ts", [...database.args, ...extraArgs], {
    core: LOAD.serverCore,
    env: database.env,
  });
  try {
    const body = await readFile(bodyFile);
    const run = await loadServer(child, { bodyFile, logFile: join(root, "quote.log") }, (port) =>
      checkQuote(port, body),
    );
    const flushed = await child.request<Flushed>("flush");
    return { run, flushed, where: database.where };
  } finally {
    await child.stop();
    await database.close();
  }
}

async function emptyServerRun(root: string, bodyFile: string): Promise<ServerUnderLoad> {
  const child = await BenchChild.start("empty server", "./empty-server.ts", [], { core: LOAD.serverCore });
  try {
    const body = await readFile(bodyFile);
    return await loadServer(child, { bodyFile, logFile: join(root, "empty.log") }, (port) => checkEmpty(port, body));
  } finally {
    await child.stop();
  }
}

/**
 * A fresh pricing server with kr.yaml, measured at rest; then kr grown to BIG_TARIFF_MODELS models is
 * published to it as the next version, and it is measured again. One process, so the embedded database's
 * share of the RSS is the same in both figures.
 */
async function memoryRun(root: string) {
  const database = await benchDatabase(root, "memory");
  const child = await BenchChild.start("pricing server", "./pricing-server.ts", database.args, {
    core: 0,
    env: database.env,
  });
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
    await child.stop();
    await database.close();
  }
}

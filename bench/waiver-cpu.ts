import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { waiverMigrations } from "@carfare/damage-waiver";
import { BenchChild } from "./children.js";
import { type BenchDatabase, benchDatabase } from "./databases.js";
import { runH2load } from "./h2load.js";
import { HTTP_LOAD } from "./http-load.js";
import { checkEmptyWaiverQuote, checkWaiverQuote, WAIVER_QUOTE_PATH, waiverQuoteRequest } from "./waiver-request.js";

/**
 * Server CPU time per waiver quote, beside the empty Fastify route: the figure to compare when the machine is
 * shared, because it moves much less with other load than throughput does.
 *
 *   npx tsx bench/waiver-cpu.ts [--rounds=3] [--seconds=8] [--against=DIR]
 *
 * Both servers of section 5 (bench/waiver-server.ts on a database of its own, bench/empty-fastify-server.ts)
 * run at once, pinned to core 0; the load of section 5 (h2load --h1, 256 connections, on core 1) goes to one,
 * then the other, in turn: one unmeasured run each to warm up, then `rounds` measured runs each. For each run,
 * the server's CPU time (`process.cpuUsage()`, user + system, all threads) over the whole h2load run divided
 * by the requests the server answered in it (its own tally: the latency histogram of the real server, the
 * answer count of the empty one). The ratio empty / real of CPU per request is the throughput ratio the
 * servers would reach on a core of their own, if nothing but their CPU time counted.
 *
 * `--against=DIR` adds a third server to every round: the waiver server of another built checkout of this
 * repository (its `bench/waiver-server.ts`, with its own packages), to compare a change with what it changes.
 */
const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "8" },
    against: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);

interface Cpu {
  readonly user: number;
  readonly system: number;
}
interface Measured {
  readonly cpuMicrosPerRequest: number;
  readonly perSecond: number;
  readonly answered: number;
}

const root = await mkdtemp(join(tmpdir(), "carfare-waiver-cpu-"));
const database = await benchDatabase(root, "waiver", [waiverMigrations]);
const children: BenchChild[] = [];
let otherDatabase: BenchDatabase | undefined;
try {
  const real = await BenchChild.start("waiver server", "./waiver-server.ts", database.args, {
    core: HTTP_LOAD.serverCore,
    env: database.env,
  });
  children.push(real);
  const empty = await BenchChild.start("empty Fastify server", "./empty-fastify-server.ts", [], {
    core: HTTP_LOAD.serverCore,
  });
  children.push(empty);
  otherDatabase = values.against === undefined ? undefined : await benchDatabase(root, "other", [waiverMigrations]);
  const other =
    values.against === undefined || otherDatabase === undefined
      ? undefined
      : await BenchChild.start(
          "other waiver server",
          join(resolve(values.against), "bench/waiver-server.ts"),
          otherDatabase.args,
          {
            core: HTTP_LOAD.serverCore,
            env: otherDatabase.env,
          },
        );
  if (other !== undefined) children.push(other);
  const bodyFile = join(root, "waiver-quote.json");
  await writeFile(bodyFile, JSON.stringify(waiverQuoteRequest));

  const answeredBy = (server: BenchChild) => async () => {
    const stats = await server.request<{ responses: Record<string, number>; errorsLogged: number }>("stats");
    if (stats.errorsLogged > 0) throw new Error(`${server.label} logged ${stats.errorsLogged} errors`);
    return Object.values(stats.responses).reduce((a, b) => a + b, 0);
  };
  const realAnswered = answeredBy(real);
  const emptyAnswered = async () => (await empty.request<{ answered: number }>("stats")).answered;

  const measure = async (child: BenchChild, answered: () => Promise<number>): Promise<Measured> => {
    const countBefore = await answered();
    const cpuBefore = await child.request<Cpu>("cpu");
    const load = await runH2load({
      port: child.port,
      path: WAIVER_QUOTE_PATH,
      headers: ["content-type: application/json"],
      bodyFile,
      logFile: join(root, "h2load.log"),
      http1: true,
      core: HTTP_LOAD.loadCore,
      connections: HTTP_LOAD.connections,
      streams: HTTP_LOAD.pipelined,
      warmUpSeconds: 1,
      seconds,
    });
    const cpuAfter = await child.request<Cpu>("cpu");
    const countAfter = await answered();
    if (load.statusOther + load.failed + load.errored > 0) throw new Error(`${child.label}: h2load saw failures`);
    const micros = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
    return {
      cpuMicrosPerRequest: micros / (countAfter - countBefore),
      perSecond: load.perSecond,
      answered: countAfter,
    };
  };

  const checkAll = async () => {
    await checkWaiverQuote(real.port);
    await checkEmptyWaiverQuote(empty.port);
    if (other !== undefined) await checkWaiverQuote(other.port);
  };
  await checkAll();
  await measure(real, realAnswered);
  await measure(empty, emptyAnswered);
  if (other !== undefined) await measure(other, answeredBy(other));
  const results: { real: Measured; empty: Measured; other?: Measured }[] = [];
  for (let round = 1; round <= rounds; round++) {
    const r = await measure(real, realAnswered);
    const e = await measure(empty, emptyAnswered);
    const o = other === undefined ? undefined : await measure(other, answeredBy(other));
    results.push({ real: r, empty: e, ...(o === undefined ? {} : { other: o }) });
    console.log(
      `round ${round}: real ${r.cpuMicrosPerRequest.toFixed(1)} µs CPU/request (${Math.round(r.perSecond)} /s), ` +
        `empty ${e.cpuMicrosPerRequest.toFixed(1)} µs (${Math.round(e.perSecond)} /s); ` +
        `CPU empty/real ${((100 * e.cpuMicrosPerRequest) / r.cpuMicrosPerRequest).toFixed(1)} %, ` +
        `throughput real/empty ${((100 * r.perSecond) / e.perSecond).toFixed(1)} %` +
        (o === undefined ? "" : `; other ${o.cpuMicrosPerRequest.toFixed(1)} µs (${Math.round(o.perSecond)} /s)`),
    );
  }
  await checkAll();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const realCpu = median(results.map((x) => x.real.cpuMicrosPerRequest));
  const emptyCpu = median(results.map((x) => x.empty.cpuMicrosPerRequest));
  console.log(
    `median: real ${realCpu.toFixed(1)} µs, empty ${emptyCpu.toFixed(1)} µs CPU/request: ` +
      `empty/real ${((100 * emptyCpu) / realCpu).toFixed(1)} %; throughput real ` +
      `${Math.round(median(results.map((x) => x.real.perSecond)))} /s, empty ` +
      `${Math.round(median(results.map((x) => x.empty.perSecond)))} /s`,
  );
  if (other !== undefined) {
    const otherCpu = median(results.map((x) => x.other?.cpuMicrosPerRequest ?? Number.NaN));
    console.log(
      `median, other checkout (${values.against}): ${otherCpu.toFixed(1)} µs CPU/request, ` +
        `${Math.round(median(results.map((x) => x.other?.perSecond ?? Number.NaN)))} /s`,
    );
  }
} finally {
  for (const child of children) await child.stop();
  await database.close();
  await otherDatabase?.close();
  await rm(root, { recursive: true, force: true });
}

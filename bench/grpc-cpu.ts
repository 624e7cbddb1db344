import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BenchChild } from "./children.js";
import { TICKS_PER_SECOND } from "./cpu-usage.js";
import { type BenchDatabase, benchDatabase } from "./databases.js";
import { LOAD, loadProblems, loadServer } from "./grpc-load.js";
import { checkEmpty, checkQuote, quoteRequestBody } from "./quote-request.js";

/**
 * Server CPU time per Quote call, for the real server with and without its quote log and for the empty
 * grpc-js server: the figures to compare when the machine is shared, because they move much less with
 * other load than throughput does (see waiver-cpu.ts for the waiver service).
 *
 *   npx tsx bench/grpc-cpu.ts [--rounds=3] [--seconds=6]
 *
 * The three servers of section 2 run at once, pinned to core 0, each real one on a database of its own; the
 * load of section 2 (h2load, 8 connections × 32 streams, on core 1) goes to each in turn: one unmeasured
 * run each to warm up, then `rounds` measured runs each, each run `loadServer`'s (checked before and after).
 * For each run, the server's CPU time (user + system, all threads, from /proc) over the h2load run divided
 * by the calls it ended OK in it (its channelz counters, warm-up included, as the CPU time is). The quote log's rows are written by PostgreSQL on whichever core is free, which this does not
 * count: it is the server's share only.
 */
const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "6" } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);

interface Measured {
  readonly cpuMicrosPerCall: number;
  readonly perSecond: number;
}

const root = await mkdtemp(join(tmpdir(), "carfare-grpc-cpu-"));
const databases: BenchDatabase[] = [];
const children: BenchChild[] = [];
try {
  const body = quoteRequestBody();
  const bodyFile = join(root, "quote-request.bin");
  await writeFile(bodyFile, body);
  const realServer = async (label: string, args: string[]) => {
    const database = await benchDatabase(root, label.replaceAll(" ", "-"));
    databases.push(database);
    const child = await BenchChild.start(label, "./pricing-server.ts", [...database.args, ...args], {
      core: LOAD.serverCore,
      env: database.env,
    });
    children.push(child);
    return child;
  };
  const servers = [
    { child: await realServer("real server", []), check: (port: number) => checkQuote(port, body) },
    {
      child: await realServer("real server, quote log off", ["--no-quote-log"]),
      check: (port: number) => checkQuote(port, body),
    },
    {
      child: await BenchChild.start("empty server", "./empty-server.ts", [], { core: LOAD.serverCore }),
      check: (port: number) => checkEmpty(port, body),
    },
  ];
  children.push(servers[2]?.child as BenchChild);

  const measure = async ({ child, check }: (typeof servers)[number]): Promise<Measured> => {
    const run = await loadServer(child, { bodyFile, logFile: join(root, "h2load.log") }, check, {
      warmUpSeconds: 1,
      seconds,
    });
    const problems = loadProblems(run);
    if (problems.length > 0) throw new Error(`${child.label}: ${problems.join("; ")}`);
    return {
      cpuMicrosPerCall: (run.serverTicks * 1e6) / TICKS_PER_SECOND / run.during.succeeded,
      perSecond: run.load.perSecond,
    };
  };

  for (const server of servers) await measure(server);
  const results: Measured[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const run: Measured[] = [];
    for (const server of servers) run.push(await measure(server));
    results.push(run);
    console.log(
      `round ${round}: ${servers
        .map(
          (s, i) =>
            `${s.child.label} ${run[i]?.cpuMicrosPerCall.toFixed(1)} µs (${Math.round(run[i]?.perSecond ?? 0)} /s)`,
        )
        .join("; ")}`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const medians = servers.map((_, i) => median(results.map((run) => run[i]?.cpuMicrosPerCall ?? Number.NaN)));
  const empty = medians[2] ?? Number.NaN;
  console.log(
    `median CPU per call: ${servers
      .map(
        (s, i) =>
          `${s.child.label} ${medians[i]?.toFixed(1)} µs (empty/this ${((100 * empty) / (medians[i] ?? 1)).toFixed(1)} %)`,
      )
      .join("; ")}`,
  );
} finally {
  for (const child of children) await child.stop();
  for (const database of databases) await database.close();
  await rm(root, { recursive: true, force: true });
}

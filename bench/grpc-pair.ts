import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BenchChild } from "./children.js";
import { type BenchDatabase, benchDatabase } from "./databases.js";
import { LOAD, loadProblems, loadServer } from "./grpc-load.js";
import { checkEmpty, checkQuote, quoteRequestBody } from "./quote-request.js";

/**
 * An A/B of two gRPC servers that this VM's drift cannot skew: both run at once on core 0 and are loaded at
 * once, each through grpc-load.ts's `loadServer` (section 2's h2load on core 1, checked calls before and after,
 * channelz counters). Both servers are always runnable, so the
 * scheduler shares core 0 between them evenly, and B's calls per second over A's is A's CPU per call over
 * B's, whatever the core's speed did meanwhile. Two empty servers gave 103 % here; grpc-cpu.ts's figures,
 * taken one server after the other, moved by up to 45 %.
 *
 *   npx tsx bench/grpc-pair.ts --a=empty --b=real [--rounds=3] [--seconds=6] [--against=DIR]
 *
 * A server is `real` (the real server, as section 2 runs it), `real-no-log` (its quote log off) or `empty`.
 * `--against=DIR` runs B from another built checkout (a `git worktree` of a baseline): the A/B of a change.
 */
const { values } = parseArgs({
  options: {
    a: { type: "string", default: "empty" },
    b: { type: "string", default: "real" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "6" },
    against: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);

const root = await mkdtemp(join(tmpdir(), "carfare-grpc-pair-"));
const databases: BenchDatabase[] = [];
const children: BenchChild[] = [];
try {
  const body = quoteRequestBody();
  const bodyFile = join(root, "quote-request.bin");
  await writeFile(bodyFile, body);

  const start = async (kind: string, side: string, checkout?: string): Promise<BenchChild> => {
    const label = `${side}: ${kind}${checkout === undefined ? "" : ` (${checkout})`}`;
    if (kind === "empty") return BenchChild.start(label, "./empty-server.ts", [], { core: LOAD.serverCore });
    if (kind !== "real" && kind !== "real-no-log")
      throw new Error(`${side}: no server "${kind}"; the servers are real, real-no-log and empty`);
    const database = await benchDatabase(root, side);
    databases.push(database);
    const script = checkout === undefined ? "./pricing-server.ts" : resolve(checkout, "bench/pricing-server.ts");
    const args = [...database.args, ...(kind === "real-no-log" ? ["--no-quote-log"] : [])];
    return BenchChild.start(label, script, args, { core: LOAD.serverCore, env: database.env });
  };
  const a = await start(values.a, "A");
  children.push(a);
  const b = await start(values.b, "B", values.against);
  children.push(b);

  const checkOf = (child: BenchChild) => ((child === a ? values.a : values.b) === "empty" ? checkEmpty : checkQuote);
  const both = async (duration: number) => {
    const timing = { warmUpSeconds: 1, seconds: duration };
    const runs = await Promise.all(
      [a, b].map((child) =>
        loadServer(
          child,
          { bodyFile, logFile: join(root, `h2load-${child.pid}.log`) },
          (port) => checkOf(child)(port, body),
          timing,
        ),
      ),
    );
    for (const [i, run] of runs.entries()) {
      const problems = loadProblems(run);
      if (problems.length > 0) throw new Error(`${[a, b][i]?.label}: ${problems.join("; ")}`);
    }
    return runs.map((run) => run.load);
  };

  await both(3); // warm-up, not counted
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const [ra, rb] = await both(seconds);
    const ratio = (rb?.perSecond ?? 0) / (ra?.perSecond ?? 1);
    ratios.push(ratio);
    console.log(
      `round ${round}: ${a.label} ${Math.round(ra?.perSecond ?? 0)} /s; ${b.label} ${Math.round(rb?.perSecond ?? 0)} /s; B/A ${(100 * ratio).toFixed(1)} %`,
    );
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  console.log(`median B/A: ${(100 * (sorted[Math.floor(sorted.length / 2)] ?? Number.NaN)).toFixed(1)} %`);
} finally {
  for (const child of children) await child.stop();
  for (const database of databases) await database.close();
  await rm(root, { recursive: true, force: true });
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BenchChild, type ChildOptions } from "./children.js";
import { type BenchDatabase, benchDatabase } from "./databases.js";

/**
 * Paired runs: two servers pinned to the same core and loaded at the same time, each by its own load
 * generator on the other core. Both are always runnable, so the scheduler shares their core evenly, and B's
 * requests per second over A's is A's CPU per request over B's, whatever the core's speed did meanwhile.
 * On this VM, figures taken one server after the other moved by up to 45 % between runs; two equal servers
 * paired come out at 97–103 %.
 */

/** h2load's warm-up and measured seconds of one run. */
export interface Timing {
  readonly warmUpSeconds: number;
  readonly seconds: number;
}

/** One run of one server, and what is wrong with it (empty when it is sound). */
export interface CheckedRun<R> {
  readonly run: R;
  readonly perSecond: number;
  readonly problems: readonly string[];
}

export interface PairedRound<R> {
  readonly a: CheckedRun<R>;
  readonly b: CheckedRun<R>;
  /** B's requests per second over A's. */
  readonly ratio: number;
}

export interface Paired<R> {
  readonly rounds: readonly PairedRound<R>[];
  /** The median of the rounds' ratios. */
  readonly ratio: number;
  /** Every problem of every run, warm-up included, each prefixed with its server's label. */
  readonly problems: readonly string[];
}

/**
 * One unmeasured run of 1 + 3 s to warm both servers up, then `rounds` runs of 1 + `seconds` s, A and B loaded
 * at once each time by `loadOne`. Stops at the first run with a problem.
 */
async function pairedLoad<R>(
  a: BenchChild,
  b: BenchChild,
  loadOne: (child: BenchChild, timing: Timing) => Promise<CheckedRun<R>>,
  options: { readonly rounds: number; readonly seconds: number; readonly onRound?: (round: PairedRound<R>) => void },
): Promise<Paired<R>> {
  const problems: string[] = [];
  const both = async (seconds: number) => {
    const timing = { warmUpSeconds: 1, seconds };
    const [ra, rb] = (await Promise.all([a, b].map((child) => loadOne(child, timing)))) as [
      CheckedRun<R>,
      CheckedRun<R>,
    ];
    problems.push(...ra.problems.map((p) => `${a.label}: ${p}`), ...rb.problems.map((p) => `${b.label}: ${p}`));
    return { a: ra, b: rb, ratio: rb.perSecond / ra.perSecond };
  };
  const rounds: PairedRound<R>[] = [];
  await both(3);
  for (let i = 0; i < options.rounds && problems.length === 0; i++) {
    const round = await both(options.seconds);
    rounds.push(round);
    options.onRound?.(round);
  }
  const ratios = rounds.map((r) => r.ratio).sort((x, y) => x - y);
  return { rounds, ratio: ratios[Math.floor(ratios.length / 2)] ?? Number.NaN, problems };
}

/** A bench server child and the throwaway database it runs on, if any. */
export interface BenchServer {
  readonly child: BenchChild;
  readonly where: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts a bench server script of `bench/` (or of the `bench/` of another built checkout), on a database of
 * its own when `database` names the migrations it needs.
 */
export async function startBenchServer(
  label: string,
  script: string,
  options: {
    readonly root: string;
    readonly args?: readonly string[];
    readonly database?: Parameters<typeof benchDatabase>[2];
    readonly checkout?: string;
    readonly core: ChildOptions["core"];
  },
): Promise<BenchServer> {
  const path = options.checkout === undefined ? `./${script}` : resolve(options.checkout, "bench", script);
  let database: BenchDatabase | undefined;
  if (options.database !== undefined)
    database = await benchDatabase(options.root, label.replace(/\W+/g, "-"), options.database);
  try {
    const child = await BenchChild.start(label, path, [...(database?.args ?? []), ...(options.args ?? [])], {
      core: options.core,
      ...(database === undefined ? {} : { env: database.env }),
    });
    return {
      child,
      where: database?.where,
      async stop() {
        await child.stop();
        await database?.close();
      },
    };
  } catch (error) {
    await database?.close();
    throw error;
  }
}

/** Starts a server of a given kind: its label, the run's temporary root, and optionally another checkout. */
export type StartServer<K> = (kind: K, label: string, root: string, checkout?: string) => Promise<BenchServer>;
/** Loads one server of a given kind once and checks the run. */
export type LoadOne<K, R> = (kind: K, child: BenchChild, timing: Timing) => Promise<CheckedRun<R>>;

/** A paired run of fresh servers: A and B started (B from `b.checkout` if given), `pairedLoad`, both stopped. */
export async function pairedServers<K, R>(
  root: string,
  sides: { readonly a: Side<K>; readonly b: Side<K> },
  start: StartServer<K>,
  loadOne: LoadOne<K, R>,
  options: Parameters<typeof pairedLoad<R>>[3],
): Promise<Paired<R>> {
  const servers: BenchServer[] = [];
  try {
    const a = await start(sides.a.kind, sides.a.label, root, sides.a.checkout);
    servers.push(a);
    const b = await start(sides.b.kind, sides.b.label, root, sides.b.checkout);
    servers.push(b);
    const kindOf = (child: BenchChild) => (child === a.child ? sides.a.kind : sides.b.kind);
    return await pairedLoad(a.child, b.child, (child, timing) => loadOne(kindOf(child), child, timing), options);
  } finally {
    for (const server of servers) await server.stop();
  }
}

export interface Side<K> {
  readonly kind: K;
  readonly label: string;
  readonly checkout?: string;
}

/**
 * The command line of grpc-pair.ts and waiver-pair.ts: `--a=KIND --b=KIND [--rounds=3] [--seconds=6]
 * [--against=DIR]`, each round printed, then the median; exits non-zero on any problem. `prepare` writes
 * what the load needs into the run's temporary directory and returns the load.
 */
export async function pairCommand<K extends string, R>(
  name: string,
  kinds: readonly K[],
  start: StartServer<K>,
  prepare: (root: string) => Promise<LoadOne<K, R>>,
): Promise<void> {
  const { values } = parseArgs({
    options: {
      a: { type: "string", default: "empty" },
      b: { type: "string", default: "real" },
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "6" },
      against: { type: "string" },
    },
  });
  const kindOf = (given: string, side: string): K => {
    if (!(kinds as readonly string[]).includes(given))
      throw new Error(`${side}: no server "${given}"; the servers are ${kinds.join(", ")}`);
    return given as K;
  };
  const a = kindOf(values.a, "A");
  const b = kindOf(values.b, "B");
  const root = await mkdtemp(join(tmpdir(), `carfare-${name}-`));
  try {
    let index = 0;
    const paired = await pairedServers(
      root,
      {
        a: { kind: a, label: `A: ${a}` },
        b: {
          kind: b,
          label: `B: ${b}${values.against === undefined ? "" : ` (${values.against})`}`,
          ...(values.against === undefined ? {} : { checkout: values.against }),
        },
      },
      start,
      await prepare(root),
      {
        rounds: Number(values.rounds),
        seconds: Number(values.seconds),
        onRound: (round) => console.log(roundLine(++index, round)),
      },
    );
    if (paired.problems.length > 0) throw new Error(paired.problems.join("; "));
    console.log(`median B/A: ${(100 * paired.ratio).toFixed(1)} %`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** A round as the pair tools print it. */
function roundLine<R>(index: number, round: PairedRound<R>): string {
  return (
    `round ${index}: A ${Math.round(round.a.perSecond)} /s; B ${Math.round(round.b.perSecond)} /s; ` +
    `B/A ${(100 * round.ratio).toFixed(1)} %`
  );
}

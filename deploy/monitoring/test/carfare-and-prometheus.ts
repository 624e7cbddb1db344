/**
 * What live-prometheus.test.ts runs, as production runs it: `carfare migrate`, then one process per service
 * (`carfare serve pricing`, `carfare serve waiver`), each with its own /metrics port, and Debian's real
 * `prometheus` scraping those ports through deploy/monitoring/prometheus.yml (its Kubernetes pod discovery
 * replaced by static stand-ins, so that its relabelling names the jobs) and evaluating alerts.rules.yaml.
 *
 * Every child process is tracked: `stopAll()` ends them (SIGTERM, then SIGKILL), whatever happened before.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import { type PodStandIn, RULES_FILE, withStaticPods } from "./monitoring-queries.js";

const ROOT = new URL("../../../", import.meta.url).pathname;
const CARFARE = join(ROOT, "packages/cli/bin/carfare.js");

const children = new Set<ChildProcess>();
/** Set by `stopAll()`: a start still under way then (a timed-out beforeAll) starts nothing more. */
let stopping = false;
// Should the test runner itself go away, take the children with it.
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Ends every child started here: SIGTERM, and SIGKILL for those still there after `graceMs`. */
export async function stopAll(graceMs = 5_000): Promise<void> {
  stopping = true;
  await Promise.all(
    [...children].map(async (child) => {
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once("exit", () => resolve());
      });
      child.kill("SIGTERM");
      const gone = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!gone) {
        child.kill("SIGKILL");
        await exited;
      }
      children.delete(child);
    }),
  );
}

/** A child whose output is kept (the last 64 KiB of each stream), for the error messages. */
interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when it has exited (or could not start). */
  readonly exit: Promise<{ code: number | null; signal: string | null; error?: Error }>;
  /** What to throw when it exited while it should not have. */
  exitError(): Error;
}

function start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  if (stopping) throw new Error(`${name}: not started, the test is being torn down`);
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const out = { stdout: "", stderr: "" };
  const keep = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    out[stream] = (out[stream] + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on("data", keep("stdout"));
  child.stderr?.on("data", keep("stderr"));
  let ended: { code: number | null; signal: string | null; error?: Error } | undefined;
  const exit = new Promise<NonNullable<typeof ended>>((resolve) => {
    const end = (how: NonNullable<typeof ended>) => {
      children.delete(child);
      ended = how;
      resolve(how);
    };
    child.once("error", (error) => end({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => end({ code, signal }));
  });
  const exitError = () =>
    new Error(
      `${name} exited (${ended?.error?.message ?? ended?.signal ?? ended?.code}):\n${out.stderr.slice(-4_000)}\n${out.stdout.slice(-4_000)}`,
    );
  return { process: child, stdout: () => out.stdout, stderr: () => out.stderr, exit, exitError };
}

/**
 * Calls `check` every `everyMs` until it gives a value; throws when `child` (if given) exits first, or after
 * `timeoutMs` with `describe()` in the message.
 */
async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; everyMs?: number; child?: Child; describe?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let exited = false;
  void options.child?.exit.then(() => {
    exited = true;
  });
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (exited && options.child !== undefined) throw options.child.exitError();
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${options.timeoutMs / 1000} s${options.describe ? `: ${options.describe()}` : ""}`,
      );
    }
    await sleep(options.everyMs ?? 100);
  }
}

async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A port nobody listens on now (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()));
    });
  });
}

// ------------------------------------------------------------------ carfare

/** The environment of the carfare processes: ours, without any carfare setting or database of the caller. */
export function carfareEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("CARFARE_") && key !== "DATABASE_URL" && key !== "LOG_LEVEL") env[key] = value;
  }
  return { ...env, ...settings };
}

/** Runs `carfare <args>` to its end; throws with its output unless it exits 0. */
export async function runCarfare(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<void> {
  const child = start(`carfare ${args.join(" ")}`, process.execPath, [CARFARE, ...args], env);
  const { code } = await within(timeoutMs, `carfare ${args.join(" ")}`, child.exit);
  if (code !== 0) throw child.exitError();
}

export interface RunningCarfare {
  /** `127.0.0.1:<port>` of the pricing gRPC server (`serve pricing`). */
  readonly grpcAddress: string | undefined;
  /** `http://127.0.0.1:<port>` of the damage-waiver API (`serve waiver`). */
  readonly waiverUrl: string | undefined;
  readonly metricsUrl: string;
  /** What it logged (JSON lines), for error messages. */
  logs(): string;
}

/** Starts `carfare serve <service>` and resolves once it has printed where it listens (its banner). */
export async function startCarfare(
  service: "pricing" | "waiver",
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<RunningCarfare> {
  const child = start(`carfare serve ${service}`, process.execPath, [CARFARE, "serve", service, ...args], env);
  const text = await poll(
    `carfare serve ${service} printing its banner`,
    async () => (child.stderr().includes("  stop ") ? child.stderr() : undefined),
    { timeoutMs, everyMs: 50, child },
  );
  const metricsUrl = /metrics\s+(http:\S+)/.exec(text)?.[1];
  if (metricsUrl === undefined) throw new Error(`carfare serve ${service}: no metrics URL in its banner:\n${text}`);
  const grpcPort = /pricing \(gRPC\)\s+\S+:(\d+)/.exec(text)?.[1];
  return {
    grpcAddress: grpcPort === undefined ? undefined : `127.0.0.1:${grpcPort}`,
    waiverUrl: /waiver \(HTTP\)\s+(http:\S+)/.exec(text)?.[1],
    metricsUrl,
    logs: child.stdout,
  };
}

// ------------------------------------------------------------------ prometheus

/** The version of the `prometheus` on PATH; throws a message saying what to install when there is none. */
export function prometheusVersion(): string {
  const probe = spawnSync("prometheus", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      "Debian's `prometheus` is not installed (no `prometheus` on PATH): this test runs the real Prometheus. " +
        "Install it with `sudo apt-get install --no-install-recommends prometheus` (.ci/run's monitoring step does) " +
        `and run \`npm run test:monitoring\` again. (${probe.error?.message ?? probe.stderr})`,
    );
  }
  return /version (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? "unknown";
}

export interface PrometheusSeries {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface RunningPrometheus {
  readonly url: string;
  /** `GET /api/v1/query`: the instant vector, or throws with Prometheus' error. */
  query(expr: string): Promise<PrometheusSeries[]>;
  /** `GET /api/v1/<path>`: the `data` of a successful answer. */
  api<T>(path: string): Promise<T>;
  /**
   * Resolves once every target is up and its samples of a scrape that began after `since` can be queried (the
   * targets API reports a scrape before its samples are committed: its `up` sample is committed with them).
   */
  scrapedAfter(since: number, timeoutMs?: number): Promise<void>;
  log(): string;
}

/**
 * Starts `prometheus` on a free loopback port with deploy/monitoring/prometheus.yml for these pods, scraping and
 * evaluating the rules every `intervalSeconds`, its TSDB in `dir`; resolves once `/-/ready` answers.
 */
export async function startPrometheus(options: {
  dir: string;
  pods: readonly PodStandIn[];
  intervalSeconds: number;
}): Promise<RunningPrometheus> {
  const config = withStaticPods(options.pods);
  const every = `${options.intervalSeconds}s`;
  config.global = { ...config.global, scrape_interval: every, scrape_timeout: every, evaluation_interval: every };
  for (const job of config.scrape_configs) {
    // A job's own interval would win over the global one.
    delete job.scrape_interval;
    delete job.scrape_timeout;
  }
  config.rule_files = [RULES_FILE];
  delete config.alerting;
  const configFile = join(options.dir, "prometheus.yml");
  await writeFile(configFile, YAML.stringify(config));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = start(
    "prometheus",
    "prometheus",
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    process.env,
  );
  await poll(
    `prometheus ready on ${url}`,
    async () => ((await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
    { timeoutMs: 20_000, child, describe: child.stderr },
  );

  const api = async <T>(path: string): Promise<T> => {
    const answer = await fetch(`${url}/api/v1/${path}`);
    const body = (await answer.json().catch(() => ({}))) as {
      status?: string;
      data?: T;
      errorType?: string;
      error?: string;
    };
    if (!answer.ok || body.status !== "success") {
      throw new Error(
        `prometheus ${path.split("?")[0]}: ${answer.status} ${body.errorType ?? ""}: ${body.error ?? ""}`,
      );
    }
    return body.data as T;
  };
  const query = async (expr: string): Promise<PrometheusSeries[]> => {
    const data = await api<{ resultType: string; result: PrometheusSeries[] }>(
      `query?query=${encodeURIComponent(expr)}`,
    );
    if (data.resultType !== "vector") throw new Error(`${expr}: a ${data.resultType}, not an instant vector`);
    return data.result;
  };
  return {
    url,
    api,
    query,
    async scrapedAfter(since, timeoutMs = 15_000) {
      type Target = { labels: Record<string, string>; health: string; lastScrape: string; lastError: string };
      let targets: Target[] = [];
      await poll(
        `every target scraped after ${new Date(since).toISOString()}`,
        async () => {
          targets = (await api<{ activeTargets: Target[] }>("targets?state=active")).activeTargets;
          if (targets.length === 0 || targets.some((t) => t.health !== "up")) return undefined;
          const scraped = await query("timestamp(up)"); // of a selector: the sample's own time
          const fresh = scraped.filter((s) => Number(s.value[1]) * 1000 > since);
          return fresh.length === targets.length ? true : undefined;
        },
        {
          timeoutMs,
          child,
          describe: () => targets.map((t) => `${t.labels.job} ${t.health} ${t.lastScrape} ${t.lastError}`).join("; "),
        },
      );
    },
    log: child.stderr,
  };
}

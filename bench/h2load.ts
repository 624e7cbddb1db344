import { spawn, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { pinned, track } from "./children.js";

/** Whether Debian's h2load (package nghttp2-client) is on the PATH. */
export function h2loadAvailable(): boolean {
  return spawnSync("h2load", ["--version"]).status === 0;
}

export interface LoadOptions {
  readonly port: number;
  readonly path: string;
  /** Headers sent with every request, `name: value` (h2load sends the same headers every time). */
  readonly headers: readonly string[];
  /** File holding the request body, posted as is with every request. */
  readonly bodyFile: string;
  /**
   * HTTP/1.1 (`--h1`) instead of h2c with prior knowledge: for HTTP/1.1 servers such as Fastify. `streams`
   * is then how many requests each connection pipelines; 1 means none, as ordinary clients do.
   */
  readonly http1?: boolean;
  /** Per-request log (`--log-file`) to write, read back for the percentiles. */
  readonly logFile: string;
  readonly core: number;
  readonly connections: number;
  readonly streams: number;
  readonly warmUpSeconds: number;
  readonly seconds: number;
}

export interface LoadResult {
  /** Requests per second over the measured duration (warm-up excluded), as h2load reports it. */
  readonly perSecond: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly errored: number;
  readonly timeout: number;
  readonly status2xx: number;
  readonly statusOther: number;
  /** h2load's "time for request" mean, ms. */
  readonly meanMs: number;
  /** From the per-request log: rows with a 2xx status, and their latency percentiles in ms. */
  readonly logged2xx: number;
  /** Rows logged with status -1 (stream failed). */
  readonly loggedFailed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU time h2load used (user + system), warm-up included. */
  readonly cpuSeconds: number;
  readonly command: string;
  readonly output: string;
}

/**
 * Runs h2load — h2c with prior knowledge (its default for http:// URIs), or HTTP/1.1 with `http1` — on its
 * own core: `connections` connections with `streams` concurrent streams each, a warm-up that is not counted,
 * then `seconds` of measurement, every request a POST of the same body with the same headers.
 */
export async function runH2load(options: LoadOptions): Promise<LoadResult> {
  const args = [
    "--clients",
    String(options.connections),
    "--max-concurrent-streams",
    String(options.streams),
    `--warm-up-time=${options.warmUpSeconds}`,
    `--duration=${options.seconds}`,
    ...(options.http1 ? ["--h1"] : []),
    ...options.headers.map((header) => `--header=${header}`),
    `--data=${options.bodyFile}`,
    `--log-file=${options.logFile}`,
    `http://127.0.0.1:${options.port}${options.path}`,
  ];
  // Through sh only for its `times` builtin, which prints the CPU time h2load used (its last line, on stderr).
  const script = 'h2load "$@"; status=$?; times >&2; exit $status';
  const [command, commandArgs] = pinned(options.core, "sh", ["-c", script, "h2load", ...args]);
  const { output, cpuTimes } = await new Promise<{ output: string; cpuTimes: string }>((resolve, reject) => {
    // A process group of its own, so that the bench can kill sh and h2load together.
    const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    track(child, true);
    let output = "";
    let errors = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve({ output, cpuTimes: errors.trim().split("\n").at(-1) ?? "" })
        : reject(new Error(`h2load exited with ${code}\n${output}${errors}`)),
    );
  });
  const printed = pinned(options.core, "h2load", args)
    .flat()
    .map((a) => (/[\s']/.test(a) ? `'${a}'` : a))
    .join(" ");
  return {
    ...parseSummary(output),
    ...(await percentiles(options.logFile)),
    cpuSeconds: parseTimes(cpuTimes),
    command: printed,
    output,
  };
}

/** The children's line of `times`: `0m7.530s 0m1.190s` (user, system) → seconds. */
function parseTimes(line: string): number {
  const match = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(line.trim());
  if (match === null) return Number.NaN;
  return Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) * 60 + Number(match[4]);
}

function parseSummary(output: string) {
  const number = (pattern: RegExp, what: string): number => {
    const match = pattern.exec(output);
    if (match?.[1] === undefined) throw new Error(`h2load output lacks ${what}:\n${output}`);
    return Number(match[1]);
  };
  const statuses = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(output);
  if (statuses === null) throw new Error(`h2load output lacks the status codes:\n${output}`);
  const time = /time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)/.exec(output);
  if (time === null) throw new Error(`h2load output lacks "time for request":\n${output}`);
  return {
    perSecond: number(/finished in [\d.]+\w+, ([\d.]+) req\/s/, "req/s"),
    total: number(/requests: (\d+) total/, "the request total"),
    succeeded: number(/(\d+) succeeded/, "succeeded"),
    failed: number(/(\d+) failed/, "failed"),
    errored: number(/(\d+) errored/, "errored"),
    timeout: number(/(\d+) timeout/, "timeout"),
    status2xx: Number(statuses[1]),
    statusOther: Number(statuses[2]) + Number(statuses[3]) + Number(statuses[4]),
    meanMs: toMs(Number(time[5]), time[6] as string),
  };
}

function toMs(value: number, unit: string): number {
  return unit === "us" ? value / 1000 : unit === "s" ? value * 1000 : value;
}

/**
 * Latency percentiles from h2load's per-request log (start µs, status, µs to the end of the response).
 * Only 2xx rows count. Rows with status 0 are streams that straddled the end of the warm-up: h2load counts
 * them in neither phase, and neither does this.
 */
async function percentiles(logFile: string) {
  const durations: number[] = [];
  let loggedFailed = 0;
  for (const line of (await readFile(logFile, "utf8")).split("\n")) {
    const [, status, micros] = line.split("\t");
    if (status === undefined || micros === undefined) continue;
    const code = Number(status);
    if (code >= 200 && code < 300) durations.push(Number(micros));
    else if (code === -1) loggedFailed++;
  }
  if (durations.length === 0) throw new Error(`${logFile}: no successful request logged`);
  const sorted = Float64Array.from(durations).sort();
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) / 1000;
  return {
    logged2xx: sorted.length,
    loggedFailed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: (sorted[sorted.length - 1] as number) / 1000,
  };
}

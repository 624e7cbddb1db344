import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/** Every child started and not yet reaped, so that an exit of any kind can kill what is left. */
const live = new Set<ChildProcess>();
/** Children that lead a process group of their own (h2load under its sh): killed as a group. */
const groups = new WeakSet<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    try {
      if (groups.has(child) && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Kills `child` (with its process group when `group`) if the bench exits or is interrupted first. */
export function track(child: ChildProcess, group = false): void {
  live.add(child);
  if (group) groups.add(child);
  child.once("exit", () => live.delete(child));
}

process.once("exit", killAll);
// Interrupted: kill the children, so that every step waiting on one fails and the bench unwinds through its
// `finally` blocks (throwaway databases dropped, temporary files removed); exit anyway after 10 s. The
// handlers stay installed and ignore further signals: Ctrl-C under `npm run bench` delivers SIGINT twice
// (to the whole process group, and again relayed by tsx), and with no listener left tsx's own handler
// would exit at once, skipping the clean-up.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the bench\n`);
    killAll();
    setTimeout(() => process.exit(130), 10_000).unref();
  });
}

/** Whether `taskset` can pin processes here (util-linux; absent on macOS). */
export const canPin = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/** `command args…` prefixed with `taskset -c <core>` when pinning is possible. */
export function pinned(core: number, command: string, args: readonly string[]): [string, string[]] {
  return canPin ? ["taskset", ["-c", String(core), command, ...args]] : [command, [...args]];
}

/** Node with the tsx loader, so a bench TypeScript file runs as one process (its pid is the server's pid). */
export function nodeScript(script: string, args: readonly string[] = [], nodeFlags: readonly string[] = []): string[] {
  return [...nodeFlags, "--import", "tsx", new URL(script, import.meta.url).pathname, ...args];
}

/**
 * Runs a bench script to completion in a child pinned to `core` and returns the JSON of the last line it
 * printed on stdout. Killed with the bench like every other child.
 */
export function runScript<T>(script: string, args: readonly string[], options: ChildOptions): Promise<T> {
  const [command, commandArgs] = pinned(options.core, process.execPath, nodeScript(script, args));
  const child = spawn(command, commandArgs, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  track(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<T>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0) reject(new Error(`${script} exited with ${code}\n${stderr}`));
      else {
        try {
          resolve(JSON.parse(last) as T);
        } catch {
          reject(new Error(`${script} printed no JSON result:\n${stdout}\n${stderr}`));
        }
      }
    });
  });
}

export interface ChildOptions {
  readonly core: number;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the ready line. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

/**
 * A bench server in a child process, pinned to one core, driven over the control protocol of
 * child-control.ts. The child is started with `taskset … node`, and taskset execs node, so `pid` is the
 * server's own pid (what /proc/<pid>/status describes).
 */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderrTail: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
    readonly ready: Record<string, unknown> & { pid: number; port: number },
    exited: Promise<number | null>,
  ) {
    this.exited = exited;
  }

  get pid(): number {
    return this.ready.pid;
  }

  get port(): number {
    return this.ready.port;
  }

  static start(label: string, script: string, args: readonly string[], options: ChildOptions): Promise<BenchChild> {
    // BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const [command, commandArgs] = pinned(
      options.core,
      process.execPath,
      nodeScript(script, args, ["--expose-gc", ...profile]),
    );
    const child = spawn(command, commandArgs, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    track(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const tail: string[] = [];
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
    });

    return new Promise((resolve, reject) => {
      let instance: BenchChild | undefined;
      const timer = setTimeout(
        () => fail(new Error(`${label}: not ready after ${options.readyTimeoutMs ?? 60_000} ms`)),
        options.readyTimeoutMs ?? 60_000,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`${error.message}\n--- ${label} stderr ---\n${tail.join("\n")}`));
      };
      void exited.then((code) => {
        if (instance === undefined) fail(new Error(`${label}: exited with ${code} before it was ready`));
        else instance.onExit(code);
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          tail.push(`(stdout) ${line}`);
          return;
        }
        if (message.event === "ready" && instance === undefined) {
          clearTimeout(timer);
          instance = new BenchChild(label, child, message as BenchChild["ready"], exited);
          instance.stderrTail = tail;
          resolve(instance);
        } else instance?.onReply(message);
      });
    });
  }

  /** Sends a command and waits for its answer. */
  request<T>(cmd: string, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin?.write(`${JSON.stringify({ id, cmd })}\n`);
    });
  }

  /** Resident set size of the child in KiB, from /proc/<pid>/status (VmRSS). */
  rssKiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match === null) throw new Error(`no VmRSS in /proc/${this.pid}/status`);
    return Number(match[1]);
  }

  /** Asks the child to stop cleanly; kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!live.has(this.child)) return;
    this.child.stdin?.end(`${JSON.stringify({ id: 0, cmd: "stop" })}\n`);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines the child wrote to stderr (its logs), for error reports. */
  stderr(): string {
    return this.stderrTail.join("\n");
  }

  private onReply(message: Record<string, unknown>): void {
    const waiter = this.pending.get(message.id as number);
    if (waiter === undefined) return;
    this.pending.delete(message.id as number);
    if (message.ok === true) waiter.resolve(message.value);
    else waiter.reject(new Error(`${this.label}: ${String(message.error)}`));
  }

  private onExit(code: number | null): void {
    for (const waiter of this.pending.values()) waiter.reject(new Error(`${this.label}: exited with ${code}`));
    this.pending.clear();
  }
}

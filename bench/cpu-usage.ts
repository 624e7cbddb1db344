import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/stat and /proc/<pid>/stat (USER_HZ; 100 on every usual Linux). */
export const TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim()) || 100;

/**
 * Clock ticks spent so far: per core (busy, of which interrupt handling, and total, from /proc/stat) and by
 * one process (all its threads).
 */
export interface CpuSnapshot {
  readonly cores: readonly { readonly busy: number; readonly interrupts: number; readonly total: number }[];
  readonly process: number;
}

export function cpuSnapshot(pid: number): CpuSnapshot {
  const cores = [];
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    if (!/^cpu\d+ /.test(line)) continue;
    // user nice system idle iowait irq softirq steal …
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .split(/\s+/)
      .slice(1, 9)
      .map(Number) as number[];
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    cores.push({ busy, interrupts: (irq ?? 0) + (softirq ?? 0), total: busy + (idle ?? 0) + (iowait ?? 0) });
  }
  return { cores, process: processTicks(pid) };
}

/** Clock ticks a process has spent so far (user + system, all its threads); throws if it does not exist. */
export function processTicks(pid: number): number {
  // Fields after the command name: state ppid … utime (14th field overall) stime (15th).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

/** Clock ticks spent so far by each of `pids` that still exists (others are left out). */
export function ticksOf(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    try {
      ticks.set(pid, processTicks(pid));
    } catch {
      // Gone (a backend that ended): its time is not counted.
    }
  }
  return ticks;
}

/**
 * How a core was used between two snapshots, as fractions of its time: busy at all, by the process, by
 * interrupt handling (the loopback traffic's softirqs, partly), and by everything else — other processes.
 */
export interface CoreUse {
  readonly busy: number;
  readonly byProcess: number;
  readonly interrupts: number;
  readonly byOthers: number;
}

export function coreUse(before: CpuSnapshot, after: CpuSnapshot, core: number): CoreUse {
  const a = before.cores[core];
  const b = after.cores[core];
  if (a === undefined || b === undefined)
    return { busy: Number.NaN, byProcess: Number.NaN, interrupts: Number.NaN, byOthers: Number.NaN };
  const total = b.total - a.total;
  const busy = (b.busy - a.busy) / total;
  const byProcess = (after.process - before.process) / total;
  const interrupts = (b.interrupts - a.interrupts) / total;
  return { busy, byProcess, interrupts, byOthers: Math.max(0, busy - byProcess - interrupts) };
}

/** The clock ticks of one core between two snapshots: what a fraction of "one core" is out of. */
export function coreTicks(before: CpuSnapshot, after: CpuSnapshot, core: number): number {
  return (after.cores[core]?.total ?? Number.NaN) - (before.cores[core]?.total ?? Number.NaN);
}

/** How a core was used by a process whose CPU time is known in seconds (one that has exited, like h2load). */
export function coreUseOf(before: CpuSnapshot, after: CpuSnapshot, core: number, cpuSeconds: number): CoreUse {
  const a = before.cores[core];
  const b = after.cores[core];
  if (a === undefined || b === undefined)
    return { busy: Number.NaN, byProcess: Number.NaN, interrupts: Number.NaN, byOthers: Number.NaN };
  const total = b.total - a.total;
  const busy = (b.busy - a.busy) / total;
  const byProcess = (cpuSeconds * TICKS_PER_SECOND) / total;
  const interrupts = (b.interrupts - a.interrupts) / total;
  return { busy, byProcess, interrupts, byOthers: Math.max(0, busy - byProcess - interrupts) };
}

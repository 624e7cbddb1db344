import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite is a single-process database: two processes opening one data directory would corrupt it. Whoever
 * opens the embedded database first takes this lock; a second process is told who holds it. A lock left by
 * a process that died is taken over.
 */
export function lockEmbeddedDatabase(dataDir: string, purpose: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "db.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder.pid)) {
        throw new Error(
          `the embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.purpose}); ` +
            "stop it first, or talk to it through its API (the CLI's tariff, coupon and quote commands do)",
        );
      }
      unlinkSync(path);
    }
  }
  throw new Error(`could not lock the embedded database in ${dataDir}`);
}

function readHolder(path: string): { pid: number; purpose: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { pid?: unknown; purpose?: unknown };
    return typeof parsed.pid === "number"
      ? { pid: parsed.pid, purpose: String(parsed.purpose ?? "unknown") }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

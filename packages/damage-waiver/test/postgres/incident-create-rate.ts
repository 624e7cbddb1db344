/**
 * Measures incident creations per second through `PostgresIncidentRepository` on the real PostgreSQL of
 * `DATABASE_URL`: a throwaway migrated database, a pool of 10 connections, `concurrency` creations in flight.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
 *     npx tsx packages/damage-waiver/test/postgres/incident-create-rate.ts [count=2000] [concurrency=32]
 *
 * Besides the rate it prints the CPU time per creation of this process and, when the server runs on this
 * machine, of the pool's server processes (read from /proc): on a shared machine the rate moves with the
 * other load, the CPU per creation much less.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createTestDatabase, openDatabase, queryRows } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { PostgresIncidentRepository } from "../../src/adapters/postgres/incident.repository.js";
import { PostgresWaiverPolicyRepository } from "../../src/adapters/postgres/policy.repository.js";
import { waiverMigrations } from "../../src/adapters/postgres/waiver-migrations.js";
import { aReportedIncident, creationOf, referencePolicy } from "./waiver-test-data.js";

const COUNT = Number(process.argv[2] ?? 2_000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const POOL_SIZE = 10;

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("set DATABASE_URL to a PostgreSQL server");
  const scratch = await createTestDatabase("postgres", [waiverMigrations]);
  const url = new URL(adminUrl);
  url.pathname = `/${scratch.name}`;
  let closing = false;
  const handle = await openDatabase({
    url: url.toString(),
    poolSize: POOL_SIZE,
    applicationName: "carfare-bench",
    // Dropping the scratch database ends connections the ended pool may still be closing: nothing to report.
    onPoolError: (error) => {
      if (!closing) process.emitWarning(`idle PostgreSQL connection failed: ${error.message}`);
    },
  });
  try {
    await new PostgresWaiverPolicyRepository(handle.db).publish(referencePolicy(), "bench", new Date());
    const incidents = new PostgresIncidentRepository(handle.db);
    await run(incidents, 300); // warm-up: opens the pool's connections and prepares the statements on each
    const backends = await queryRows<{ pid: number }>(
      handle.db,
      sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'carfare-bench'`,
    );
    const serverBefore = cpuMsOf(backends.map((b) => b.pid));
    const clientBefore = process.cpuUsage();
    const { seconds, latencies } = await run(incidents, COUNT);
    const client = process.cpuUsage(clientBefore);
    const serverAfter = cpuMsOf(backends.map((b) => b.pid));

    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    const perCreate = (ms: number) => `${(ms / COUNT).toFixed(3)} ms`;
    console.log(
      `${COUNT} creates, concurrency ${CONCURRENCY}, pool ${POOL_SIZE}: ${seconds.toFixed(3)} s, ` +
        `${Math.round(COUNT / seconds)} creates/s; latency p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`,
    );
    console.log(
      `CPU per create: this process ${perCreate((client.user + client.system) / 1000)}` +
        (serverBefore === undefined || serverAfter === undefined
          ? ""
          : `, server ${perCreate(serverAfter - serverBefore)}`) +
        `; load average ${loadavg()[0]?.toFixed(2)}`,
    );
  } finally {
    closing = true;
    await handle.close();
    await scratch.close();
  }
}

async function run(incidents: PostgresIncidentRepository, count: number) {
  let next = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const creation = creationOf(aReportedIncident({ rentalId: `rental-${i}` }));
      const started = performance.now();
      const outcome = await incidents.create(creation);
      latencies.push(performance.now() - started);
      if (outcome.kind !== "created") throw new Error(`creation ${i} was not new`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - started) / 1000, latencies };
}

/** User + system CPU time, in ms, of the given local processes; undefined when /proc cannot tell. */
function cpuMsOf(pids: readonly number[]): number | undefined {
  try {
    let ticks = 0;
    for (const pid of pids) {
      // Fields after the command name: utime and stime are the 12th and 13th (clock ticks of 10 ms).
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return pids.length === 0 || Number.isNaN(ticks) ? undefined : ticks * 10;
  } catch {
    return undefined;
  }
}

await main();

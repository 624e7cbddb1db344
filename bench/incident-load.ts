import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { INCIDENTS_PATH, incidentReport } from "./waiver-request.js";

/**
 * The load generator of the incident-creation benchmark. h2load sends the same headers with every request,
 * and every creation needs an `Idempotency-Key` of its own, so this small node:http client does it instead:
 * `--connections` keep-alive HTTP/1.1 connections, each with one request in flight at a time (closed loop),
 * every request a new key and a new rental. A warm-up of `--warm-up` seconds is not measured, then
 * `--seconds` are. Prints one JSON line: the rate of 201s completed in the measured window, latency
 * percentiles of the requests started in it, every status seen over the whole run (warm-up included: each
 * 201 is a row in the database), and the CPU time this process used.
 *
 *   taskset -c 1 node --import tsx bench/incident-load.ts --port PORT [--connections 64] [--warm-up 2]
 *     [--seconds 8] [--policy-version 1] [--run ID]
 */
const { values } = parseArgs({
  options: {
    port: { type: "string" },
    connections: { type: "string", default: "64" },
    "warm-up": { type: "string", default: "2" },
    seconds: { type: "string", default: "8" },
    "policy-version": { type: "string", default: "1" },
    run: { type: "string", default: `${process.pid}` },
  },
});
const port = Number(values.port);
const connections = Number(values.connections);
const policyVersion = Number(values["policy-version"]);
if (!Number.isInteger(port) || port <= 0) throw new Error("incident-load: --port is required");

const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
const statuses: Record<string, number> = {};
let transportErrors = 0;
let firstProblem: string | undefined;
let sequence = 0;

/** One creation: resolves with its status (0 for a transport error) once the whole response has arrived. */
function create(): Promise<number> {
  const n = sequence++;
  const body = Buffer.from(JSON.stringify(incidentReport(`bench-rental-${values.run}-${n}`, policyVersion)));
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: INCIDENTS_PATH,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          "idempotency-key": `bench-${values.run}-${n}`,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          if (status !== 201) chunks.push(chunk);
        });
        res.on("end", () => {
          if (status !== 201) firstProblem ??= `HTTP ${status}: ${Buffer.concat(chunks).toString().slice(0, 500)}`;
          resolve(status);
        });
        res.on("error", (error) => {
          firstProblem ??= String(error);
          resolve(0);
        });
      },
    );
    req.on("error", (error) => {
      firstProblem ??= String(error);
      resolve(0);
    });
    req.end(body);
  });
}

const started = performance.now();
const measureFrom = started + Number(values["warm-up"]) * 1000;
const measureUntil = measureFrom + Number(values.seconds) * 1000;
const latencies: number[] = [];
let createdInWindow = 0;

async function connectionLoop(): Promise<void> {
  while (performance.now() < measureUntil) {
    const sent = performance.now();
    const status = await create();
    const done = performance.now();
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 0) transportErrors++;
    if (status === 201 && done >= measureFrom && done < measureUntil) createdInWindow++;
    if (sent >= measureFrom && status === 201) latencies.push(done - sent);
  }
}

await Promise.all(Array.from({ length: connections }, connectionLoop));
agent.destroy();

const sorted = Float64Array.from(latencies).sort();
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    connections,
    perSecond: createdInWindow / Number(values.seconds),
    measured: createdInWindow,
    sent: sequence,
    statuses,
    transportErrors,
    firstProblem,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  })}\n`,
);

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { connect as connectHttp2 } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PricingServiceClient, QuoteRequest } from "@carfare/pricing/proto";
import { credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = new URL("../bin/carfare.js", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
// The process under test uses the embedded database of its data directory, whatever CI sets.
const { DATABASE_URL: _ciDatabase, ...baseEnv } = process.env;
const GRACE_MS = 5_000;

const QUOTE: QuoteRequest = {
  market: "kr",
  carModelId: "sonata-dn8",
  startAt: new Date("2026-11-28T01:00:00Z"),
  endAt: new Date("2026-11-29T03:00:00Z"),
  memberTier: "",
  couponCode: "",
  delivery: false,
  estimatedKm: 120,
  explain: false,
};
const WAIVER_QUOTE = JSON.stringify({
  market: "kr",
  carClass: "MIDSIZE",
  startAt: "2026-12-01T09:00:00+09:00",
  endAt: "2026-12-02T11:00:00+09:00",
  driverAge: 30,
  licenseYears: 5,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `carfare serve` on free ports and resolves with its gRPC address and waiver URL from the banner. */
async function startServe(
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<{ child: ChildProcess; grpcAddress: string; waiverUrl: string }> {
  const env = {
    ...extraEnv,
    ...baseEnv,
    CARFARE_DATA_DIR: dataDir,
    CARFARE_PRICING_PORT: "0",
    CARFARE_WAIVER_PORT: "0",
    CARFARE_METRICS_PORT: "0",
    CARFARE_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    LOG_LEVEL: "warn",
  };
  const child = spawn(process.execPath, [BIN, "serve"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
  let banner = "";
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      banner += chunk.toString();
      if (banner.includes("  stop ")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${banner}`)));
  });
  const grpcPort = /pricing \(gRPC\)\s+\S+:(\d+)/.exec(banner)?.[1];
  const waiverUrl = /waiver \(HTTP\)\s+(http:\S+)/.exec(banner)?.[1];
  if (grpcPort === undefined || waiverUrl === undefined) throw new Error(`no ports in the banner: ${banner}`);
  return { child, grpcAddress: `127.0.0.1:${grpcPort}`, waiverUrl };
}

/**
 * A Quote whose request message is held back: its HEADERS reach the server (the call is in flight) and the
 * message is sent only when `release` is called. Resolves with the grpc-status of the trailers.
 */
function heldQuote(address: string): { release(): void; done: Promise<string> } {
  const session = connectHttp2(`http://${address}`);
  const stream = session.request({
    ":method": "POST",
    ":path": "/carfare.pricing.v1.PricingService/Quote",
    "content-type": "application/grpc",
    te: "trailers",
  });
  const done = new Promise<string>((resolve, reject) => {
    let code = "no trailers";
    stream.on("trailers", (trailers) => {
      code = String(trailers["grpc-status"]);
    });
    stream.on("response", (headers) => {
      if (headers["grpc-status"] !== undefined) code = String(headers["grpc-status"]);
    });
    stream.on("data", () => {});
    stream.on("close", () => {
      session.close();
      resolve(code);
    });
    stream.on("error", reject);
  });
  return {
    release() {
      const message = QuoteRequest.encode(QUOTE).finish();
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      stream.end(frame);
    },
    done,
  };
}

/** grpc.health.v1.Health/Check of the whole server over raw HTTP/2: "SERVING", "NOT_SERVING", or what failed. */
function healthStatus(address: string): Promise<string> {
  const session = connectHttp2(`http://${address}`);
  session.on("error", () => {});
  const stream = session.request({
    ":method": "POST",
    ":path": "/grpc.health.v1.Health/Check",
    "content-type": "application/grpc",
    te: "trailers",
  });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (error) => resolve(`failed: ${error.message}`));
    stream.on("close", () => {
      session.close();
      // HealthCheckResponse { status = 1 }: frame header, then the tag 0x08 and the enum value.
      const message = Buffer.concat(chunks).subarray(5);
      resolve(message[0] === 0x08 ? (["UNKNOWN", "SERVING", "NOT_SERVING"][message[1] ?? 0] ?? "?") : "no answer");
    });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

/** A waiver quote whose body is sent in two parts: the second only when `release` is called. */
function heldWaiverQuote(url: string): { release(): void; done: Promise<number> } {
  const body = Buffer.from(WAIVER_QUOTE);
  const request = httpRequest(`${url}/v1/waiver-quotes`, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": String(body.length) },
  });
  const done = new Promise<number>((resolve, reject) => {
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
  });
  request.write(body.subarray(0, 10));
  return { release: () => request.end(body.subarray(10)), done };
}

describe("carfare serve on SIGTERM under load", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "carfare-shutdown-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("When SIGTERM arrives with requests in flight, then they all complete, new ones are turned away cleanly, and the process exits 0 within the grace period", async () => {
    const { child, grpcAddress, waiverUrl } = await startServe(dataDir);
    const client = new PricingServiceClient(grpcAddress, credentials.createInsecure());
    try {
      // Requests the servers have certainly received (headers in, body held back) when SIGTERM arrives.
      const heldQuotes = Array.from({ length: 20 }, () => heldQuote(grpcAddress));
      const heldWaivers = Array.from({ length: 20 }, () => heldWaiverQuote(waiverUrl));

      // And a steady load: 100 gRPC and 100 HTTP callers, each calling in a loop until it is turned away.
      let stopping = false;
      const outcomes = { ok: 0, turnedAway: 0, failed: [] as string[] };
      const grpcCaller = async () => {
        while (!stopping) {
          const error = await new Promise<ServiceError | null>((resolve) =>
            client.quote(QUOTE, new Metadata(), { deadline: Date.now() + 10_000 }, (err) => resolve(err)),
          );
          if (error === null) outcomes.ok++;
          else if (error.code === status.UNAVAILABLE) return void outcomes.turnedAway++;
          else return void outcomes.failed.push(`gRPC ${status[error.code]}: ${error.details}`);
        }
      };
      const httpCaller = async () => {
        while (!stopping) {
          try {
            const answer = await fetch(`${waiverUrl}/v1/waiver-quotes`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: WAIVER_QUOTE,
            });
            await answer.arrayBuffer();
            if (answer.status === 200) outcomes.ok++;
            else if (answer.status === 503) return void outcomes.turnedAway++;
            else return void outcomes.failed.push(`HTTP ${answer.status}`);
          } catch {
            // Connection refused or closed by the server before the request was taken: not accepted.
            return void outcomes.turnedAway++;
          }
        }
      };
      const load = Promise.all([
        ...Array.from({ length: 100 }, grpcCaller),
        ...Array.from({ length: 100 }, httpCaller),
      ]);
      // Under way before the signal: more than 100 answered (polled: a loaded machine starts slowly).
      for (const until = Date.now() + 20_000; outcomes.ok <= 100 && Date.now() < until; ) await sleep(50);
      expect(outcomes.ok).toBeGreaterThan(100);

      const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        child.on("exit", (code) => resolve({ code, at: Date.now() })),
      );
      const signalledAt = Date.now();
      child.kill("SIGTERM");
      await sleep(300);
      for (const held of [...heldQuotes, ...heldWaivers]) held.release();

      expect(await Promise.all(heldQuotes.map((h) => h.done))).toEqual(heldQuotes.map(() => "0"));
      expect(await Promise.all(heldWaivers.map((h) => h.done))).toEqual(heldWaivers.map(() => 200));
      const exit = await exited;
      stopping = true;
      await load;
      expect(outcomes.failed).toEqual([]);
      expect(exit.code).toBe(0);
      // Well within the grace period: nothing had to be cut off when it ran out.
      expect(exit.at - signalledAt).toBeLessThan(GRACE_MS);
    } finally {
      client.close();
      child.kill("SIGKILL");
    }
  }, 60_000);

  it("When a drain delay is set, then after SIGTERM both report not ready but still answer, until the delay is over", async () => {
    const { child, grpcAddress, waiverUrl } = await startServe(dataDir, { CARFARE_SHUTDOWN_DRAIN_MS: "3000" });
    const client = new PricingServiceClient(grpcAddress, credentials.createInsecure());
    const quote = () =>
      new Promise<string>((resolve) =>
        client.quote(QUOTE, new Metadata(), { deadline: Date.now() + 5_000 }, (err) =>
          resolve(err === null ? "OK" : status[err.code]),
        ),
      );
    const waiverQuote = async () =>
      (
        await fetch(`${waiverUrl}/v1/waiver-quotes`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: WAIVER_QUOTE,
        })
      ).status;
    try {
      expect(await healthStatus(grpcAddress)).toBe("SERVING");
      expect((await fetch(`${waiverUrl}/readyz`)).status).toBe(200);
      const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        child.on("exit", (code) => resolve({ code, at: Date.now() })),
      );
      const signalledAt = Date.now();
      child.kill("SIGTERM");
      await sleep(300);

      expect(await healthStatus(grpcAddress)).toBe("NOT_SERVING");
      expect((await fetch(`${waiverUrl}/readyz`)).status).toBe(503);
      expect(await quote()).toBe("OK");
      expect(await waiverQuote()).toBe(200);

      const exit = await exited;
      expect(exit.code).toBe(0);
      expect(exit.at - signalledAt).toBeGreaterThanOrEqual(3_000);
    } finally {
      client.close();
      child.kill("SIGKILL");
    }
  }, 60_000);
});

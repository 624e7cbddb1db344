import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RunningWaiverService, startWaiverService, waiverMigrations } from "@carfare/damage-waiver";
import { AccessTokens, createLogger, createTestDatabase, type TestDatabase } from "@carfare/kit";
import { parseQuoteKeys, pricingMigrations, type RunningPricingService, startPricingService } from "@carfare/pricing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = new URL("../bin/carfare.js", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const ADMIN = "cli-test-admin-token-0123456789";
// The CLI under test must use the embedded database of its data directory, whatever CI sets.
const { DATABASE_URL: _ciDatabase, ...baseEnv } = process.env;

/** Runs the built `carfare` binary and returns its exit code and output. */
async function carfare(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...baseEnv, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("carfare CLI against a running pricing service", () => {
  let database: TestDatabase;
  let service: RunningPricingService;
  let api: string[];

  beforeAll(async () => {
    database = await createTestDatabase("pglite", [pricingMigrations]);
    service = await startPricingService({
      db: database.db,
      host: "127.0.0.1",
      port: 0,
      quoteKeys: parseQuoteKeys("cli:a-quote-key-for-the-cli-tests"),
      adminTokens: AccessTokens.parse("test", `ops:${ADMIN}`),
      serviceTokens: AccessTokens.parse("test", undefined),
      logger: createLogger({ level: "silent" }),
      clock: { now: () => new Date("2026-11-25T03:00:00Z") },
    });
    api = ["--server", `127.0.0.1:${service.port}`, "--token", ADMIN];
  });

  afterAll(async () => {
    await service?.stop(0);
    await database?.close();
  });

  it("publishes the Korean tariff, then reports an identical document as unchanged", async () => {
    const first = await carfare(["tariff", "publish", "examples/tariffs/kr.yaml", ...api]);
    expect(first.stdout).toContain("published: kr-standard version 1 (market kr)");
    expect(first.stdout).toContain("by ops");
    const again = await carfare(["tariff", "publish", "examples/tariffs/kr.yaml", ...api]);
    expect(again.stdout).toContain("unchanged");
    expect(again.stdout).toContain("version 1");
  });

  it("lists and shows the published versions", async () => {
    const list = await carfare(["tariff", "list", ...api]);
    expect(list.stdout).toMatch(/kr-standard\s+1\s+kr/);
    const show = await carfare(["tariff", "show", "kr-standard", "--version", "1", ...api]);
    expect(show.stdout).toContain("# kr-standard version 1 (market kr)");
    expect(show.stdout).toContain("sonata-dn8");
    const json = await carfare(["tariff", "show", "kr-standard", "--json", ...api]);
    expect(JSON.parse(json.stdout).carModels.length).toBeGreaterThanOrEqual(15);
  });

  it("prints the worked example as a table, with its explanation", async () => {
    const { stdout, code } = await carfare([
      "quote",
      "--market",
      "kr",
      "--model",
      "sonata-dn8",
      "--from",
      "2026-11-28T10:00+09:00",
      "--to",
      "2026-11-29T12:00+09:00",
      "--km",
      "120",
      "--explain",
      "--tz",
      "Asia/Seoul",
      ...api,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Rental fee\s+RENTAL_FEE\s+114,780/);
    expect(stdout).toMatch(/Long-rental discount \(10 %\)\s+LONG_RENTAL_DISCOUNT\s+-11,470/);
    expect(stdout).toMatch(/due at booking\s+103,310/);
    expect(stdout).toMatch(/total estimate\s+128,830/);
    expect(stdout).toMatch(/#0\s+2026-11-28 10:00 → 2026-11-29 10:00\s+WEEKEND\s+late-night\s+1,110\s+24\s+26,640/);
    expect(stdout).toMatch(/#0\s+217,440\s+95,700\s+95,700/);
  });

  it("shows times in the offset the rental was given in, unless --tz names a zone", async () => {
    const { stdout } = await carfare([
      "quote",
      "--market",
      "kr",
      "--model",
      "sonata-dn8",
      "--from",
      "2026-11-28T10:00+09:00",
      "--to",
      "2026-11-29T12:00+09:00",
      "--explain",
      ...api,
    ]);
    expect(stdout).toContain("2026-11-28 10:00 +09:00 → 2026-11-29 12:00 +09:00");
    expect(stdout).toMatch(/#1\s+2026-11-29 10:00 \+09:00 → 2026-11-29 12:00 \+09:00/);
  });

  it("prints the raw response with --json, and settles the quote from its token", async () => {
    const { stdout } = await carfare([
      "quote",
      "--market",
      "kr",
      "--model",
      "sonata-dn8",
      "--from",
      "2026-11-28T10:00+09:00",
      "--to",
      "2026-11-29T12:00+09:00",
      "--member",
      "PASSPORT",
      "--json",
      ...api,
    ]);
    const quote = JSON.parse(stdout);
    expect(quote.dueAtBooking).toBe(51_660);
    const settled = await carfare([
      "settle",
      "--quote-token",
      quote.token,
      "--returned-at",
      "2026-11-29T11:00+09:00",
      "--km",
      "120",
      ...api,
    ]);
    expect(settled.stdout).toMatch(/Distance fee \(120 km\)\s+DISTANCE_FEE\s+25,520/);
    expect(settled.stdout).toMatch(/Early-return credit \(credit\)\s+EARLY_RETURN_CREDIT\s+4,770/);
  });

  it("puts the example coupon and applies it", async () => {
    const put = await carfare(["coupon", "put", "examples/coupons/kr-welcome10.yaml", ...api]);
    expect(put.stdout).toContain("coupon WELCOME10 (kr): 10 % up to 20000");
    const { stdout } = await carfare([
      "quote",
      "--market",
      "kr",
      "--model",
      "sonata-dn8",
      "--from",
      "2026-12-05T10:00+09:00",
      "--to",
      "2026-12-06T12:00+09:00",
      "--coupon",
      "welcome10",
      "--json",
      ...api,
    ]);
    // 2026-12-05 is a Saturday: the worked example's prices; 10 % of 103,310 is 10,330.
    expect(JSON.parse(stdout).lines.find((l: { code: string }) => l.code === "COUPON_DISCOUNT").amount).toBe(-10_330);
  });

  it("When the service refuses, then prints the code and exits 1", async () => {
    const result = await carfare([
      "quote",
      "--market",
      "kr",
      "--model",
      "model-t",
      "--from",
      "2026-11-28T10:00+09:00",
      "--to",
      "2026-11-28T12:00+09:00",
      ...api,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PRICING.CAR_MODEL_NOT_FOUND: car model "model-t"');
  });

  it("When the admin token is wrong, then publishing is refused as unauthenticated", async () => {
    const result = await carfare([
      "tariff",
      "publish",
      "examples/tariffs/kr.yaml",
      "--server",
      `127.0.0.1:${service.port}`,
      "--token",
      "wrong-token-wrong-token",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("PRICING.UNAUTHENTICATED");
  });

  it("When a time cannot be read, then says how to write it and exits 2", async () => {
    const result = await carfare([
      "quote",
      "--market",
      "kr",
      "--model",
      "sonata-dn8",
      "--from",
      "tomorrow",
      "--to",
      "2026-11-28T12:00+09:00",
      ...api,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--from must be a time like 2026-11-28T10:00+09:00");
  });

  it("When the service is not running, then says so", async () => {
    const result = await carfare(["tariff", "list", "--server", "127.0.0.1:1", "--token", ADMIN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot reach the pricing service at 127.0.0.1:1");
  });
});

describe("carfare policy against a running damage-waiver service", () => {
  let database: TestDatabase;
  let service: RunningWaiverService;
  let api: string[];

  beforeAll(async () => {
    database = await createTestDatabase("pglite", [waiverMigrations]);
    service = await startWaiverService({
      db: database.db,
      host: "127.0.0.1",
      port: 0,
      adminTokens: AccessTokens.parse("test", `claims-lead:${ADMIN}`),
      serviceTokens: AccessTokens.parse("test", undefined),
      logger: createLogger({ level: "silent" }),
    });
    api = ["--waiver-server", service.url, "--token", ADMIN];
  });

  afterAll(async () => {
    await service?.stop(0);
    await database?.close();
  });

  it("publishes the Korean waiver policy, then reports an identical document as unchanged", async () => {
    expect((await carfare(["policy", "publish", "examples/waiver-policies/kr.yaml", ...api])).stdout).toContain(
      "published: kr-waiver version 1",
    );
    expect((await carfare(["policy", "publish", "examples/waiver-policies/kr.yaml", ...api])).stdout).toContain(
      "unchanged",
    );
  });

  it("lists and shows versions", async () => {
    expect((await carfare(["policy", "list", ...api])).stdout).toMatch(/kr-waiver\s+1\s+kr\s+\S+\s+\S+\s+claims-lead/);
    expect((await carfare(["policy", "list", "kr-waiver", "--json", ...api])).stdout).toContain('"market": "kr"');
    const show = await carfare(["policy", "show", "kr-waiver", ...api]);
    expect(show.stdout).toContain("# kr-waiver version 1");
    expect(show.stdout).toContain("LEGACY_FIXED_300K");
  });

  it("When a policy is invalid, then lists every bad field and exits 1", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "carfare-policy-")), "bad.json");
    await writeFile(
      file,
      JSON.stringify({
        id: "x",
        market: "jp",
        currency: "JPY",
        roundingIncrement: 1,
        products: [],
        prices: {},
        lossOfUse: { percentOfDailyRate: 150, maxDays: 5 },
      }),
    );
    const result = await carfare(["policy", "publish", file, ...api]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("WAIVER.INVALID_POLICY");
    expect(result.stderr).toContain("/lossOfUse/percentOfDailyRate");
  });
});

describe("carfare --help", () => {
  it.each([
    [[]],
    [["serve"]],
    [["migrate"]],
    [["tariff"]],
    [["tariff", "publish"]],
    [["tariff", "list"]],
    [["tariff", "show"]],
    [["coupon", "put"]],
    [["quote"]],
    [["settle"]],
  ])("describes %j", async (args) => {
    const { stdout, code } = await carfare([...args, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: carfare/);
  });
});

describe("carfare serve (the quick start)", () => {
  it("starts both services on a fresh embedded database, seeds the examples, answers, and stops cleanly on SIGTERM", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "carfare-serve-"));
    const env = {
      ...baseEnv,
      CARFARE_DATA_DIR: dataDir,
      CARFARE_PRICING_PORT: "0",
      CARFARE_WAIVER_PORT: "0",
      CARFARE_METRICS_PORT: "0",
      LOG_LEVEL: "warn",
    };
    const child = spawn(process.execPath, [BIN, "serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let banner = "";
      const port = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (chunk: Buffer) => {
          banner += chunk.toString();
          const match = /pricing \(gRPC\)\s+\S+:(\d+)/.exec(banner);
          if (match?.[1] !== undefined && banner.includes("stop")) resolve(match[1]);
        });
        child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${banner}`)));
      });
      expect(banner).toContain(
        "seeded          tariff kr-standard v1, tariff my-standard v1, waiver policy kr-waiver v1, waiver policy my-waiver v1",
      );
      const waiverUrl = /waiver \(HTTP\)\s+(http:\S+)/.exec(banner)?.[1] ?? "";
      const token = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
      expect(banner).toContain(token.slice(token.indexOf(":") + 1));

      const quote = await carfare(
        [
          "quote",
          "--market",
          "kr",
          "--model",
          "sonata-dn8",
          "--from",
          "2026-11-28T10:00+09:00",
          "--to",
          "2026-11-29T12:00+09:00",
          "--json",
          "--server",
          `127.0.0.1:${port}`,
        ],
        { CARFARE_DATA_DIR: dataDir },
      );
      expect(JSON.parse(quote.stdout).dueAtBooking).toBe(103_310);
      // The CLI found the demo admin token in the data directory on its own.
      const list = await carfare(["tariff", "list", "--server", `127.0.0.1:${port}`], { CARFARE_DATA_DIR: dataDir });
      expect(list.stdout).toMatch(/my-standard\s+1\s+my/);

      const policies = await carfare(["policy", "list", "--waiver-server", waiverUrl], { CARFARE_DATA_DIR: dataDir });
      expect(policies.stdout).toMatch(/kr-waiver\s+1\s+kr/);
      const waiverQuote = await fetch(`${waiverUrl}/v1/waiver-quotes`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          market: "kr",
          carClass: "MIDSIZE",
          startAt: "2026-11-28T10:00:00+09:00",
          endAt: "2026-11-29T12:00:00+09:00",
          driverAge: 30,
          licenseYears: 5,
        }),
      });
      const options = ((await waiverQuote.json()) as { options: { productCode: string; fee: number }[] }).options;
      expect(options.find((o) => o.productCode === "CAP_300K")?.fee).toBe(12_000);

      const metricsUrl = /metrics\s+(http:\S+)/.exec(banner)?.[1] ?? "";
      let metrics = "";
      // The quote above is written within ~200 ms of being made.
      for (let i = 0; i < 50 && !/^carfare_quote_records_written_total 1$/m.test(metrics); i++) {
        metrics = await (await fetch(metricsUrl)).text();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(metrics).toMatch(/^carfare_quote_records_written_total 1$/m);
      expect(metrics).toMatch(/^carfare_quote_records_pending 0$/m);
      expect(metrics).toContain("nodejs_eventloop_lag_seconds");

      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      // The embedded database was released: migrate can open it now.
      const migrate = await carfare(["migrate"], { CARFARE_DATA_DIR: dataDir });
      expect(migrate.stdout).toContain("migrated embedded PostgreSQL (PGlite)");
    } finally {
      child.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

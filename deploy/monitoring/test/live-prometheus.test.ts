/**
 * The monitoring contract, checked against the real thing: the `carfare` processes as production runs them (one
 * per service, their /metrics scraped by Debian's `prometheus` through deploy/monitoring/prometheus.yml, which
 * names the jobs carfare-pricing and carfare-waiver), real calls, and then, through Prometheus' HTTP API only:
 * the RED, business, log and runtime series with their labels and values; every metric name the alert rules
 * and dashboards use is one the processes export; every dashboard query parses and returns data; the rules
 * evaluate without error and nothing fires.
 *
 * Run by `npm run test:monitoring` (not by `npm test`): needs `prometheus` on PATH, and fails saying so when it
 * is not. On PGlite (temp data directories), or on a throwaway database of DATABASE_URL's server when it is set.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@carfare/kit";
import {
  type Coupon,
  PricingServiceClient,
  type Quote,
  QuoteRequest,
  type Settlement,
  TariffAdminServiceClient,
} from "@carfare/pricing/proto";
import { credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  carfareEnvironment,
  freePort,
  prometheusVersion,
  type RunningCarfare,
  type RunningPrometheus,
  runCarfare,
  startCarfare,
  startPrometheus,
  stopAll,
} from "./carfare-and-prometheus.js";
import {
  allDashboardQueries,
  DOCUMENTED_SERVICE_METRICS,
  isPrometheusOwn,
  jobSelectors,
  KUBE_STATE_METRICS,
  metricNames,
  type Query,
  ruleQueries,
  substituteGrafanaVariables,
} from "./monitoring-queries.js";

const PRICING = 'job="carfare-pricing"';
const WAIVER = 'job="carfare-waiver"';
const PRICING_SERVICE = 'grpc_type="unary", grpc_service="carfare.pricing.v1.PricingService"';
/** Every call below is made this many times, with a scrape in between, so that rate() sees each of them. */
const ROUNDS = 2;
const ADMIN_TOKEN = randomBytes(24).toString("base64url");

/** The worked example of spec/pricing.md §3 (Sat 10:00 → Sun 12:00 in Seoul, 120 km): 103,310 due at booking. */
const WORKED_EXAMPLE = QuoteRequest.fromPartial({
  market: "kr",
  carModelId: "sonata-dn8",
  startAt: new Date("2026-11-28T01:00:00Z"),
  endAt: new Date("2026-11-29T03:00:00Z"),
  estimatedKm: 120,
});
/** The waiver quote of the same rental, as the booking backend asks for both: a 30-year-old, 5 years licensed. */
const WAIVER_QUOTE = {
  market: WORKED_EXAMPLE.market,
  carClass: "MIDSIZE", // the Sonata's
  startAt: WORKED_EXAMPLE.startAt?.toISOString(),
  endAt: WORKED_EXAMPLE.endAt?.toISOString(),
  driverAge: 30,
  licenseYears: 5,
};

/**
 * Dashboard panels whose queries have nothing to show after the calls of this test, because they only show
 * failures and nothing failed. Every other query must return data; these must not (else the list is stale).
 */
const EMPTY_WHEN_NOTHING_FAILS: Record<string, string> = {
  'carfare-pricing.json "Server error ratio"': "no call ended with a server error",
  'carfare-pricing.json "Server error ratio by method"': "no call ended with a server error",
  'carfare-waiver.json "5xx ratio"': "no request answered 5xx",
  'carfare-waiver.json "5xx ratio by route"': "no request answered 5xx",
};

/**
 * Alerts that may be pending at the end (none can fire within this test: their `for` is 10 minutes), with why.
 * Every other alert must be inactive.
 */
const MAY_BE_PENDING: Record<string, string> = {
  CarfarePricingQuoteLatencyP99:
    "a few calls on a cold process: on a loaded 2-core CI machine one slow call of four makes the p99",
  CarfareWaiverHttpLatencyP99: "the same, and incidents are written to PGlite, on a loaded machine",
};

function unary<T>(start: (done: (error: ServiceError | null, value: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error === null ? resolve(value) : reject(error)));
  });
}

function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** The metric names in a /metrics text (a histogram `x` gives x_bucket, x_sum and x_count). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type?.[1] !== undefined) {
      const [, name, kind] = type;
      if (kind === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(`${name}${s}`);
      else if (kind === "summary") for (const s of ["", "_sum", "_count"]) names.add(`${name}${s}`);
      else names.add(name);
    } else if (line !== "" && !line.startsWith("#")) {
      names.add(/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? line);
    }
  }
  return names;
}

describe("carfare scraped by a real Prometheus", () => {
  let dir: string;
  let database: TestDatabase | undefined;
  let prometheus: RunningPrometheus;
  let pricing: RunningCarfare;
  let waiver: RunningCarfare;
  /** What each job's process exports, read from its /metrics after the calls. */
  const exported = new Map<string, Set<string>>();
  const incidentIds: string[] = [];

  /** The one series `expr` selects, as a number; throws with what came back otherwise. */
  async function value(expr: string): Promise<number> {
    const result = await prometheus.query(expr);
    if (result.length !== 1) throw new Error(`${expr}: ${result.length} series: ${JSON.stringify(result)}`);
    return Number(result[0]?.value[1]);
  }

  async function waiverCall(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const answer = await fetch(`${waiver.waiverUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await answer.text();
    return { status: answer.status, text, json: text.startsWith("{") ? JSON.parse(text) : undefined };
  }

  /** One round of calls: the gRPC and HTTP APIs as the booking backend and ops use them, a refusal of each. */
  async function exercise(round: number): Promise<void> {
    const address = pricing.grpcAddress as string;
    const client = new PricingServiceClient(address, credentials.createInsecure());
    const admin = new TariffAdminServiceClient(address, credentials.createInsecure());
    try {
      if (round === 1) {
        // examples/coupons: valid for rentals starting from 2026-12-01, so the worked example's is refused.
        const doc = YAML.parse(
          await readFile(new URL("../../../examples/coupons/kr-welcome10.yaml", import.meta.url), "utf8"),
        );
        const coupon: Coupon = {
          ...doc,
          amount: 0,
          validFrom: new Date(doc.validFrom),
          validUntil: new Date(doc.validUntil),
        };
        await unary<Coupon>((done) => admin.putCoupon(coupon, bearer(ADMIN_TOKEN), done));
      }
      const quote = await unary<Quote>((done) => client.quote(WORKED_EXAMPLE, done));
      expect(quote.dueAtBooking).toBe(103_310);
      const refused = await unary<Quote>((done) => client.quote({ ...WORKED_EXAMPLE, couponCode: "WELCOME10" }, done))
        .then(() => undefined)
        .catch((error: ServiceError) => error);
      expect(refused?.code, refused?.details).toBe(status.FAILED_PRECONDITION);
      const settlement = await unary<Settlement>((done) =>
        client.settle({ token: quote.token, returnedAt: new Date("2026-11-29T02:00:00Z"), drivenKm: 120 }, done),
      );
      expect(settlement.dueAfterReturn).toBe(25_520);
    } finally {
      client.close();
      admin.close();
    }

    const waiverQuote = await waiverCall("POST", "/v1/waiver-quotes", WAIVER_QUOTE);
    expect(waiverQuote.status, waiverQuote.text).toBe(200);
    const incident = await waiverCall(
      "POST",
      "/v1/incidents",
      {
        rentalId: `rental-${round}`,
        market: "kr",
        carClass: "MIDSIZE",
        dailyRate: 95_700,
        productCode: "CAP_300K",
        occurredAt: new Date().toISOString(),
      },
      { "idempotency-key": randomUUID() },
    );
    expect(incident.status, incident.text).toBe(201);
    const id = incident.json.id as string;
    incidentIds.push(id);
    const assessed = await waiverCall("PUT", `/v1/incidents/${id}/assessment`, {
      repairCost: 1_200_000,
      repairDays: 3,
      faultPercent: 100,
      exclusions: [],
    });
    expect(assessed.status, assessed.text).toBe(200);
    const charged = await waiverCall("POST", `/v1/incidents/${id}/charge`);
    expect(charged.status, charged.text).toBe(200);
    const invalid = await waiverCall("POST", "/v1/waiver-quotes", { market: "kr" });
    expect(invalid.status, invalid.text).toBe(400);
    const unknown = await waiverCall("GET", `/v1/incidents/${randomUUID()}`);
    expect(unknown.status, unknown.text).toBe(404);
    const nowhere = await waiverCall("GET", `/v1/no-such-resource/${randomUUID()}`);
    expect(nowhere.status, nowhere.text).toBe(404);
  }

  /** `start()` below: every test awaits it first, so that a failed start fails each test (none is skipped). */
  let started: Promise<void>;
  beforeAll(async () => {
    started = start();
    await started.catch(() => {});
  });

  async function start(): Promise<void> {
    const began = performance.now();
    const version = prometheusVersion(); // fails here, saying what to install, when there is none
    dir = await mkdtemp(join(tmpdir(), "carfare-monitoring-"));
    const [pricingMetricsPort, waiverMetricsPort] = [await freePort(), await freePort()];
    const prometheusStarted = (async () => {
      await mkdir(join(dir, "prometheus"));
      return startPrometheus({
        dir: join(dir, "prometheus"),
        intervalSeconds: 1,
        pods: [
          {
            app: "carfare-pricing",
            pod: "carfare-pricing-e2e",
            namespace: "carfare-dev",
            address: `127.0.0.1:${pricingMetricsPort}`,
            portName: "metrics",
          },
          {
            app: "carfare-waiver",
            pod: "carfare-waiver-e2e",
            namespace: "carfare-dev",
            address: `127.0.0.1:${waiverMetricsPort}`,
            portName: "metrics",
          },
        ],
      });
    })();
    prometheusStarted.catch(() => {}); // awaited below

    // The database: a throwaway one on DATABASE_URL's server, else one embedded PGlite per process (each
    // belongs to one process), migrated once by `carfare migrate` — as the migration Job does in production.
    let databaseUrl: string | undefined;
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase("postgres", []);
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${database.name}`;
      databaseUrl = url.toString();
    }
    const environment = (service: string, metricsPort: number) =>
      carfareEnvironment({
        CARFARE_DATA_DIR: join(dir, service),
        CARFARE_PRICING_PORT: "0",
        CARFARE_WAIVER_PORT: "0",
        CARFARE_METRICS_PORT: String(metricsPort),
        CARFARE_ADMIN_TOKENS: `monitoring-test:${ADMIN_TOKEN}`,
        CARFARE_QUOTE_KEYS: `e2e:${randomBytes(32).toString("hex")}`,
        LOG_LEVEL: "info",
        ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      });
    await runCarfare(["migrate"], environment("pricing", pricingMetricsPort));
    if (databaseUrl === undefined) await cp(join(dir, "pricing", "db"), join(dir, "waiver", "db"), { recursive: true });
    const migrated = performance.now();
    [pricing, waiver] = await Promise.all([
      startCarfare("pricing", ["--seed"], environment("pricing", pricingMetricsPort)),
      startCarfare("waiver", ["--seed"], environment("waiver", waiverMetricsPort)),
    ]);
    const served = performance.now();
    prometheus = await prometheusStarted;
    await prometheus.scrapedAfter(Date.now() - 1_000);
    const firstScrape = performance.now();

    for (let round = 1; round <= ROUNDS; round++) {
      await exercise(round);
      // A scrape that began after every answer (and after the waiver's onResponse hook has timed it).
      await prometheus.scrapedAfter(Date.now() + 100);
    }
    for (const [job, process] of [
      ["carfare-pricing", pricing],
      ["carfare-waiver", waiver],
    ] as const) {
      exported.set(job, exportedNames(await (await fetch(process.metricsUrl)).text()));
    }
    const s = (from: number, to: number) => `${((to - from) / 1000).toFixed(1)} s`;
    console.log(
      `prometheus ${version} on ${database === undefined ? "PGlite" : `PostgreSQL (${database.name})`}: migrated ${s(began, migrated)}, ` +
        `served ${s(migrated, served)}, first scrape ${s(served, firstScrape)}, calls and scrapes ${s(firstScrape, performance.now())}`,
    );
  }

  afterAll(async () => {
    await stopAll();
    await database?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("scrapes both jobs of prometheus.yml's relabelling, with their namespace and pod: up is 1 for each", async () => {
    await started;
    const up = await prometheus.query('up{job=~"carfare-.*"}');
    expect(up.map((s) => [s.metric.job, s.metric.namespace, s.metric.pod, s.value[1]]).sort()).toEqual([
      ["carfare-pricing", "carfare-dev", "carfare-pricing-e2e", "1"],
      ["carfare-waiver", "carfare-dev", "carfare-waiver-e2e", "1"],
    ]);
  });

  it("counts gRPC calls started and handled by type, service, method and Go-style code, and times them in buckets", async () => {
    await started;
    const quote = `${PRICING}, ${PRICING_SERVICE}, grpc_method="Quote"`;
    expect(await value(`grpc_server_started_total{${quote}}`)).toBe(2 * ROUNDS);
    expect(await value(`grpc_server_handled_total{${quote}, grpc_code="OK"}`)).toBe(ROUNDS);
    expect(await value(`grpc_server_handled_total{${quote}, grpc_code="FailedPrecondition"}`)).toBe(ROUNDS);
    expect(
      await value(`grpc_server_handled_total{${PRICING}, ${PRICING_SERVICE}, grpc_method="Settle", grpc_code="OK"}`),
    ).toBe(ROUNDS);
    expect(
      await value(
        `grpc_server_handled_total{${PRICING}, grpc_type="unary", grpc_service="carfare.pricing.v1.TariffAdminService", grpc_method="PutCoupon", grpc_code="OK"}`,
      ),
    ).toBe(1);
    expect(await value(`grpc_server_handling_seconds_count{${quote}}`)).toBe(2 * ROUNDS);
    expect(await value(`grpc_server_handling_seconds_sum{${quote}}`)).toBeGreaterThan(0);
    const buckets = (await prometheus.query(`grpc_server_handling_seconds_bucket{${quote}}`))
      .map(
        (s) => [s.metric.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.metric.le), Number(s.value[1])] as const,
      )
      .sort(([a], [b]) => a - b);
    expect(buckets.length).toBeGreaterThanOrEqual(10);
    expect(buckets.at(-1)).toEqual([Number.POSITIVE_INFINITY, 2 * ROUNDS]);
    expect(buckets.every(([, count], i) => i === 0 || count >= (buckets[i - 1]?.[1] ?? 0))).toBe(true);
    expect(
      await prometheus.query(`grpc_server_handled_total{${PRICING}, grpc_code!~"OK|FailedPrecondition"} > 0`),
    ).toEqual([]);
  });

  it("times HTTP requests by method, route template (never the raw path) and status code", async () => {
    await started;
    const calls = [
      ["POST", "/v1/waiver-quotes", "200"],
      ["POST", "/v1/waiver-quotes", "400"],
      ["POST", "/v1/incidents", "201"],
      ["PUT", "/v1/incidents/:id/assessment", "200"],
      ["POST", "/v1/incidents/:id/charge", "200"],
      ["GET", "/v1/incidents/:id", "404"],
      // A path no route matches: one series for all of them, never one per raw path.
      ["GET", "unmatched", "404"],
    ];
    for (const [method, route, code] of calls) {
      const labels = `${WAIVER}, method="${method}", route="${route}", status_code="${code}"`;
      expect(await value(`http_request_duration_seconds_count{${labels}}`), `${method} ${route} ${code}`).toBe(ROUNDS);
      expect(await value(`http_request_duration_seconds_bucket{${labels}, le="+Inf"}`)).toBe(ROUNDS);
    }
    const routes = await prometheus.api<string[]>(
      `label/route/values?match[]=${encodeURIComponent(`http_request_duration_seconds_count{${WAIVER}}`)}`,
    );
    expect(routes.sort()).toEqual([...new Set(calls.map(([, route]) => route as string))].sort());
    expect(incidentIds).toHaveLength(ROUNDS);
  });

  it("counts the business: quotes by market and car class, settlements, refusals by code, waiver quotes, incident transitions, liabilities by basis", async () => {
    await started;
    expect(await value(`carfare_quotes_total{${PRICING}, market="kr", car_class="MIDSIZE"}`)).toBe(ROUNDS);
    expect(await value(`carfare_settlements_total{${PRICING}, market="kr"}`)).toBe(ROUNDS);
    expect(await value(`carfare_pricing_refusals_total{${PRICING}, code="PRICING.COUPON_NOT_YET_VALID"}`)).toBe(ROUNDS);
    expect(await value(`carfare_waiver_quotes_total{${WAIVER}, market="kr", car_class="MIDSIZE"}`)).toBe(ROUNDS);
    const transitions = await prometheus.query(`carfare_incident_transitions_total{${WAIVER}}`);
    expect(transitions.map((s) => [s.metric.market, s.metric.from, s.metric.to, s.value[1]]).sort()).toEqual([
      ["kr", "ASSESSED", "CHARGED", String(ROUNDS)],
      ["kr", "NONE", "REPORTED", String(ROUNDS)],
      ["kr", "REPORTED", "ASSESSED", String(ROUNDS)],
    ]);
    expect(await value(`carfare_liabilities_total{${WAIVER}, market="kr", basis="CAPPED"}`)).toBe(ROUNDS);
    // CAP_300K caps what the customer owes at 300,000 won per incident (spec/damage-waiver.md §3).
    expect(await value(`carfare_liability_owed_total{${WAIVER}, market="kr", currency="KRW"}`)).toBe(300_000 * ROUNDS);
    // Every quote given is recorded for the analysts (in batches, so shortly after).
    await expect.poll(() => value(`carfare_quote_records_written_total{${PRICING}}`), { timeout: 10_000 }).toBe(ROUNDS);
    expect(await value(`carfare_quote_records_pending{${PRICING}}`)).toBe(0);
  });

  it("counts log lines by level on both jobs, none at error or fatal, and exports Node's default metrics", async () => {
    await started;
    for (const job of ["carfare-pricing", "carfare-waiver"]) {
      const lines = await prometheus.query(`log_messages_total{job="${job}"}`);
      expect(lines.map((s) => s.metric.level).sort(), job).toEqual([
        "debug",
        "error",
        "fatal",
        "info",
        "trace",
        "warn",
      ]);
      expect(await value(`sum(log_messages_total{job="${job}", level=~"error|fatal"})`), job).toBe(0);
      expect(await value(`log_messages_total{job="${job}", level="info"}`), job).toBeGreaterThan(0);
      for (const name of [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_start_time_seconds",
        "nodejs_eventloop_lag_seconds",
        "nodejs_heap_size_used_bytes",
        "nodejs_gc_duration_seconds_count",
      ]) {
        expect(await value(`sum(${name}{job="${job}"})`), `${name} of ${job}`).toBeGreaterThan(0);
      }
    }
  });

  it("exports every metric the alert rules and dashboards use (or Prometheus makes it, or kube-state-metrics for the optional replica alerts)", async () => {
    await started;
    const everything = new Set([...exported.values()].flatMap((names) => [...names]));
    const unknown: string[] = [];
    const check = (queries: Query[], allowKubeState: boolean) => {
      for (const { where, expr } of queries) {
        for (const name of metricNames(expr)) {
          if (everything.has(name) || isPrometheusOwn(name) || (allowKubeState && KUBE_STATE_METRICS.has(name)))
            continue;
          unknown.push(`${where}: ${name}`);
        }
        // A selector of one job must name what that job's process exports: else the alert can never fire.
        for (const { name, job } of jobSelectors(expr)) {
          if (!isPrometheusOwn(name) && !exported.get(job)?.has(name))
            unknown.push(`${where}: ${name} is not exported by ${job}`);
        }
      }
    };
    check(ruleQueries(), true);
    check(
      allDashboardQueries().map((q) => ({ ...q, expr: substituteGrafanaVariables(q.expr) })),
      false,
    );
    expect(unknown).toEqual([]);
  });

  it("exports every metric scripts/check-monitoring.sh backfills as the services' (its synthetic series are real names)", async () => {
    await started;
    const everything = new Set([...exported.values()].flatMap((names) => [...names]));
    expect([...DOCUMENTED_SERVICE_METRICS].filter((name) => !everything.has(name))).toEqual([]);
  });

  it("answers every dashboard query and variable with data; only the failure panels are empty, nothing failed", async () => {
    await started;
    const errors: string[] = [];
    const empty = new Set<string>();
    const queries = allDashboardQueries();
    await Promise.all(
      queries.map(async ({ where, expr }) => {
        const promql = substituteGrafanaVariables(expr);
        try {
          const result = await prometheus.query(promql);
          if (result.length === 0) empty.add(where.replace(/ panel \d+ (".*") [A-Z]$/, " $1"));
          // A histogram_quantile over rates of nothing, or a ratio of zeros, is all NaN: no data either.
          else if (result.every((r) => Number.isNaN(Number(r.value[1]))))
            errors.push(`${where}: only NaN\n    ${promql}`);
        } catch (error) {
          errors.push(`${where}: ${(error as Error).message}\n    ${promql}`);
        }
      }),
    );
    expect(queries.length).toBeGreaterThan(40);
    expect(errors).toEqual([]);
    expect([...empty].sort()).toEqual(Object.keys(EMPTY_WHEN_NOTHING_FAILS).sort());
  });

  it("evaluates every alert rule without error; none fires, and only the two p99 latency alerts may be pending", async () => {
    await started;
    type Rule = { name: string; type: string; health: string; lastError?: string; state?: string };
    const groups = (await prometheus.api<{ groups: { name: string; rules: Rule[] }[] }>("rules")).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name).sort()).toEqual(
      ruleQueries()
        .map((q) => q.where.split(" ")[1])
        .sort(),
    );
    expect(rules.filter((r) => r.health !== "ok").map((r) => `${r.name} ${r.health} ${r.lastError}`)).toEqual([]);
    // Until the first scrape the *PodDown / *Down alerts were pending: they must have gone back to inactive.
    await expect
      .poll(
        async () =>
          (await prometheus.api<{ alerts: { labels: Record<string, string>; state: string }[] }>("alerts")).alerts
            .filter((a) => !(a.state === "pending" && MAY_BE_PENDING[a.labels.alertname ?? ""] !== undefined))
            .map((a) => `${a.labels.alertname} ${a.state} ${JSON.stringify(a.labels)}`),
        { timeout: 5_000 },
      )
      .toEqual([]);
  });
});

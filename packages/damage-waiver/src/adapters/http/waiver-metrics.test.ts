import { Counter, createMetricsRegistry, Histogram, type Registry } from "@carfare/kit";
import { describe, expect, it } from "vitest";
import { createWaiverMetrics, requestDurations } from "./waiver-metrics.js";

/** The samples of one metric in a registry's exposition, order-free: `name{label="v",…} value`, labels sorted. */
async function samples(registry: Registry, metric: string): Promise<string[]> {
  const text = await registry.getSingleMetricAsString(metric);
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^([^{ ]+)(?:\{(.*)\})? (.+)$/.exec(line);
      if (match === null) throw new Error(`not a sample: ${line}`);
      const labels = (match[2] ?? "")
        .split(/,(?=[a-z_]+=")/)
        .filter(Boolean)
        .sort();
      return `${match[1]}{${labels.join(",")}} ${Number(match[3])}`;
    })
    .sort();
}

/** The `# HELP` and `# TYPE` lines of one metric in a registry's exposition. */
async function headers(registry: Registry, metric: string): Promise<string[]> {
  return (await registry.getSingleMetricAsString(metric)).split("\n").filter((line) => line.startsWith("#"));
}

const DURATION = "http_request_duration_seconds";
const QUOTES = "carfare_waiver_quotes_total";

const OBSERVED: [string, string, number, number][] = [
  ["POST", "/v1/waiver-quotes", 200, 0.0004],
  ["POST", "/v1/waiver-quotes", 200, 0.003],
  ["POST", "/v1/waiver-quotes", 400, 0.0011],
  ["GET", "/v1/incidents/:id", 404, 0.7],
  ["GET", "unmatched", 404, 3],
  ["POST", "/v1/waiver-quotes", 200, 0.0025],
];

describe("requestDurations", () => {
  it("exposes http_request_duration_seconds as the prom-client histogram it replaces did", async () => {
    const lean = createMetricsRegistry();
    const observe = requestDurations(lean);
    const reference = createMetricsRegistry();
    const histogram = new Histogram({
      name: "http_request_duration_seconds",
      help: "Duration of HTTP requests of the damage-waiver REST API, by method, route and status.",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [reference],
    });

    for (const [method, route, status, seconds] of OBSERVED) {
      observe(method, route, status, seconds);
      histogram.observe({ method, route, status_code: String(status) }, seconds);
    }

    expect(await samples(lean, DURATION)).toEqual(await samples(reference, DURATION));
    expect(await headers(lean, DURATION)).toEqual(await headers(reference, DURATION));
  });

  it("is registered once per registry: a second app on the same registry adds to the same series", async () => {
    const registry = createMetricsRegistry();
    requestDurations(registry)("POST", "/v1/waiver-quotes", 200, 0.001);
    requestDurations(registry)("POST", "/v1/waiver-quotes", 200, 0.002);

    expect(await samples(registry, DURATION)).toContain(
      'http_request_duration_seconds_count{method="POST",route="/v1/waiver-quotes",status_code="200"} 2',
    );
  });

  it("observes into a prom-client histogram of that name when one is registered already", async () => {
    const registry = createMetricsRegistry();
    const existing = new Histogram({
      name: "http_request_duration_seconds",
      help: "registered by someone else",
      labelNames: ["method", "route", "status_code"],
      registers: [registry],
    });

    requestDurations(registry)("GET", "/healthz", 200, 0.001);

    expect((await existing.get()).values).toContainEqual(
      expect.objectContaining({
        metricName: "http_request_duration_seconds_count",
        labels: { method: "GET", route: "/healthz", status_code: "200" },
        value: 1,
      }),
    );
  });
});

describe("createWaiverMetrics", () => {
  it("counts waiver quotes in carfare_waiver_quotes_total{market,car_class} as the prom-client counter did", async () => {
    const lean = createMetricsRegistry();
    const observer = createWaiverMetrics(lean);
    const reference = createMetricsRegistry();
    const counter = new Counter({
      name: "carfare_waiver_quotes_total",
      help: "Waiver quotes given, by market and car class.",
      labelNames: ["market", "car_class"],
      registers: [reference],
    });

    for (const [market, carClass] of [
      ["kr", "MIDSIZE"],
      ["kr", "MIDSIZE"],
      ["kr", "SUV"],
      ["my", "MIDSIZE"],
    ] as const) {
      observer.quoted(market, carClass);
      counter.inc({ market, car_class: carClass });
    }

    expect(await samples(lean, QUOTES)).toEqual(await samples(reference, QUOTES));
    expect(await headers(lean, QUOTES)).toEqual(await headers(reference, QUOTES));
    expect(await samples(lean, QUOTES)).toContain('carfare_waiver_quotes_total{car_class="MIDSIZE",market="kr"} 2');
  });
});

import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { LeanCounter, LeanHistogram } from "./lean-metrics.js";

describe("LeanCounter and LeanHistogram", () => {
  it("export their series in the Prometheus text format, at 0 from the moment a series is made", async () => {
    const registry = new Registry();
    const calls = new LeanCounter({ name: "calls_total", help: "Calls.", labelNames: ["method"], registry });
    const quote = calls.child({ method: "Quote" });
    calls.child({ method: "Settle" });
    quote.inc();
    quote.inc(2);

    const text = await registry.metrics();
    expect(text).toContain("# TYPE calls_total counter");
    expect(text).toContain('calls_total{method="Quote"} 3');
    expect(text).toContain('calls_total{method="Settle"} 0');
  });

  it("count each observation in its bucket, cumulatively, with +Inf, sum and count", async () => {
    const registry = new Registry();
    const seconds = new LeanHistogram({
      name: "work_seconds",
      help: "Work.",
      labelNames: ["kind"],
      buckets: [0.1, 1],
      registry,
    });
    const series = seconds.child({ kind: "a" });
    for (const value of [0.05, 0.1, 0.5, 3]) series.observe(value);

    const text = await registry.metrics();
    expect(text).toContain("# TYPE work_seconds histogram");
    expect(text).toContain('work_seconds_bucket{le="0.1",kind="a"} 2');
    expect(text).toContain('work_seconds_bucket{le="1",kind="a"} 3');
    expect(text).toContain('work_seconds_bucket{le="+Inf",kind="a"} 4');
    expect(text).toContain('work_seconds_sum{kind="a"} 3.65');
    expect(text).toContain('work_seconds_count{kind="a"} 4');
  });

  it("give the same series back for the same labels", async () => {
    const registry = new Registry();
    const calls = new LeanCounter({ name: "c_total", help: "C.", labelNames: ["a", "b"], registry });
    calls.child({ a: "x", b: "y" }).inc();
    calls.child({ b: "y", a: "x" }).inc();
    expect(await registry.metrics()).toContain('c_total{a="x",b="y"} 2');
  });
});

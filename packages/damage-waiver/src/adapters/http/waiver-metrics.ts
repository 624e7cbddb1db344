import {
  Counter,
  type CounterSeries,
  Histogram,
  type HistogramSeries,
  LeanCounter,
  LeanHistogram,
  type Registry,
} from "@carfare/kit";
import type { Incident } from "../../domain/incident.js";

/** What the REST adapter reports about the business it served (the damage-waiver counters of /metrics). */
export interface WaiverObserver {
  /** A waiver quote was given (the products offered for a rental). */
  quoted(market: string, carClass: string): void;
  /** An incident was created or changed: its last event is the transition (a replayed creation is not one). */
  changed(incident: Incident): void;
}

/** Observes nothing: the default when no registry is given. */
export const IGNORE_WAIVER: WaiverObserver = { quoted: () => {}, changed: () => {} };

/**
 * The damage-waiver business counters in `registry`:
 * - `carfare_waiver_quotes_total{market,car_class}` — waiver quotes given;
 * - `carfare_incident_transitions_total{market,from,to}` — incident status changes (`from="NONE"` when
 *   reported; a re-assessment is ASSESSED → ASSESSED);
 * - `carfare_liabilities_total{market,basis}` — liabilities computed (one per assessment, re-assessments too);
 * - `carfare_liability_owed_total{market,currency}` — the sum of what those liabilities say the customer owes,
 *   in minor units of the currency.
 */
export function createWaiverMetrics(registry: Registry): WaiverObserver {
  const registers = [registry];
  // Counted on every waiver quote, the hot path: a series of its own per market and car class, made once.
  const quotes = new LeanCounter({
    name: "carfare_waiver_quotes_total",
    help: "Waiver quotes given, by market and car class.",
    labelNames: ["market", "car_class"],
    registry,
  });
  const quoteSeries = new Map<string, Map<string, CounterSeries>>();
  const transitions = new Counter({
    name: "carfare_incident_transitions_total",
    help: 'Incident status changes, by market, from and to (from="NONE" when an incident is reported).',
    labelNames: ["market", "from", "to"],
    registers,
  });
  const liabilities = new Counter({
    name: "carfare_liabilities_total",
    help: "Liabilities computed at assessment, by market and basis (CAPPED, FIXED_DEDUCTIBLE, EXCLUDED).",
    labelNames: ["market", "basis"],
    registers,
  });
  const owed = new Counter({
    name: "carfare_liability_owed_total",
    help: "What assessed liabilities say customers owe, in minor units of the currency, by market and currency.",
    labelNames: ["market", "currency"],
    registers,
  });
  return {
    quoted: (market, carClass) =>
      entry(
        entry(quoteSeries, market, () => new Map()),
        carClass,
        () => quotes.child({ market, car_class: carClass }),
      ).inc(),
    changed: (incident) => {
      const { events, market } = incident;
      const to = events[events.length - 1]?.type;
      if (to === undefined) return;
      const from = events[events.length - 2]?.type ?? "NONE";
      transitions.inc({ market, from, to });
      if (to === "ASSESSED" && incident.liability !== undefined) {
        liabilities.inc({ market, basis: incident.liability.basis });
        owed.inc({ market, currency: incident.liability.currency }, incident.liability.owed);
      }
    },
  };
}

/** How long one request took to answer, by method, route template (or `unmatched`) and status. */
export type RequestDurationObserver = (method: string, route: string, status: number, seconds: number) => void;

const REQUEST_DURATION = "http_request_duration_seconds";

/**
 * `http_request_duration_seconds{method,route,status_code}`, the HTTP latency histogram the dashboards expect,
 * registered once per registry. Observed on every request: each label set gets a series of its own the first
 * time it is seen, and observing it allocates nothing (kit's lean histogram). Should a prom-client histogram
 * of that name be registered already, requests are observed into it.
 */
export function requestDurations(registry: Registry): RequestDurationObserver {
  const existing = registry.getSingleMetric(REQUEST_DURATION);
  if (existing instanceof Histogram) {
    return (method, route, status, seconds) =>
      existing.observe({ method, route, status_code: String(status) }, seconds);
  }
  const histogram =
    (existing as LeanHistogram<"method" | "route" | "status_code"> | undefined) ??
    new LeanHistogram({
      name: REQUEST_DURATION,
      help: "Duration of HTTP requests of the damage-waiver REST API, by method, route and status.",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registry,
    });
  // Looked up by nested maps rather than a key built per request: no string is made to find a series.
  const byRoute = new Map<string, Map<number, Map<string, HistogramSeries>>>();
  return (method, route, status, seconds) => {
    const byStatus = entry(byRoute, route, () => new Map());
    const byMethod = entry(byStatus, status, () => new Map());
    entry(byMethod, method, () => histogram.child({ method, route, status_code: String(status) })).observe(seconds);
  };
}

/** The value of `key` in `map`, made by `make` and kept the first time. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

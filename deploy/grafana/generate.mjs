#!/usr/bin/env node
// Writes the carfare Grafana dashboards (classic JSON model) next to this file:
//   carfare-pricing.json, carfare-waiver.json, carfare-business.json
// Usage: node deploy/grafana/generate.mjs [OUT_DIR]
// The JSON files are committed (formatted by biome); scripts/check-monitoring.sh regenerates them into a temp dir
// and fails when they differ in content, then runs every panel's query on a real Prometheus. Edit this file, not
// the JSON, and run `scripts/check-monitoring.sh --write`.
//
// Every query uses only the metrics the services export (README of deploy/monitoring: alerts.rules.yaml header)
// plus Prometheus' own `up`. The data source is the `DS_PROMETHEUS` variable, so the files work both when
// imported in the UI and when provisioned from disk.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
const DS = { type: "prometheus", uid: "${DS_PROMETHEUS}" };

// gRPC codes that mean "our fault" (both the status-name and the Go spelling), as in alerts.rules.yaml.
const SERVER_CODES =
  "INTERNAL|UNKNOWN|UNAVAILABLE|DEADLINE_EXCEEDED|DATA_LOSS|UNIMPLEMENTED|Internal|Unknown|Unavailable|DeadlineExceeded|DataLoss|Unimplemented";
const NOT_PROBES_GRPC = 'grpc_service!~"grpc\\\\.health\\\\..*|grpc\\\\.reflection\\\\..*"';
const NOT_PROBES_HTTP = 'route!~"/healthz|/readyz|/metrics"';

// ------------------------------------------------------------------ building blocks
function dashboard({ uid, title, description, tags, variables, rows }) {
  let id = 1;
  let y = 0;
  const panels = [];
  for (const row of rows) {
    panels.push({
      id: id++,
      type: "row",
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const w = p.w ?? 8;
      const h = p.h ?? 8;
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push(panel({ ...p, id: id++, gridPos: { h, w, x, y } }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: "grafana", uid: "-- Grafana --" },
          enable: true,
          hide: true,
          iconColor: "rgba(0, 211, 255, 1)",
          name: "Annotations & Alerts",
          type: "dashboard",
        },
      ],
    },
    description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    links: [
      {
        title: "carfare dashboards",
        type: "dashboards",
        tags: ["carfare"],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
      },
    ],
    panels,
    refresh: "30s",
    schemaVersion: 39,
    tags: ["carfare", ...tags],
    templating: { list: [datasourceVariable(), ...variables] },
    time: { from: "now-6h", to: "now" },
    timepicker: {},
    timezone: "",
    title,
    uid,
    version: 1,
  };
}

function panel({
  id,
  gridPos,
  type = "timeseries",
  title,
  description,
  unit = "short",
  targets,
  min,
  max,
  thresholds,
  stack,
  decimals,
}) {
  const defaults = { unit };
  if (min !== undefined) defaults.min = min;
  if (max !== undefined) defaults.max = max;
  if (decimals !== undefined) defaults.decimals = decimals;
  defaults.thresholds = {
    mode: "absolute",
    steps: [{ color: "green", value: null }, ...(thresholds ?? []).map(([value, color]) => ({ color, value }))],
  };
  if (type === "timeseries") {
    defaults.custom = {
      drawStyle: "line",
      lineWidth: 1,
      fillOpacity: stack ? 30 : 10,
      showPoints: "never",
      spanNulls: false,
      stacking: { mode: stack ? "normal" : "none", group: "A" },
      thresholdsStyle: { mode: thresholds ? "line" : "off" },
    };
  }
  const options =
    type === "timeseries"
      ? {
          legend: {
            displayMode: "table",
            placement: "bottom",
            showLegend: true,
            calcs: ["mean", "max", "lastNotNull"],
          },
          tooltip: { mode: "multi", sort: "desc" },
        }
      : type === "stat"
        ? {
            reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
            colorMode: "value",
            graphMode: "area",
            justifyMode: "auto",
            orientation: "auto",
            textMode: "auto",
          }
        : type === "bargauge"
          ? {
              reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
              displayMode: "gradient",
              orientation: "horizontal",
              showUnfilled: true,
            }
          : type === "piechart"
            ? {
                reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
                pieType: "pie",
                legend: { displayMode: "table", placement: "right", showLegend: true, values: ["value", "percent"] },
              }
            : {};
  return {
    id,
    type,
    title,
    description,
    datasource: DS,
    gridPos,
    fieldConfig: { defaults, overrides: [] },
    options,
    targets: targets.map(([expr, legendFormat], i) => ({
      datasource: DS,
      refId: String.fromCharCode(65 + i),
      expr,
      legendFormat: legendFormat ?? "__auto",
      range: true,
      instant: false,
    })),
  };
}

function datasourceVariable() {
  return {
    name: "DS_PROMETHEUS",
    label: "Data source",
    type: "datasource",
    query: "prometheus",
    current: {},
    hide: 0,
    refresh: 1,
    regex: "",
    options: [],
  };
}

function queryVariable(name, label, query, { multi = false, includeAll = false } = {}) {
  return {
    name,
    label,
    type: "query",
    datasource: DS,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2,
    sort: 1,
    multi,
    includeAll,
    allValue: includeAll ? ".*" : undefined,
    current: includeAll ? { selected: true, text: ["All"], value: ["$__all"] } : {},
    hide: 0,
    regex: "",
    options: [],
  };
}

// Runtime panels shared by both services (prom-client defaults, `up`, log_messages_total).
function runtimeRow(job) {
  const sel = `job="${job}", namespace=~"$namespace", pod=~"$pod"`;
  return {
    title: "Runtime (per pod)",
    panels: [
      {
        title: "Pods up",
        type: "stat",
        w: 4,
        unit: "short",
        targets: [[`sum(up{${sel}})`, "up"]],
        thresholds: [[1, "green"]],
        description: "Targets Prometheus scraped successfully.",
      },
      { title: "Scrape status", w: 4, unit: "short", min: 0, max: 1, targets: [[`up{${sel}}`, "{{pod}}"]] },
      {
        title: "Log lines by level",
        w: 8,
        unit: "short",
        targets: [[`sum by (level) (rate(log_messages_total{${sel}}[$__rate_interval]))`, "{{level}}"]],
        description: "Log lines per second; error and fatal lines feed the *ErrorLogs alerts.",
      },
      {
        title: "Error logs by pod",
        w: 8,
        unit: "short",
        targets: [[`sum by (pod) (increase(log_messages_total{${sel}, level=~"error|fatal"}[5m]))`, "{{pod}}"]],
        thresholds: [[5, "red"]],
        description: "error/fatal lines in 5 minutes; the alert fires above 5.",
      },
      {
        title: "Event-loop lag",
        w: 6,
        unit: "s",
        targets: [[`max by (pod) (nodejs_eventloop_lag_seconds{${sel}})`, "{{pod}}"]],
        thresholds: [[0.05, "orange"]],
      },
      {
        title: "Heap used",
        w: 6,
        unit: "bytes",
        targets: [[`sum by (pod) (nodejs_heap_size_used_bytes{${sel}})`, "{{pod}}"]],
      },
      {
        title: "CPU",
        w: 6,
        unit: "short",
        description: "CPU cores used (1 = one full core).",
        targets: [[`sum by (pod) (rate(process_cpu_seconds_total{${sel}}[$__rate_interval]))`, "{{pod}}"]],
      },
      {
        title: "Resident memory (RSS)",
        w: 6,
        unit: "bytes",
        targets: [[`max by (pod) (process_resident_memory_bytes{${sel}})`, "{{pod}}"]],
      },
    ],
  };
}

// ------------------------------------------------------------------ carfare-pricing
function pricing() {
  const job = 'job="carfare-pricing", namespace=~"$namespace", pod=~"$pod"';
  const rpc = `${job}, ${NOT_PROBES_GRPC}, grpc_method=~"$method"`;
  const handled = (extra = "") => `grpc_server_handled_total{${rpc}${extra}}`;
  return dashboard({
    uid: "carfare-pricing",
    title: "carfare / pricing (gRPC)",
    description: "RED metrics per gRPC method, quote recording and Node runtime of the carfare-pricing service.",
    tags: ["pricing", "grpc"],
    variables: [
      queryVariable("namespace", "Namespace", 'label_values(up{job="carfare-pricing"}, namespace)'),
      queryVariable("pod", "Pod", 'label_values(up{job="carfare-pricing", namespace=~"$namespace"}, pod)', {
        multi: true,
        includeAll: true,
      }),
      queryVariable(
        "method",
        "Method",
        'label_values(grpc_server_handled_total{job="carfare-pricing", namespace=~"$namespace"}, grpc_method)',
        { multi: true, includeAll: true },
      ),
    ],
    rows: [
      {
        title: "Overview",
        panels: [
          {
            title: "Calls/s",
            type: "stat",
            w: 6,
            h: 5,
            unit: "reqps",
            targets: [[`sum(rate(${handled()}[$__rate_interval]))`, "calls/s"]],
            description: "Handled calls per second, health checks and reflection excluded.",
          },
          {
            title: "Server error ratio",
            type: "stat",
            w: 6,
            h: 5,
            unit: "percentunit",
            decimals: 2,
            thresholds: [[0.01, "red"]],
            targets: [
              [
                `sum(rate(${handled(`, grpc_code=~"${SERVER_CODES}"`)}[$__rate_interval])) / sum(rate(${handled()}[$__rate_interval]))`,
                "server errors",
              ],
            ],
            description: "INTERNAL, UNKNOWN, UNAVAILABLE, DEADLINE_EXCEEDED, DATA_LOSS, UNIMPLEMENTED; the SLO is 1%.",
          },
          {
            title: "Quote p99",
            type: "stat",
            w: 6,
            h: 5,
            unit: "s",
            thresholds: [[0.1, "red"]],
            targets: [
              [
                `histogram_quantile(0.99, sum by (le) (rate(grpc_server_handling_seconds_bucket{${job}, grpc_method="Quote"}[$__rate_interval])))`,
                "p99",
              ],
            ],
            description: "The SLO is 100 ms.",
          },
          {
            title: "Quote records pending",
            type: "stat",
            w: 6,
            h: 5,
            unit: "short",
            thresholds: [
              [10000, "orange"],
              [50000, "red"],
            ],
            targets: [[`sum(carfare_quote_records_pending{${job}})`, "pending"]],
          },
        ],
      },
      {
        title: "gRPC: rate, errors, duration per method",
        panels: [
          {
            title: "Calls/s by method and code",
            w: 12,
            unit: "reqps",
            stack: true,
            targets: [
              [
                `sum by (grpc_method, grpc_code) (rate(${handled()}[$__rate_interval]))`,
                "{{grpc_method}} {{grpc_code}}",
              ],
            ],
          },
          {
            title: "Calls started/s by method",
            w: 12,
            unit: "reqps",
            targets: [
              [`sum by (grpc_method) (rate(grpc_server_started_total{${rpc}}[$__rate_interval]))`, "{{grpc_method}}"],
            ],
          },
          {
            title: "Server error ratio by method",
            w: 12,
            unit: "percentunit",
            min: 0,
            thresholds: [[0.01, "red"]],
            targets: [
              [
                `sum by (grpc_method) (rate(${handled(`, grpc_code=~"${SERVER_CODES}"`)}[$__rate_interval])) / sum by (grpc_method) (rate(${handled()}[$__rate_interval]))`,
                "{{grpc_method}}",
              ],
            ],
            description: "Share of calls failing with a server error; the SLO alert fires above 1% for 5 minutes.",
          },
          {
            title: "Client errors/s by code",
            w: 12,
            unit: "reqps",
            stack: true,
            targets: [
              [
                `sum by (grpc_method, grpc_code) (rate(${handled(`, grpc_code!~"OK|${SERVER_CODES}"`)}[$__rate_interval]))`,
                "{{grpc_method}} {{grpc_code}}",
              ],
            ],
            description: "INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION…: refused requests, not service faults.",
          },
          {
            title: "Latency p50 / p99 by method",
            w: 12,
            unit: "s",
            thresholds: [[0.1, "red"]],
            targets: [
              [
                `histogram_quantile(0.5, sum by (grpc_method, le) (rate(grpc_server_handling_seconds_bucket{${rpc}}[$__rate_interval])))`,
                "p50 {{grpc_method}}",
              ],
              [
                `histogram_quantile(0.99, sum by (grpc_method, le) (rate(grpc_server_handling_seconds_bucket{${rpc}}[$__rate_interval])))`,
                "p99 {{grpc_method}}",
              ],
            ],
          },
          {
            title: "Mean latency by method",
            w: 6,
            unit: "s",
            targets: [
              [
                `sum by (grpc_method) (rate(grpc_server_handling_seconds_sum{${rpc}}[$__rate_interval])) / sum by (grpc_method) (rate(grpc_server_handling_seconds_count{${rpc}}[$__rate_interval]))`,
                "{{grpc_method}}",
              ],
            ],
          },
          {
            title: "Calls in flight",
            w: 6,
            unit: "short",
            targets: [
              [
                `sum by (grpc_method) (grpc_server_started_total{${rpc}}) - sum by (grpc_method) (grpc_server_handled_total{${rpc}})`,
                "{{grpc_method}}",
              ],
            ],
            description: "Started minus handled calls.",
          },
        ],
      },
      {
        title: "Quote recording (for analysts)",
        panels: [
          {
            title: "Quote records written/s",
            w: 8,
            unit: "short",
            targets: [
              [`sum by (pod) (rate(carfare_quote_records_written_total{${job}}[$__rate_interval]))`, "{{pod}}"],
            ],
          },
          {
            title: "Quote records dropped/s by reason",
            w: 8,
            unit: "short",
            thresholds: [[0, "red"]],
            targets: [
              [`sum by (reason) (rate(carfare_quote_records_dropped_total{${job}}[$__rate_interval]))`, "{{reason}}"],
            ],
            description: "Any drop leaves a gap in the analysts' quote tables (alert CarfareQuoteRecordsDropped).",
          },
          {
            title: "Quote records pending by pod",
            w: 8,
            unit: "short",
            thresholds: [
              [10000, "orange"],
              [50000, "red"],
            ],
            targets: [[`max by (pod) (carfare_quote_records_pending{${job}})`, "{{pod}}"]],
            description: "Buffered quotes; at 50,000 new ones are dropped.",
          },
        ],
      },
      runtimeRow("carfare-pricing"),
    ],
  });
}

// ------------------------------------------------------------------ carfare-waiver
function waiver() {
  const job = 'job="carfare-waiver", namespace=~"$namespace", pod=~"$pod"';
  const http = `${job}, route=~"$route", ${NOT_PROBES_HTTP}`;
  const count = (extra = "") => `http_request_duration_seconds_count{${http}${extra}}`;
  return dashboard({
    uid: "carfare-waiver",
    title: "carfare / damage waiver (HTTP)",
    description: "RED metrics per route and Node runtime of the carfare-waiver (damage waiver) service.",
    tags: ["waiver", "http"],
    variables: [
      queryVariable("namespace", "Namespace", 'label_values(up{job="carfare-waiver"}, namespace)'),
      queryVariable("pod", "Pod", 'label_values(up{job="carfare-waiver", namespace=~"$namespace"}, pod)', {
        multi: true,
        includeAll: true,
      }),
      queryVariable(
        "route",
        "Route",
        'label_values(http_request_duration_seconds_count{job="carfare-waiver", namespace=~"$namespace"}, route)',
        { multi: true, includeAll: true },
      ),
    ],
    rows: [
      {
        title: "Overview",
        panels: [
          {
            title: "Requests/s",
            type: "stat",
            w: 8,
            h: 5,
            unit: "reqps",
            targets: [[`sum(rate(${count()}[$__rate_interval]))`, "requests/s"]],
            description: "Probe and metrics routes excluded.",
          },
          {
            title: "5xx ratio",
            type: "stat",
            w: 8,
            h: 5,
            unit: "percentunit",
            decimals: 2,
            thresholds: [[0.01, "red"]],
            targets: [
              [
                `sum(rate(${count(', status_code=~"5.."')}[$__rate_interval])) / sum(rate(${count()}[$__rate_interval]))`,
                "5xx",
              ],
            ],
            description: "The SLO is 1%.",
          },
          {
            title: "p99 latency",
            type: "stat",
            w: 8,
            h: 5,
            unit: "s",
            thresholds: [[0.5, "red"]],
            targets: [
              [
                `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${http}}[$__rate_interval])))`,
                "p99",
              ],
            ],
            description: "The SLO is 500 ms.",
          },
        ],
      },
      {
        title: "HTTP: rate, errors, duration per route",
        panels: [
          {
            title: "Requests/s by route",
            w: 12,
            unit: "reqps",
            stack: true,
            targets: [[`sum by (method, route) (rate(${count()}[$__rate_interval]))`, "{{method}} {{route}}"]],
          },
          {
            title: "Responses/s by status code",
            w: 12,
            unit: "reqps",
            stack: true,
            targets: [[`sum by (status_code) (rate(${count()}[$__rate_interval]))`, "{{status_code}}"]],
          },
          {
            title: "5xx ratio by route",
            w: 12,
            unit: "percentunit",
            min: 0,
            thresholds: [[0.01, "red"]],
            targets: [
              [
                `sum by (method, route) (rate(${count(', status_code=~"5.."')}[$__rate_interval])) / sum by (method, route) (rate(${count()}[$__rate_interval]))`,
                "{{method}} {{route}}",
              ],
            ],
          },
          {
            title: "4xx/s by route and code",
            w: 12,
            unit: "reqps",
            stack: true,
            targets: [
              [
                `sum by (route, status_code) (rate(${count(', status_code=~"4.."')}[$__rate_interval]))`,
                "{{route}} {{status_code}}",
              ],
            ],
            description: "Refused requests (problem details): validation, not found, conflicts, If-Match races.",
          },
          {
            title: "Latency p50 / p99 by route",
            w: 12,
            unit: "s",
            thresholds: [[0.5, "red"]],
            targets: [
              [
                `histogram_quantile(0.5, sum by (route, le) (rate(http_request_duration_seconds_bucket{${http}}[$__rate_interval])))`,
                "p50 {{route}}",
              ],
              [
                `histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{${http}}[$__rate_interval])))`,
                "p99 {{route}}",
              ],
            ],
          },
          {
            title: "Mean latency by route",
            w: 12,
            unit: "s",
            targets: [
              [
                `sum by (route) (rate(http_request_duration_seconds_sum{${http}}[$__rate_interval])) / sum by (route) (rate(${count()}[$__rate_interval]))`,
                "{{route}}",
              ],
            ],
          },
        ],
      },
      runtimeRow("carfare-waiver"),
    ],
  });
}

// ------------------------------------------------------------------ business KPIs
function business() {
  const ns = 'namespace=~"$namespace"';
  const mk = `${ns}, market=~"$market"`;
  return dashboard({
    uid: "carfare-business",
    title: "carfare / business KPIs",
    description:
      "Quotes, settlements, coupon refusals, waiver sales, incidents and liabilities. Counters per minute (rate × 60) or over the selected time range.",
    tags: ["business"],
    variables: [
      queryVariable("namespace", "Namespace", "label_values(carfare_quotes_total, namespace)"),
      queryVariable("market", "Market", 'label_values(carfare_quotes_total{namespace=~"$namespace"}, market)', {
        multi: true,
        includeAll: true,
      }),
    ],
    rows: [
      {
        title: "Pricing: quotes and settlements",
        panels: [
          {
            title: "Quotes/min (time range)",
            type: "stat",
            w: 6,
            h: 5,
            unit: "short",
            targets: [[`sum(increase(carfare_quotes_total{${mk}}[$__range])) / ($__range_s / 60)`, "quotes/min"]],
          },
          {
            title: "Settlements/min (time range)",
            type: "stat",
            w: 6,
            h: 5,
            unit: "short",
            targets: [
              [`sum(increase(carfare_settlements_total{${mk}}[$__range])) / ($__range_s / 60)`, "settlements/min"],
            ],
          },
          {
            title: "Settlements per 100 quotes (time range)",
            type: "stat",
            w: 6,
            h: 5,
            unit: "short",
            decimals: 1,
            targets: [
              [
                `100 * sum(increase(carfare_settlements_total{${mk}}[$__range])) / sum(increase(carfare_quotes_total{${mk}}[$__range]))`,
                "per 100 quotes",
              ],
            ],
            description:
              "A conversion input, not a conversion rate: quotes include searches and repeated quotes of one booking; a settlement closes a rental.",
          },
          {
            title: "Pricing refusals (time range)",
            type: "stat",
            w: 6,
            h: 5,
            unit: "short",
            targets: [[`sum(increase(carfare_pricing_refusals_total{${ns}}[$__range]))`, "refusals"]],
          },
          {
            title: "Quotes/min by market",
            w: 12,
            unit: "short",
            stack: true,
            targets: [[`sum by (market) (rate(carfare_quotes_total{${mk}}[$__rate_interval])) * 60`, "{{market}}"]],
          },
          {
            title: "Quotes/min by car class",
            w: 12,
            unit: "short",
            stack: true,
            targets: [
              [`sum by (car_class) (rate(carfare_quotes_total{${mk}}[$__rate_interval])) * 60`, "{{car_class}}"],
            ],
          },
          {
            title: "Conversion inputs: quotes vs settlements per min, by market",
            w: 12,
            unit: "short",
            targets: [
              [`sum by (market) (rate(carfare_quotes_total{${mk}}[$__rate_interval])) * 60`, "quotes {{market}}"],
              [
                `sum by (market) (rate(carfare_settlements_total{${mk}}[$__rate_interval])) * 60`,
                "settlements {{market}}",
              ],
            ],
          },
          {
            title: "Refusals/min by code",
            w: 12,
            unit: "short",
            stack: true,
            targets: [
              [`sum by (code) (rate(carfare_pricing_refusals_total{${ns}}[$__rate_interval])) * 60`, "{{code}}"],
            ],
            description: "Every refusal of a quote or settlement (coupon refusals included), by PRICING.* code.",
          },
        ],
      },
      {
        title: "Damage waiver: sales, incidents, liabilities",
        panels: [
          {
            title: "Waiver quotes/min by car class",
            w: 12,
            unit: "short",
            stack: true,
            targets: [
              [`sum by (car_class) (rate(carfare_waiver_quotes_total{${mk}}[$__rate_interval])) * 60`, "{{car_class}}"],
            ],
          },
          {
            title: "Waiver quotes/min by market",
            w: 12,
            unit: "short",
            stack: true,
            targets: [
              [`sum by (market) (rate(carfare_waiver_quotes_total{${mk}}[$__rate_interval])) * 60`, "{{market}}"],
            ],
          },
          {
            title: "Incident transitions/hour by new status",
            w: 12,
            unit: "short",
            stack: true,
            targets: [
              [`sum by (to) (rate(carfare_incident_transitions_total{${mk}}[$__rate_interval])) * 3600`, "{{to}}"],
            ],
          },
          {
            title: "Incident transitions by new status (time range)",
            type: "bargauge",
            w: 12,
            unit: "short",
            targets: [[`sum by (to) (increase(carfare_incident_transitions_total{${mk}}[$__range]))`, "{{to}}"]],
          },
          {
            title: "Liabilities by basis (time range)",
            type: "piechart",
            w: 12,
            unit: "short",
            targets: [[`sum by (basis) (increase(carfare_liabilities_total{${mk}}[$__range]))`, "{{basis}}"]],
            description:
              "How customer liabilities were worked out (e.g. capped by the waiver, full share, legacy deductible).",
          },
          {
            title: "Liabilities/hour by market and basis",
            w: 12,
            unit: "short",
            stack: true,
            targets: [
              [
                `sum by (market, basis) (rate(carfare_liabilities_total{${mk}}[$__rate_interval])) * 3600`,
                "{{market}} {{basis}}",
              ],
            ],
          },
        ],
      },
    ],
  });
}

for (const [name, build] of [
  ["carfare-pricing", pricing],
  ["carfare-waiver", waiver],
  ["carfare-business", business],
]) {
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(build(), null, 2)}\n`);
}

/**
 * The PromQL the monitoring artifacts hold — every alert and recording rule of `alerts.rules.yaml`, every
 * Grafana panel query and variable selector of `deploy/grafana/*.json` — and the metric names in it, with the
 * lists of names that do not come from the services. Shared by the two checks of those queries:
 *
 * - `scripts/check-monitoring.sh` runs them on a loopback Prometheus over synthetic series that carry the names
 *   of `DOCUMENTED_SERVICE_METRICS` (imports this file through `node --import tsx`);
 * - `live-prometheus.test.ts` runs them on a loopback Prometheus that scrapes the real `carfare serve`
 *   processes, and checks the names against what those processes export.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

export const MONITORING_DIR = fileURLToPath(new URL("../", import.meta.url));
export const GRAFANA_DIR = fileURLToPath(new URL("../../grafana/", import.meta.url));
export const RULES_FILE = join(MONITORING_DIR, "alerts.rules.yaml");
export const PROMETHEUS_CONFIG_FILE = join(MONITORING_DIR, "prometheus.yml");

/** One PromQL expression and where it was found (`carfare-pricing.json panel 3 "Calls/s" A`). */
export interface Query {
  readonly where: string;
  readonly expr: string;
}

/**
 * What the services export, as check-monitoring.sh backfills it (prom-client defaults, gRPC and HTTP RED,
 * business counters, log lines); the live test fails when one of these is not exported by the real processes.
 */
export const DOCUMENTED_SERVICE_METRICS: ReadonlySet<string> = new Set([
  "process_cpu_seconds_total",
  "process_resident_memory_bytes",
  "nodejs_eventloop_lag_seconds",
  "nodejs_heap_size_used_bytes",
  "grpc_server_started_total",
  "grpc_server_handled_total",
  "grpc_server_handling_seconds_bucket",
  "grpc_server_handling_seconds_sum",
  "grpc_server_handling_seconds_count",
  "http_request_duration_seconds_bucket",
  "http_request_duration_seconds_sum",
  "http_request_duration_seconds_count",
  "carfare_quotes_total",
  "carfare_settlements_total",
  "carfare_pricing_refusals_total",
  "carfare_waiver_quotes_total",
  "carfare_incident_transitions_total",
  "carfare_liabilities_total",
  "carfare_quote_records_written_total",
  "carfare_quote_records_dropped_total",
  "carfare_quote_records_pending",
  "log_messages_total",
]);

/** The series Prometheus writes itself for every target: `up` and `scrape_*`. */
export function isPrometheusOwn(name: string): boolean {
  return name === "up" || name.startsWith("scrape_");
}

/** kube-state-metrics, which only the optional *ReplicasMissing alerts use (never a dashboard). */
export const KUBE_STATE_METRICS: ReadonlySet<string> = new Set([
  "kube_deployment_spec_replicas",
  "kube_deployment_status_replicas_available",
]);

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
  "Inf",
  "NaN",
]);

/** The metric names an expression reads: identifiers that are not functions, keywords, labels or numbers. */
export function metricNames(expr: string): Set<string> {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{[^}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ");
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const before = s[(m.index ?? 0) - 1];
    if (before && /[0-9.]/.test(before)) continue; // 1e3, 0.5
    if (
      s
        .slice((m.index ?? 0) + m[0].length)
        .trimStart()
        .startsWith("(")
    )
      continue; // a function or aggregation
    if (KEYWORDS.has(m[0])) continue;
    names.add(m[0]);
  }
  return names;
}

/** The `job` each selector of an expression asks for (`grpc_server_handled_total{job="carfare-pricing"}`). */
export function jobSelectors(expr: string): { name: string; job: string }[] {
  const found: { name: string; job: string }[] = [];
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const job = /(?:^|[\s,])job\s*=\s*"([^"]*)"/.exec(m[2] ?? "")?.[1];
    if (job !== undefined && m[1] !== undefined) found.push({ name: m[1], job });
  }
  return found;
}

/** Grafana's variables → something Prometheus accepts (`$namespace` → `.*`, `$__rate_interval` → `5m`). */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "5m")
    .replaceAll("$__interval", "1m")
    .replaceAll("$__range_s", "3600")
    .replaceAll("$__range", "1h")
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, ".*");
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

/** Every alerting and recording rule's expression (`alerts.rules.yaml CarfarePricingDown`). */
export function ruleQueries(file: string = RULES_FILE): Query[] {
  const rules = YAML.parse(readFileSync(file, "utf8")) as RuleFile;
  return rules.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `${basename(file)} ${r.alert ?? r.record}`, expr: r.expr })),
  );
}

interface Dashboard {
  panels?: { id?: number; title?: string; type?: string; targets?: { refId?: string; expr?: unknown }[] }[];
  templating?: { list?: { name?: string; type?: string; query?: unknown }[] };
}

/** The dashboard files of deploy/grafana (`carfare-*.json`), sorted. */
export function dashboardFiles(dir: string = GRAFANA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /^carfare-.*\.json$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The queries of one dashboard as written (Grafana variables left in): every panel target, and the selector of
 * every `label_values(selector, label)` query variable. `problems` lists panels without a usable query.
 */
export function dashboardQueries(dashboard: unknown, name: string): { queries: Query[]; problems: Query[] } {
  const d = dashboard as Dashboard;
  const queries: Query[] = [];
  const problems: Query[] = [];
  for (const p of d.panels ?? []) {
    if (p.type === "row") continue;
    const where = `${name} panel ${p.id} "${p.title}"`;
    if (!Array.isArray(p.targets) || p.targets.length === 0) {
      problems.push({ where, expr: "no targets" });
      continue;
    }
    for (const t of p.targets) {
      if (typeof t.expr !== "string" || !t.expr.trim()) problems.push({ where, expr: `target ${t.refId} has no expr` });
      else queries.push({ where: `${where} ${t.refId}`, expr: t.expr });
    }
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const q = typeof v.query === "string" ? v.query : (v.query as { query?: string } | undefined)?.query;
    const m = /^label_values\((.*),\s*([a-zA-Z_]\w*)\)$/.exec(q ?? "");
    const where = `${name} variable ${v.name}`;
    if (m?.[1] === undefined) problems.push({ where, expr: `not label_values(selector, label): ${q}` });
    else queries.push({ where, expr: m[1] });
  }
  return { queries, problems };
}

/** The queries of every dashboard file, parsed from disk. */
export function allDashboardQueries(files: readonly string[] = dashboardFiles()): Query[] {
  return files.flatMap((file) => dashboardQueries(JSON.parse(readFileSync(file, "utf8")), basename(file)).queries);
}

/** A pod as Kubernetes discovery would describe it to the scrape job of prometheus.yml. */
export interface PodStandIn {
  readonly app: string;
  readonly pod: string;
  readonly namespace: string;
  /** host:port Prometheus scrapes. */
  readonly address: string;
  /** The container port's name; only `metrics` is scraped. */
  readonly portName: string;
  /** The `prometheus.io/scrape` annotation; default true. */
  readonly scrape?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: a Prometheus configuration is read and rewritten loosely
type PrometheusConfig = Record<string, any>;

/**
 * `deploy/monitoring/prometheus.yml` with its Kubernetes pod discovery replaced by static targets that carry the
 * `__meta_kubernetes_*` labels discovery would give these pods (Debian's prometheus has no Kubernetes discovery),
 * so that its relabelling still decides what is scraped and names the jobs, `namespace` and `pod`.
 */
export function withStaticPods(pods: readonly PodStandIn[], file: string = PROMETHEUS_CONFIG_FILE): PrometheusConfig {
  const config = YAML.parse(readFileSync(file, "utf8")) as PrometheusConfig;
  const job = (config.scrape_configs ?? []).find((j: PrometheusConfig) => j.kubernetes_sd_configs);
  if (!job) throw new Error(`${file}: no scrape job with kubernetes_sd_configs`);
  delete job.kubernetes_sd_configs;
  job.static_configs = pods.map((p) => ({
    targets: [p.address],
    labels: {
      __meta_kubernetes_namespace: p.namespace,
      __meta_kubernetes_pod_name: p.pod,
      __meta_kubernetes_pod_label_app_kubernetes_io_name: p.app,
      __meta_kubernetes_pod_annotation_prometheus_io_scrape: String(p.scrape ?? true),
      __meta_kubernetes_pod_annotation_prometheus_io_path: "/metrics",
      __meta_kubernetes_pod_container_port_name: p.portName,
    },
  }));
  return config;
}

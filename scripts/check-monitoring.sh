#!/usr/bin/env bash
# Validates the monitoring artifacts offline (CI runs it; it installs nothing):
#   1. promtool check rules   deploy/monitoring/alerts.rules.yaml (and the PrometheusRule wrapper's spec)
#   2. the PrometheusRule wrapper deploy/monitoring/prometheus-rule.yaml is in sync with the plain rule file
#   3. promtool test rules    deploy/monitoring/alerts.test.yaml
#   4. amtool check-config    deploy/monitoring/alertmanager.yml (+ its Slack template), the route tree, and a real
#      Alertmanager on loopback: inhibit rules, and the Slack messages sent to a local stand-in for Slack
#   5. the Grafana dashboards deploy/grafana/*.json are what deploy/grafana/generate.mjs writes, are well formed,
#      and every panel query (and variable selector) parses and returns data: each is sent to a real `prometheus`
#      started on loopback in a temp dir (a parse error answers 400 bad_data) over backfilled synthetic series that
#      have exactly the exported names and labels; it is stopped at the end
#   6. every metric name used by the rules and the dashboards is one the services export (or `up`, or
#      kube-state-metrics for the optional replica alerts); the list is printed (METRIC lines) for the cross-check.
#      Steps 5 and 6 take the queries, the names in them and the list of exported names from
#      deploy/monitoring/test/monitoring-queries.ts; `npm run test:monitoring` runs the same queries against the
#      real services scraped by a real Prometheus, and checks that list against what they really export
#   7. that prometheus runs deploy/monitoring/prometheus.yml (Kubernetes discovery replaced by static stand-ins for
#      the pods): its relabelling must yield the jobs carfare-pricing / carfare-waiver with namespace and pod, and
#      it loads the 14 alert rules; deploy/monitoring/pod-monitor.yaml is checked for shape only
# Takes about 10 s. Starts nothing that outlives it; removes its temp dir.
#
# Needs promtool, amtool, prometheus (Debian packages `prometheus` and `prometheus-alertmanager`) and node with the
# repository's node_modules (`npm ci`).
# Usage: scripts/check-monitoring.sh            check
#        scripts/check-monitoring.sh --write    regenerate prometheus-rule.yaml and the dashboards, then check
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
MON=deploy/monitoring
GRAF=deploy/grafana
WRITE=0
if [[ "${1:-}" == "--write" ]]; then WRITE=1; fi
START_NS=$(date +%s%N)
FAILED=0

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; FAILED=1; }

missing=0
for tool in promtool amtool prometheus prometheus-alertmanager; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    upper=$(printf '%s' "$tool" | tr '[:lower:]' '[:upper:]')
    echo "!!!!!!!!!! ${upper} NOT FOUND: install the Debian packages prometheus and prometheus-alertmanager !!!!!!!!!!"
    missing=1
  fi
done
if ! command -v node >/dev/null 2>&1; then echo "!!!!!!!!!! NODE NOT FOUND !!!!!!!!!!"; missing=1; fi
if [[ $missing == 1 ]]; then exit 1; fi
for module in yaml tsx; do
  if [[ ! -d node_modules/$module ]]; then echo "!!!!!!!!!! node_modules/$module NOT FOUND: run npm ci first !!!!!!!!!!"; exit 1; fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/check-monitoring.XXXXXX")
PROM_PID=""
AM_PID=""
cleanup() {
  if [[ -n "$AM_PID" ]] && kill -0 "$AM_PID" 2>/dev/null; then kill "$AM_PID" 2>/dev/null || true; fi
  if [[ -n "$PROM_PID" ]] && kill -0 "$PROM_PID" 2>/dev/null; then
    kill "$PROM_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PROM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PROM_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ 1-2. rules and the PrometheusRule wrapper
render_prometheus_rule() {
  cat <<'EOF'
# GENERATED from deploy/monitoring/alerts.rules.yaml by `scripts/check-monitoring.sh --write`: do not edit.
# The same rules as a Prometheus Operator PrometheusRule. The operator's ruleSelector must match these labels
# (kube-prometheus-stack selects `release: <its release name>` unless ruleSelectorNilUsesHelmValues is false).
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: carfare-alerts
  labels:
    app.kubernetes.io/name: carfare
    app.kubernetes.io/component: alerting-rules
    app.kubernetes.io/part-of: carfare
spec:
EOF
  sed -e 's/^\(.\)/  \1/' "$MON/alerts.rules.yaml"
}

step "promtool check rules $MON/alerts.rules.yaml"
promtool check rules "$MON/alerts.rules.yaml" || fail "promtool check rules"

step "PrometheusRule $MON/prometheus-rule.yaml in sync with alerts.rules.yaml"
render_prometheus_rule >"$TMP/prometheus-rule.yaml"
if [[ $WRITE == 1 ]]; then cp "$TMP/prometheus-rule.yaml" "$MON/prometheus-rule.yaml"; echo "written"; fi
if diff -u "$MON/prometheus-rule.yaml" "$TMP/prometheus-rule.yaml" >"$TMP/pr.diff" 2>&1; then
  echo "in sync"
else
  head -40 "$TMP/pr.diff"
  fail "$MON/prometheus-rule.yaml differs from alerts.rules.yaml: run scripts/check-monitoring.sh --write"
fi
node --input-type=module -e '
  import { createRequire } from "node:module";
  import { readFileSync, writeFileSync } from "node:fs";
  const require = createRequire(process.cwd() + "/package.json");
  const YAML = require("yaml");
  const [file, out] = process.argv.slice(1);
  const doc = YAML.parse(readFileSync(file, "utf8"));
  if (doc.kind !== "PrometheusRule" || doc.apiVersion !== "monitoring.coreos.com/v1") throw new Error("not a PrometheusRule");
  writeFileSync(out, JSON.stringify(doc.spec));
' "$MON/prometheus-rule.yaml" "$TMP/prometheus-rule-spec.json" || fail "PrometheusRule does not parse"
promtool check rules "$TMP/prometheus-rule-spec.json" || fail "promtool check rules (PrometheusRule spec)"

# ------------------------------------------------------------------ 3. rule unit tests
step "promtool test rules $MON/alerts.test.yaml"
(cd "$MON" && promtool test rules alerts.test.yaml) || fail "promtool test rules"

# ------------------------------------------------------------------ 4. Alertmanager
step "amtool check-config $MON/alertmanager.yml"
amtool check-config "$MON/alertmanager.yml" || fail "amtool check-config"
check_route() { # expected receiver, labels…
  local want=$1; shift
  local got
  got=$(amtool config routes test --config.file="$MON/alertmanager.yml" "$@" 2>/dev/null || true)
  if [[ "$got" == "$want" ]]; then echo "route $* → $got"; else fail "route $* → '$got', expected $want"; fi
}
check_route slack-page alertname=CarfarePricingGrpcErrorRatio severity=page namespace=prod
check_route slack-ticket alertname=CarfareQuoteRecordsDropped severity=ticket namespace=prod
check_route null alertname=Watchdog severity=none
check_route null alertname=KubeNodeNotReady
grep -q 'api_url_file:' "$MON/alertmanager.yml" || fail "the Slack receivers must read the webhook from api_url_file"
if grep -Eq 'hooks\.slack\.com|api_url:' "$MON/alertmanager.yml"; then fail "a Slack webhook URL is in git ($MON/alertmanager.yml)"; fi

# A real Alertmanager on loopback, on a copy of the config where only the Slack URL file (→ a local HTTP server
# standing in for Slack) and the group timers (→ 1 s) differ: post alerts, check which ones the inhibit rules
# suppress, and that the Slack messages render (channel, title, summary, runbook) and resolve.
free_port() { node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_ready() { # url pid
  for _ in $(seq 1 100); do
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
if command -v prometheus-alertmanager >/dev/null 2>&1; then
  AM_PORT=$(free_port)
  SLACK_PORT=$(free_port)
  mkdir -p "$TMP/alertmanager/data"
  printf 'http://127.0.0.1:%s/services/T000/B000/XXXX\n' "$SLACK_PORT" >"$TMP/alertmanager/slack-webhook-url"
  sed -e "s#api_url_file: .*#api_url_file: $TMP/alertmanager/slack-webhook-url#" \
      -e 's#^\(  *\)group_wait: .*#\1group_wait: 1s#' -e 's#^\(  *\)group_interval: .*#\1group_interval: 1s#' \
      "$MON/alertmanager.yml" >"$TMP/alertmanager/alertmanager.yml"
  cp "$MON"/*.tmpl "$TMP/alertmanager/"
  changed=$( (diff "$MON/alertmanager.yml" "$TMP/alertmanager/alertmanager.yml" || true) | grep -c '^>' || true)
  echo "test copy of alertmanager.yml: $changed lines changed (Slack URL file → local stand-in, group timers → 1 s)"
  prometheus-alertmanager --config.file="$TMP/alertmanager/alertmanager.yml" --storage.path="$TMP/alertmanager/data" \
    --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address="" --log.level=warn >"$TMP/alertmanager/log" 2>&1 &
  AM_PID=$!
  if wait_ready "http://127.0.0.1:$AM_PORT/-/ready" "$AM_PID"; then
    node --input-type=module - "$AM_PORT" "$SLACK_PORT" <<'EOF' || fail "Alertmanager inhibition / Slack messages"
import { createServer } from "node:http";
const [amPort, slackPort] = process.argv.slice(2);
const base = `http://127.0.0.1:${amPort}/api/v2`;
const slack = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => { try { slack.push(JSON.parse(body)); } catch { slack.push({ raw: body }); } res.end("ok"); });
}).listen(Number(slackPort), "127.0.0.1");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const a = (alertname, labels, extra = {}) => ({
  labels: { alertname, ...labels },
  annotations: { summary: `${alertname} summary`, description: `${alertname} description`, runbook_url: `docs/operations.md#${alertname.toLowerCase()}` },
  startsAt: new Date(Date.now() - 60000).toISOString(),
  ...extra,
});
const pricing = { service: "carfare-pricing", severity: "ticket" };
const posted = [
  [a("CarfarePricingPodDown", { ...pricing, namespace: "prod", pod: "pricing-a" }), "active"],
  [a("CarfarePricingErrorLogs", { ...pricing, namespace: "prod", pod: "pricing-a" }), "suppressed"],
  [a("CarfareQuoteRecordsDropped", { ...pricing, namespace: "prod", pod: "pricing-a", reason: "buffer-full" }), "suppressed"],
  [a("CarfarePricingErrorLogs", { ...pricing, namespace: "prod", pod: "pricing-b" }), "active"],
  [a("CarfareWaiverPodDown", { service: "carfare-waiver", severity: "ticket", namespace: "prod", pod: "waiver-a" }), "active"],
  [a("CarfareWaiverErrorLogs", { service: "carfare-waiver", severity: "ticket", namespace: "prod", pod: "waiver-a" }), "suppressed"],
  [a("CarfarePricingDown", { service: "carfare-pricing", severity: "page", namespace: "dev" }), "active"],
  [a("CarfarePricingGrpcErrorRatio", { service: "carfare-pricing", severity: "page", namespace: "dev", grpc_service: "carfare.pricing.v1.PricingService" }), "suppressed"],
  [a("CarfarePricingGrpcErrorRatio", { service: "carfare-pricing", severity: "page", namespace: "prod", grpc_service: "carfare.pricing.v1.PricingService" }), "active"],
  [a("CarfareWaiverHttp5xxRatio", { service: "carfare-waiver", severity: "page", namespace: "dev" }), "active"],
  [a("SomeoneElsesAlert", { severity: "critical", namespace: "kube-system" }), "active"],
];
const post = async (alerts) => {
  const res = await fetch(`${base}/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
  if (!res.ok) throw new Error(`POST alerts: ${res.status} ${await res.text()}`);
};
// The alerts that inhibit first (as in life: a pod is down before its errors are evaluated), then the others.
const isSource = ([x]) => /Down$/.test(x.labels.alertname);
await post(posted.filter(isSource).map(([x]) => x));
await sleep(300);
await post(posted.filter((p) => !isSource(p)).map(([x]) => x));
const key = (l) => JSON.stringify(Object.entries(l).sort());
let failed = 0;
for (let attempt = 0; attempt < 20; attempt++) {
  const got = new Map((await (await fetch(`${base}/alerts`)).json()).map((x) => [key(x.labels), x.status.state]));
  failed = 0;
  const lines = posted.map(([x, want]) => {
    const state = got.get(key(x.labels));
    if (state !== want) failed++;
    return `${state === want ? "ok  " : "FAIL"} inhibition: ${x.labels.alertname}{namespace=${x.labels.namespace}${x.labels.pod ? `,pod=${x.labels.pod}` : ""}} ${state} (want ${want})`;
  });
  if (!failed || attempt === 19) { console.log(lines.join("\n")); break; }
  await sleep(100);
}

// Slack: what reached the stand-in, by title.
const find = (pred) => slack.flatMap((m) => (m.attachments ?? []).map((at) => ({ channel: m.channel, ...at }))).find(pred);
const expectations = [
  ["page to #carfare-oncall", (m) => m.channel === "#carfare-oncall" && /^\[FIRING:1\] CarfarePricingGrpcErrorRatio \(prod\)/.test(m.title)
      && m.text.includes("CarfarePricingGrpcErrorRatio summary") && m.text.includes("CarfarePricingGrpcErrorRatio description")
      && m.text.includes("Runbook: docs/operations.md#carfarepricinggrpcerrorratio") && m.color === "danger"],
  ["ticket to #carfare-alerts (pod-b only)", (m) => m.channel === "#carfare-alerts" && /^\[FIRING:1\] CarfarePricingErrorLogs \(prod\)/.test(m.title)
      && m.text.includes("pricing-b") && !m.text.includes("pricing-a") && m.color === "warning"],
];
const deadline = Date.now() + 8000;
while (Date.now() < deadline && !expectations.every(([, p]) => find(p))) await sleep(100);
for (const [name, p] of expectations) {
  const ok = !!find(p);
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} slack: ${name}`);
}
if (slack.some((m) => JSON.stringify(m).includes("SomeoneElsesAlert"))) { failed++; console.log("FAIL slack: an alert without a carfare severity reached Slack"); }
else console.log("ok   slack: alerts without a carfare severity go to the null receiver");
const attachments = slack.flatMap((m) => m.attachments ?? []);
for (const [x, want] of posted) {
  if (want !== "suppressed") continue;
  const { alertname, namespace, pod } = x.labels;
  if (attachments.some((at) => at.title?.includes(`${alertname} (${namespace})`) && (!pod || at.text?.includes(`\`${pod}\``)))) {
    failed++;
    console.log(`FAIL slack: the inhibited ${alertname}{namespace=${namespace}${pod ? `,pod=${pod}` : ""}} was sent`);
  }
}

// Resolve the page: a [RESOLVED] message follows (send_resolved).
const page = posted[8][0];
await post([{ ...page, endsAt: new Date().toISOString() }]);
const resolved = (m) => m.channel === "#carfare-oncall" && /^\[RESOLVED\] CarfarePricingGrpcErrorRatio \(prod\)/.test(m.title) && m.color === "good";
const deadline2 = Date.now() + 8000;
while (Date.now() < deadline2 && !find(resolved)) await sleep(100);
if (find(resolved)) console.log("ok   slack: resolved message"); else { failed++; console.log("FAIL slack: no [RESOLVED] message"); }
if (process.env.CHECK_MONITORING_VERBOSE) for (const at of slack.flatMap((m) => (m.attachments ?? []).map((at) => ({ channel: m.channel, ...at })))) console.log(`  slack message ${at.channel} ${at.title}`);
if (failed) console.log(JSON.stringify(slack, null, 1).slice(0, 4000));
server.close();
process.exit(failed ? 1 : 0);
EOF
  else
    cat "$TMP/alertmanager/log"; fail "alertmanager did not start on 127.0.0.1:$AM_PORT"
  fi
  kill "$AM_PID" 2>/dev/null || true
  wait "$AM_PID" 2>/dev/null || true
else
  echo "!!!!!!!!!! PROMETHEUS-ALERTMANAGER NOT FOUND: inhibition and Slack messages not exercised !!!!!!!!!!"
  FAILED=1
fi

# ------------------------------------------------------------------ 5. dashboards: generated, well formed
step "Grafana dashboards in $GRAF"
mkdir -p "$TMP/grafana"
node "$GRAF/generate.mjs" "$TMP/grafana"
if [[ $WRITE == 1 ]]; then
  cp "$TMP"/grafana/*.json "$GRAF/"
  if [[ -x node_modules/.bin/biome ]]; then node_modules/.bin/biome format --write "$GRAF"/*.json >/dev/null; fi
  echo "written"
fi
for f in "$TMP"/grafana/*.json; do
  name=$(basename "$f")
  # Same content (the committed files are formatted by biome, the generator's are not).
  if ! node -e 'const fs=require("node:fs");const [a,b]=process.argv.slice(1).map(f=>JSON.stringify(JSON.parse(fs.readFileSync(f,"utf8"))));process.exit(a===b?0:1)' \
    "$GRAF/$name" "$f" 2>/dev/null; then
    fail "$GRAF/$name is not what generate.mjs writes: run scripts/check-monitoring.sh --write"
  fi
done

PORT=$(free_port)
mkdir -p "$TMP/prometheus/data"
# Synthetic series with exactly the names and labels the services export (the contract of issue 4), 30 minutes at
# 15 s, backfilled into the temp TSDB: every dashboard query must not only parse but also return data, which
# catches a misspelt label or value that parsing alone lets through.
QUERY_TIME=$(node --input-type=module - "$TMP/prometheus/synthetic.om" <<'EOF'
import { writeFileSync } from "node:fs";
const end = Math.floor(Date.now() / 60000) * 60 - 60;
const series = []; // [name, labels, per-step increase (counter) or value (gauge), kind]
const counter = (name, labels, step) => series.push([name, labels, step, "counter"]);
const gauge = (name, labels, value) => series.push([name, labels, value, "gauge"]);
const histogram = (name, labels, perStep, buckets) => {
  // perStep observations every 15 s, spread over the buckets by the given cumulative shares
  for (const [le, share] of buckets) counter(`${name}_bucket`, { ...labels, le }, perStep * share);
  counter(`${name}_count`, labels, perStep);
  counter(`${name}_sum`, labels, perStep * 0.03);
};
const target = (job, pod) => ({ job, namespace: "carfare-prod", pod, instance: `${pod}:9464` });
for (const [job, pod] of [["carfare-pricing", "carfare-pricing-7d9f-abcde"], ["carfare-waiver", "carfare-waiver-5c6b-fghij"]]) {
  const t = target(job, pod);
  gauge("up", t, 1);
  counter("process_cpu_seconds_total", t, 1.5);
  gauge("process_resident_memory_bytes", t, 150e6);
  gauge("nodejs_eventloop_lag_seconds", t, 0.004);
  gauge("nodejs_heap_size_used_bytes", t, 60e6);
  for (const [level, n] of [["info", 40], ["warn", 2], ["error", 1]]) counter("log_messages_total", { ...t, level }, n);
}
const p = target("carfare-pricing", "carfare-pricing-7d9f-abcde");
const grpcBuckets = [["0.005", 0.3], ["0.01", 0.6], ["0.025", 0.85], ["0.05", 0.95], ["0.1", 0.99], ["0.25", 1], ["0.5", 1], ["1", 1], ["2.5", 1], ["5", 1], ["10", 1], ["+Inf", 1]];
for (const [service, method, calls, codes] of [
  ["carfare.pricing.v1.PricingService", "Quote", 300, [["OK", 0.97], ["InvalidArgument", 0.02], ["Internal", 0.01]]],
  ["carfare.pricing.v1.PricingService", "Settle", 20, [["OK", 0.95], ["FailedPrecondition", 0.05]]],
  ["carfare.pricing.v1.TariffAdminService", "ListTariffVersions", 1, [["OK", 1]]],
  ["grpc.health.v1.Health", "Check", 2, [["OK", 1]]],
]) {
  const l = { ...p, grpc_type: "unary", grpc_service: service, grpc_method: method };
  counter("grpc_server_started_total", l, calls);
  for (const [grpc_code, share] of codes) counter("grpc_server_handled_total", { ...l, grpc_code }, calls * share);
  histogram("grpc_server_handling_seconds", l, calls, grpcBuckets);
}
const w = target("carfare-waiver", "carfare-waiver-5c6b-fghij");
for (const [method, route, status_code, n] of [
  ["POST", "/v1/waiver-quotes", "200", 50], ["POST", "/v1/incidents", "201", 2], ["GET", "/v1/incidents/:id", "404", 1],
  ["PUT", "/v1/incidents/:id/assessment", "500", 0.2], ["GET", "/readyz", "200", 2],
]) histogram("http_request_duration_seconds", { ...w, method, route, status_code }, n, grpcBuckets);
for (const market of ["kr", "my"]) {
  for (const car_class of ["COMPACT", "MIDSIZE", "SUV"]) {
    counter("carfare_quotes_total", { ...p, market, car_class }, 30);
    counter("carfare_waiver_quotes_total", { ...w, market, car_class }, 10);
  }
  counter("carfare_settlements_total", { ...p, market }, 2);
  for (const [from, to] of [["NONE", "REPORTED"], ["REPORTED", "ASSESSED"], ["ASSESSED", "CHARGED"], ["CHARGED", "DISPUTED"], ["DISPUTED", "CLOSED"]])
    counter("carfare_incident_transitions_total", { ...w, market, from, to }, 0.1);
  for (const basis of ["CAPPED", "FIXED_DEDUCTIBLE", "EXCLUDED"]) counter("carfare_liabilities_total", { ...w, market, basis }, 0.05);
}
for (const code of ["PRICING.COUPON_EXPIRED", "PRICING.COUPON_NOT_APPLICABLE"]) counter("carfare_pricing_refusals_total", { ...p, code }, 0.5);
counter("carfare_quote_records_written_total", p, 180);
counter("carfare_quote_records_dropped_total", { ...p, reason: "buffer-full" }, 1);
gauge("carfare_quote_records_pending", p, 120);

const esc = (v) => String(v).replaceAll("\\", "\\\\").replaceAll('"', '\\"');
const lines = [];
for (const [name, labels, v, kind] of series) {
  const ls = Object.entries(labels).map(([k, x]) => `${k}="${esc(x)}"`).join(",");
  for (let i = 0, t = end - 1800; t <= end; i++, t += 15) lines.push(`${name}{${ls}} ${kind === "counter" ? v * i : v} ${t}`);
}
lines.push("# EOF");
writeFileSync(process.argv[2], `${lines.join("\n")}\n`);
console.log(end);
EOF
)
promtool tsdb create-blocks-from openmetrics "$TMP/prometheus/synthetic.om" "$TMP/prometheus/data" >/dev/null \
  || fail "promtool tsdb create-blocks-from openmetrics (synthetic series)"
# The Prometheus runs deploy/monitoring/prometheus.yml, with the Kubernetes pod discovery replaced by static targets
# that carry the labels the discovery would give the carfare pods (Debian's prometheus is built without Kubernetes
# discovery): its relabelling must turn them into the jobs carfare-pricing / carfare-waiver with namespace and pod.
node --import tsx --input-type=module - "$MON/prometheus.yml" "$ROOT/$MON/alerts.rules.yaml" "$TMP/prometheus/prometheus.yml" <<'EOF' || fail "deploy/monitoring/prometheus.yml"
import { writeFileSync } from "node:fs";
import YAML from "yaml";
const { withStaticPods } = await import(`${process.cwd()}/deploy/monitoring/test/monitoring-queries.ts`);
const [src, rules, out] = process.argv.slice(2);
const pod = (app, pod, portName, scrape = true) => ({ app, pod, namespace: "carfare-prod", address: "127.0.0.1:9", portName, scrape });
const config = withStaticPods([
  pod("carfare-pricing", "carfare-pricing-7d9f-abcde", "metrics"),
  pod("carfare-pricing", "carfare-pricing-7d9f-abcde", "grpc"),
  pod("carfare-waiver", "carfare-waiver-5c6b-fghij", "metrics"),
  pod("carfare-waiver", "carfare-waiver-5c6b-fghij", "http"),
  pod("someone-else", "someone-else-1", "metrics"),
  pod("carfare-pricing", "carfare-pricing-unannotated", "metrics", false),
], src);
config.scrape_configs.find((j) => j.static_configs).scrape_interval = "1h"; // never scraped during the check
config.rule_files = [rules];
delete config.alerting;
writeFileSync(out, YAML.stringify(config));
EOF
promtool check config "$TMP/prometheus/prometheus.yml" >/dev/null || { promtool check config "$TMP/prometheus/prometheus.yml"; fail "promtool check config ($MON/prometheus.yml, Kubernetes discovery replaced)"; }
prometheus --config.file="$TMP/prometheus/prometheus.yml" --storage.tsdb.path="$TMP/prometheus/data" \
  --web.listen-address="127.0.0.1:$PORT" --log.level=warn >"$TMP/prometheus/log" 2>&1 &
PROM_PID=$!
if ! wait_ready "http://127.0.0.1:$PORT/-/ready" "$PROM_PID"; then cat "$TMP/prometheus/log"; fail "prometheus did not start on 127.0.0.1:$PORT"; exit 1; fi
echo "prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') ready on 127.0.0.1:$PORT"
node --input-type=module - "$MON/pod-monitor.yaml" <<'EOF' || fail "$MON/pod-monitor.yaml"
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const require = createRequire(process.cwd() + "/package.json");
const m = require("yaml").parse(readFileSync(process.argv[2], "utf8"));
const problems = [];
if (m.apiVersion !== "monitoring.coreos.com/v1" || m.kind !== "PodMonitor") problems.push("not a monitoring.coreos.com/v1 PodMonitor");
if (m.spec?.jobLabel !== "app.kubernetes.io/name") problems.push("jobLabel must be app.kubernetes.io/name (jobs carfare-pricing, carfare-waiver)");
if (!m.spec?.podMetricsEndpoints?.some((e) => e.port === "metrics")) problems.push("no endpoint on the port named metrics");
for (const p of problems) console.log(`FAIL pod-monitor.yaml: ${p}`);
if (!problems.length) console.log("ok   pod-monitor.yaml: a PodMonitor with jobLabel app.kubernetes.io/name on port metrics (not validated against the CRD schema)");
process.exit(problems.length ? 1 : 0);
EOF

# ------------------------------------------------------------------ 5-6. every query parses; metric names
# The queries and the metric-name extraction are deploy/monitoring/test/monitoring-queries.ts, shared with the live
# test (npm run test:monitoring), which runs the same queries against the real services.
node --import tsx --input-type=module - "$PORT" "$QUERY_TIME" "$MON/alerts.rules.yaml" "$GRAF"/carfare-*.json <<'EOF' || FAILED=1
import { readFileSync } from "node:fs";
import { basename } from "node:path";
const { DOCUMENTED_SERVICE_METRICS: SERVICE, KUBE_STATE_METRICS: KUBE_STATE, dashboardQueries, isPrometheusOwn, metricNames, ruleQueries, substituteGrafanaVariables: substitute } =
  await import(`${process.cwd()}/deploy/monitoring/test/monitoring-queries.ts`);
const [port, queryTime, rulesFile, ...dashboards] = process.argv.slice(2);

// null when the query parses and returns at least one series over the synthetic data; else why not.
async function parses(expr) {
  const url = `http://127.0.0.1:${port}/api/v1/query?time=${queryTime}&query=${encodeURIComponent(expr)}`;
  const res = await fetch(url);
  const body = await res.json().catch(() => ({}));
  if (!res.ok || body.status !== "success") return `${res.status} ${body.errorType ?? ""}: ${body.error ?? ""}`;
  const r = body.data?.result;
  if (Array.isArray(r) && r.length === 0) return "no data over series with the exported names and labels (a misspelt label or value?)";
  return null;
}

let failed = 0;
const problem = (where, msg) => { failed++; console.log(`FAIL: ${where}: ${msg}`); };
const used = new Map(); // metric → set of places

function use(name, place) {
  if (!used.has(name)) used.set(name, new Set());
  used.get(name).add(place);
}

// Rules: names only (promtool parsed them).
for (const { where, expr } of ruleQueries(rulesFile)) {
  for (const n of metricNames(expr)) {
    use(n, "rules");
    if (!SERVICE.has(n) && !isPrometheusOwn(n) && !KUBE_STATE.has(n)) problem(where, `unknown metric ${n}`);
  }
}

// Dashboards: structure, every target parses, names.
let queries = 0;
for (const file of dashboards) {
  const name = basename(file);
  let d;
  try { d = JSON.parse(readFileSync(file, "utf8")); } catch (e) { problem(name, `not JSON: ${e.message}`); continue; }
  for (const k of ["uid", "title", "schemaVersion", "panels", "templating"]) if (d[k] === undefined) problem(name, `no ${k}`);
  if (typeof d.schemaVersion !== "number" || d.schemaVersion < 36) problem(name, `schemaVersion ${d.schemaVersion}`);
  if (!d.templating?.list?.some((v) => v.type === "datasource" && v.name === "DS_PROMETHEUS")) problem(name, "no DS_PROMETHEUS datasource variable");
  const ids = new Set();
  for (const p of d.panels ?? []) {
    const where = `${name} panel ${p.id} "${p.title}"`;
    if (ids.has(p.id)) problem(where, "duplicate panel id");
    ids.add(p.id);
    const g = p.gridPos;
    if (!g || g.x < 0 || g.w < 1 || g.x + g.w > 24 || g.h < 1) problem(where, `bad gridPos ${JSON.stringify(g)}`);
    if (p.type === "row") continue;
    if (p.datasource?.uid !== "${DS_PROMETHEUS}") problem(where, "datasource is not ${DS_PROMETHEUS}");
  }
  const { queries: checks, problems } = dashboardQueries(d, name);
  for (const { where, expr: why } of problems) problem(where, why);
  const results = await Promise.all(checks.map(({ expr }) => parses(substitute(expr))));
  checks.forEach(({ where, expr }, i) => {
    queries++;
    if (results[i]) problem(where, `${results[i]}\n    ${substitute(expr)}`);
    for (const n of metricNames(substitute(expr))) {
      use(n, name);
      if (!SERVICE.has(n) && !isPrometheusOwn(n)) problem(where, `unknown metric ${n} (not exported by the services)`);
    }
  });
}
console.log(`${queries} dashboard queries parsed by prometheus and returned data (${dashboards.length} dashboards)`);

console.log("\n== metric names used (by rules and dashboards)");
for (const n of [...used.keys()].sort()) {
  const kind = SERVICE.has(n) ? "service" : isPrometheusOwn(n) ? "prometheus" : KUBE_STATE.has(n) ? "kube-state-metrics" : "UNKNOWN";
  console.log(`METRIC ${n} ${kind} ${[...used.get(n)].sort().join(",")}`);
}
process.exit(failed ? 1 : 0);
EOF

# ------------------------------------------------------------------ 7. prometheus.yml: relabelling and rules
step "$MON/prometheus.yml: relabelling of the carfare pods, rules loaded"
node --input-type=module - "$PORT" <<'EOF' || fail "$MON/prometheus.yml relabelling / rules"
const base = `http://127.0.0.1:${process.argv[2]}/api/v1`;
const want = ["carfare-pricing carfare-prod carfare-pricing-7d9f-abcde", "carfare-waiver carfare-prod carfare-waiver-5c6b-fghij"];
let got = [];
let ok = false;
// Prometheus hands discovered targets to the scrape manager every 5 s.
for (const deadline = Date.now() + 10000; !ok && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
  const targets = (await (await fetch(`${base}/targets`)).json()).data.activeTargets.map((t) => t.labels);
  got = targets.map((l) => `${l.job} ${l.namespace} ${l.pod}`).sort();
  ok = JSON.stringify(got) === JSON.stringify(want);
}
console.log(`${ok ? "ok  " : "FAIL"} prometheus.yml relabelling: scrape targets ${JSON.stringify(got)}${ok ? "" : `, want ${JSON.stringify(want)}`}`);
const groups = (await (await fetch(`${base}/rules`)).json()).data.groups;
const alerts = groups.flatMap((g) => g.rules).filter((r) => r.type === "alerting").length;
console.log(`${alerts === 14 ? "ok  " : "FAIL"} prometheus.yml loads alerts.rules.yaml: ${alerts} alerting rules in ${groups.map((g) => g.name).join(", ")}`);
process.exit(ok && alerts === 14 ? 0 : 1);
EOF

ELAPSED_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
if [[ $FAILED == 0 ]]; then
  printf '\ncheck-monitoring: OK (%d ms)\n' "$ELAPSED_MS"
else
  printf '\ncheck-monitoring: FAILED (%d ms)\n' "$ELAPSED_MS"
  exit 1
fi

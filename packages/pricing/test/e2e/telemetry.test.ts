import { createMetricsRegistry, databasesUnderTest, type Registry, type TestDatabase } from "@carfare/kit";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, call, callError } from "../support/pricing-client.js";
import {
  ADMIN_TOKEN,
  createPricingTestDatabase,
  KR_TARIFF_YAML,
  type PricingUnderTest,
  QUOTE_KEYS,
  type QuoteMessage,
  seoul,
  startPricingUnderTest,
  testClock,
  WRONG_TOKEN,
  workedExample,
} from "./pricing-service-under-test.js";

const NOW = "2026-11-25T09:00:00.000Z";
const PRICING = "carfare.pricing.v1.PricingService";
const ADMIN = "carfare.pricing.v1.TariffAdminService";

/** The value of the series of `name` with exactly these labels, 0 when it does not exist. */
async function sampleOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = values.find((v) => JSON.stringify(Object.entries(v.labels).sort()) === wanted);
  return found?.value ?? 0;
}

interface LogLine {
  level: number;
  msg: string;
  request_id?: string;
  rpc?: string;
  grpc_code?: string;
  duration_ms?: number;
}

describe.each(databasesUnderTest())("pricing telemetry: metrics and logs of the gRPC API, on %s", (kind) => {
  let database: TestDatabase;
  let service: PricingUnderTest;
  let registry: Registry;
  let quote: QuoteMessage;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    registry = createMetricsRegistry();
    service = await startPricingUnderTest({ database, clock: testClock(NOW), metrics: registry });
    await service.publish(KR_TARIFF_YAML);
    const withId = new grpc.Metadata();
    withId.set("x-request-id", "booking-7f3a");
    quote = await service.quote(workedExample(), withId);
    await callError(service.quote(workedExample({ couponCode: "NO-SUCH-COUPON" })));
    await callError(
      call(service.clients.admin, "ListTariffVersions", { tariffId: "kr-standard" }, bearer(WRONG_TOKEN)),
    );
    await service.settle({ token: quote.token, returnedAt: seoul("2026-11-29T11:00"), drivenKm: 120 });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.close();
  });

  const lines = () => service.logs.map((line) => JSON.parse(line) as LogLine);

  it("counts started and handled calls per method with go-grpc-prometheus labels and Go code names", async () => {
    const quoteLabels = { grpc_type: "unary", grpc_service: PRICING, grpc_method: "Quote" };
    expect(await sampleOf(registry, "grpc_server_started_total", quoteLabels)).toBe(2);
    expect(await sampleOf(registry, "grpc_server_handled_total", { ...quoteLabels, grpc_code: "OK" })).toBe(1);
    expect(await sampleOf(registry, "grpc_server_handled_total", { ...quoteLabels, grpc_code: "NotFound" })).toBe(1);
    const listLabels = { grpc_type: "unary", grpc_service: ADMIN, grpc_method: "ListTariffVersions" };
    expect(await sampleOf(registry, "grpc_server_handled_total", { ...listLabels, grpc_code: "Unauthenticated" })).toBe(
      1,
    );
    // Series of methods not called yet exist at 0, so that rate() and absent() work from the start.
    const settleNever = { grpc_type: "unary", grpc_service: ADMIN, grpc_method: "GetTariffVersion" };
    expect(
      (await registry.metrics()).includes(
        `grpc_server_started_total{grpc_type="unary",grpc_service="${ADMIN}",grpc_method="GetTariffVersion"} 0`,
      ),
    ).toBe(true);
    expect(await sampleOf(registry, "grpc_server_started_total", settleNever)).toBe(0);
  });

  it("has a quote-drop series for every reason from the start, at 0, so that the first drops are seen", async () => {
    const text = await registry.metrics();
    for (const reason of ["buffer-full", "write-failed", "closed"])
      expect(text).toContain(`carfare_quote_records_dropped_total{reason="${reason}"} 0`);
  });

  it("observes the handling time of each call in grpc_server_handling_seconds", async () => {
    const text = await registry.metrics();
    expect(text).toMatch(
      new RegExp(
        `grpc_server_handling_seconds_count\\{grpc_type="unary",grpc_service="${PRICING}",grpc_method="Quote"\\} 2`,
      ),
    );
    expect(text).toMatch(
      /grpc_server_handling_seconds_bucket\{le="\+Inf",grpc_type="unary",grpc_service="carfare.pricing.v1.PricingService",grpc_method="Settle"\} 1/,
    );
  });

  it("counts quotes by market and car class, settlements by market and refusals by code", async () => {
    expect(await sampleOf(registry, "carfare_quotes_total", { market: "kr", car_class: "MIDSIZE" })).toBe(1);
    expect(await sampleOf(registry, "carfare_settlements_total", { market: "kr" })).toBe(1);
    expect(await sampleOf(registry, "carfare_pricing_refusals_total", { code: "PRICING.COUPON_NOT_FOUND" })).toBe(1);
    expect(await sampleOf(registry, "carfare_pricing_refusals_total", { code: "PRICING.UNAUTHENTICATED" })).toBe(1);
  });

  it("When a caller sends x-request-id, then the call's log line carries it with the rpc, code and duration", () => {
    const line = lines().find((l) => l.request_id === "booking-7f3a");
    expect(line).toMatchObject({ level: 20, msg: "grpc call", rpc: `/${PRICING}/Quote`, grpc_code: "OK" });
    expect(line?.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("echoes the request id in the response headers: the caller's own, or the one generated", async () => {
    const headersOf = (metadata: grpc.Metadata) =>
      new Promise<grpc.Metadata>((resolve, reject) => {
        const pending = (service.clients.pricing as unknown as grpc.Client).makeUnaryRequest(
          `/${PRICING}/Settle`,
          // An empty SettleRequest: refused for its missing token, which is all this test needs.
          () => Buffer.alloc(0),
          (bytes: Buffer) => bytes,
          {},
          metadata,
          () => {},
        );
        pending.on("metadata", resolve);
        pending.on("status", (s: grpc.StatusObject) => {
          if (s.code === grpc.status.OK) reject(new Error("expected a refusal"));
        });
      });
    const withId = new grpc.Metadata();
    withId.set("x-request-id", "checkout-91b2");
    expect((await headersOf(withId)).get("x-request-id")).toEqual(["checkout-91b2"]);
    const generated = (await headersOf(new grpc.Metadata())).get("x-request-id");
    expect(generated[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("When a caller sends none, then a UUID is generated; a refusal is logged at info with its details", () => {
    const refusal = lines().find((l) => l.rpc === `/${PRICING}/Quote` && l.grpc_code === "NotFound");
    expect(refusal).toMatchObject({ level: 30 });
    expect(refusal?.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never logs the admin token, the quote token or the quote signing key (logging at debug)", () => {
    const all = service.logs.join("\n");
    expect(service.logs.length).toBeGreaterThan(4);
    expect(all).not.toContain(ADMIN_TOKEN);
    expect(all).not.toContain(WRONG_TOKEN);
    expect(all).not.toContain(quote.token);
    expect(all).not.toContain(QUOTE_KEYS.slice(QUOTE_KEYS.indexOf(":") + 1));
  });
});

import { type AccessTokens, Counter, type Database, Gauge, type Logger, type Registry } from "@carfare/kit";
import type { Metadata } from "@grpc/grpc-js";
import { createCallTelemetry, REQUEST_ID_KEY } from "./adapters/grpc/call-telemetry.js";
import { PricingServiceService, TariffAdminServiceService } from "./adapters/grpc/gen/carfare/pricing/v1/pricing.js";
import { type GrpcServerHandle, startGrpcServer } from "./adapters/grpc/grpc-server.js";
import { createPricingMetrics } from "./adapters/grpc/pricing-metrics.js";
import { createPricingService } from "./adapters/grpc/pricing-service.js";
import { encodeQuote } from "./adapters/grpc/quote-encoding.js";
import { createTariffAdminService } from "./adapters/grpc/tariff-admin-service.js";
import { withSafeDecoding } from "./adapters/grpc/unary-handler.js";
import { PostgresCouponRepository } from "./adapters/postgres/coupon.repository.js";
import { PostgresQuoteLog } from "./adapters/postgres/quote-log.repository.js";
import { PostgresSettlementRepository } from "./adapters/postgres/settlement.repository.js";
import { PostgresTariffRepository } from "./adapters/postgres/tariff.repository.js";
import {
  BatchingQuoteRecorder,
  type BatchingQuoteRecorderOptions,
  QUOTE_DROP_REASONS,
} from "./application/batching-quote-recorder.js";
import { CatalogRefresher } from "./application/catalog-refresher.js";
import { CouponBook } from "./application/coupon-book.js";
import type { Clock, PublishedTariff } from "./application/ports.js";
import { publishTariff } from "./application/publish-tariff.js";
import { type QuoteKey, QuoteTokens } from "./application/quote-token.js";
import { TariffCatalog } from "./application/tariff-catalog.js";

export interface PricingServiceOptions {
  readonly db: Database;
  readonly host: string;
  readonly port: number;
  readonly quoteKeys: readonly QuoteKey[];
  readonly adminTokens: AccessTokens;
  readonly serviceTokens: AccessTokens;
  readonly logger: Logger;
  /** Where the service's metrics are registered (served on the process's /metrics). */
  readonly metrics?: Registry;
  readonly clock?: Clock;
  /** How often to look for tariffs and coupons published by other processes. Default 1,000 ms. */
  readonly refreshIntervalMs?: number;
  readonly recorder?: BatchingQuoteRecorderOptions;
}

export interface RunningPricingService {
  readonly port: number;
  readonly catalog: TariffCatalog;
  readonly recorder: BatchingQuoteRecorder;
  readonly grpc: GrpcServerHandle;
  /**
   * Reports NOT_SERVING, goes on serving for `drainMs` (see `GrpcServerHandle.shutdown`), finishes calls in
   * flight for up to `graceMs`, then writes the buffered quotes.
   */
  stop(graceMs?: number, drainMs?: number): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** Wires the pricing context to its database and serves it over gRPC: the pricing composition root. */
export async function startPricingService(options: PricingServiceOptions): Promise<RunningPricingService> {
  const { db, logger } = options;
  const clock = options.clock ?? systemClock;
  const log = logger.child({ service: "pricing" });
  const tariffs = new PostgresTariffRepository(db);
  const couponRepository = new PostgresCouponRepository(db);
  const settlements = new PostgresSettlementRepository(db);
  const catalog = new TariffCatalog();
  const book = new CouponBook();
  const refresher = new CatalogRefresher({
    tariffs,
    coupons: couponRepository,
    catalog,
    book,
    intervalMs: options.refreshIntervalMs ?? 1000,
    onError: (err) => log.error({ err }, "catalog refresh failed; serving the tariffs and coupons already loaded"),
  });
  await refresher.load();
  refresher.start();

  const recorded = new Counter({
    name: "carfare_quote_records_written_total",
    help: "Quotes written to pricing.quotes for analysts.",
    registers: options.metrics === undefined ? [] : [options.metrics],
  });
  const dropped = new Counter({
    name: "carfare_quote_records_dropped_total",
    help: "Quotes that were never written for analysts, by reason (buffer-full, write-failed, closed).",
    labelNames: ["reason"],
    registers: options.metrics === undefined ? [] : [options.metrics],
  });
  // Every reason's series exists from the start at 0: increase() ignores a series' first sample, so a series
  // born with the first drop would hide that batch from the alert.
  for (const reason of QUOTE_DROP_REASONS) dropped.inc({ reason }, 0);
  // Drops come in floods (the database is down and every quote is dropped): warn once per interval.
  const dropWarnings = throttledWarning(10_000, (counts) =>
    log.warn({ dropped: counts }, "quotes dropped from the analysts' record"),
  );
  const recorder: BatchingQuoteRecorder = new BatchingQuoteRecorder(new PostgresQuoteLog(db), {
    onError: (err, failure) => log.error({ err, ...failure }, "writing quotes for the record failed"),
    onRecorded: (count) => recorded.inc(count),
    onDropped: (count, reason) => {
      dropped.inc({ reason }, count);
      dropWarnings.note(count, reason);
    },
    ...options.recorder,
  });
  new Gauge({
    name: "carfare_quote_records_pending",
    help: "Quotes buffered for writing: what a crash now would lose.",
    registers: options.metrics === undefined ? [] : [options.metrics],
    collect() {
      this.set(recorder.pending);
    },
  });
  const tokens = new QuoteTokens(options.quoteKeys);
  const onBug = (err: unknown, call: { getPath?: () => string; metadata?: Metadata }) =>
    log.error(
      { err, rpc: call.getPath?.(), request_id: call.metadata?.get(REQUEST_ID_KEY)[0] },
      "unexpected failure in a gRPC call",
    );
  const observer = options.metrics === undefined ? undefined : createPricingMetrics(options.metrics);
  const telemetry = createCallTelemetry({
    ...(options.metrics === undefined ? {} : { registry: options.metrics }),
    logger: log,
    methods: [...Object.values(PricingServiceService), ...Object.values(TariffAdminServiceService)],
  });

  const grpc = await startGrpcServer({
    host: options.host,
    port: options.port,
    // A tariff document with a couple of thousand models is a few hundred KB; leave room.
    channelOptions: { "grpc.max_receive_message_length": 8 * 1024 * 1024 },
    services: [
      {
        definition: withSafeDecoding({
          ...PricingServiceService,
          quote: { ...PricingServiceService.quote, responseSerialize: encodeQuote },
        }),
        implementation: telemetry.instrument(
          PricingServiceService,
          createPricingService({
            quote: { catalog, coupons: book, tokens, recorder, clock },
            settle: { catalog, tokens, settlements, clock },
            serviceTokens: options.serviceTokens,
            onBug,
            ...(observer === undefined ? {} : { observer }),
          }),
        ),
      },
      {
        definition: withSafeDecoding(TariffAdminServiceService),
        implementation: telemetry.instrument(
          TariffAdminServiceService,
          createTariffAdminService({
            publish: { tariffs, catalog, clock },
            putCoupon: { coupons: couponRepository, book, catalog, clock },
            catalog,
            adminTokens: options.adminTokens,
            onBug,
            ...(observer === undefined ? {} : { observer }),
          }),
        ),
      },
    ],
  });
  log.info({ port: grpc.port, tariffs: catalog.tariffIds() }, "pricing service listening");

  return {
    port: grpc.port,
    catalog,
    recorder,
    grpc,
    async stop(graceMs = 10_000, drainMs = 0) {
      await grpc.shutdown(graceMs, drainMs);
      await refresher.stop();
      await recorder.close();
    },
  };
}

/**
 * Publishes the given documents when the database holds no tariff yet (the demo's seed). Returns what was
 * published; a document that fails validation stops the seed with its error.
 */
export async function seedTariffs(
  db: Database,
  documents: readonly { name: string; text: string }[],
  clock: Clock = systemClock,
): Promise<PublishedTariff[]> {
  const tariffs = new PostgresTariffRepository(db);
  if ((await tariffs.listAll()).length > 0) return [];
  const catalog = new TariffCatalog();
  const published: PublishedTariff[] = [];
  for (const { name, text } of documents) {
    const result = await publishTariff({ tariffs, catalog, clock }, text, "seed");
    if (!result.ok) throw new Error(`seed tariff ${name}: ${result.error.message}`);
    published.push(result.value.tariff);
  }
  return published;
}

/** Sums counts by reason and reports them at most once per `intervalMs` (the first at once). */
function throttledWarning(intervalMs: number, report: (counts: Record<string, number>) => void) {
  let counts: Record<string, number> = {};
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (Object.keys(counts).length === 0) return;
    report(counts);
    counts = {};
    timer = setTimeout(flush, intervalMs);
    timer.unref();
  };
  return {
    note(count: number, reason: string) {
      counts[reason] = (counts[reason] ?? 0) + count;
      if (timer === undefined) flush();
    },
  };
}

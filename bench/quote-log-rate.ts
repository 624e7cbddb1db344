import { parseArgs } from "node:util";
import { openDatabase, runMigrations } from "@carfare/kit";
import { pricingMigrations } from "@carfare/pricing";
import { PostgresQuoteLog } from "../packages/pricing/src/adapters/postgres/quote-log.repository.js";
import { BatchingQuoteRecorder } from "../packages/pricing/src/application/batching-quote-recorder.js";
import { CouponBook } from "../packages/pricing/src/application/coupon-book.js";
import type { PublishedTariff } from "../packages/pricing/src/application/ports.js";
import { quoteRental } from "../packages/pricing/src/application/quote-rental.js";
import { QuoteTokens } from "../packages/pricing/src/application/quote-token.js";
import { TariffCatalog } from "../packages/pricing/src/application/tariff-catalog.js";
import type { Quote } from "../packages/pricing/src/domain/quote.js";
import { loadKrTariff } from "./in-process.js";
import { workedExample } from "./quote-request.js";

/**
 * How many quotes per second the BatchingQuoteRecorder (default options: batches of 500, one write in
 * flight) writes into the database through PostgresQuoteLog: `--quotes` worked-example quotes (distinct ids)
 * are recorded at once, then timed until `flush()` says all are written. Prints one JSON line.
 *
 *   node --import tsx bench/quote-log-rate.ts --data-dir DIR [--quotes 25000]   (or DATABASE_URL)
 */
const { values } = parseArgs({
  options: { "data-dir": { type: "string" }, quotes: { type: "string", default: "25000" } },
});
const url = process.env.DATABASE_URL;
if (!url && values["data-dir"] === undefined) throw new Error("quote-log-rate: set DATABASE_URL or --data-dir");
const database = await openDatabase(url ? { url, applicationName: "carfare bench" } : { dataDir: values["data-dir"] });
try {
  await runMigrations(database, pricingMigrations);
  const document = loadKrTariff();
  const catalog = new TariffCatalog();
  const published: PublishedTariff = {
    tariffId: document.id,
    version: 1,
    market: document.market,
    document,
    publishedAt: new Date("2026-01-01T00:00:00Z"),
    publishedBy: "bench",
    effectiveFrom: new Date("2026-01-01T00:00:00Z"),
  };
  catalog.add([published]);
  const made: Quote[] = [];
  const deps = {
    catalog,
    coupons: new CouponBook(),
    tokens: new QuoteTokens([{ kid: "bench", secret: Buffer.from("a-benchmark-quote-signing-secret") }]),
    recorder: { record: (quote: Quote) => void made.push(quote) },
    clock: { now: () => new Date() },
  };
  const request = { ...workedExample, startAt: workedExample.startAt as Date, endAt: workedExample.endAt as Date };
  const quotes = (n: number): Quote[] => {
    made.length = 0;
    for (let i = 0; i < n; i++) if (!quoteRental(deps, request).ok) throw new Error("the worked example failed");
    return made.splice(0);
  };

  const recorder = new BatchingQuoteRecorder(new PostgresQuoteLog(database.db), {
    onError: (error) => {
      throw error;
    },
  });
  for (const quote of quotes(2000)) recorder.record(quote); // warm-up: JIT, the database's caches
  await recorder.flush();

  const batch = quotes(Number(values.quotes));
  const started = performance.now();
  for (const quote of batch) recorder.record(quote);
  await recorder.flush();
  const seconds = (performance.now() - started) / 1000;
  await recorder.close();
  if (recorder.dropped > 0) throw new Error(`the recorder dropped ${recorder.dropped} quotes`);
  process.stdout.write(
    `${JSON.stringify({ quotes: batch.length, seconds, perSecond: batch.length / seconds, database: database.kind })}\n`,
  );
} finally {
  await database.close();
}

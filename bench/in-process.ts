import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { CouponBook } from "../packages/pricing/src/application/coupon-book.js";
import type { PublishedTariff, QuoteRecorder } from "../packages/pricing/src/application/ports.js";
import { quoteRental } from "../packages/pricing/src/application/quote-rental.js";
import { QuoteTokens } from "../packages/pricing/src/application/quote-token.js";
import { TariffCatalog } from "../packages/pricing/src/application/tariff-catalog.js";
import { compileTariff } from "../packages/pricing/src/domain/compiled-tariff.js";
import { priceRental } from "../packages/pricing/src/domain/price-rental.js";
import type { TariffDocument } from "../packages/pricing/src/domain/tariff.js";

export interface Rate {
  readonly name: string;
  readonly perSecond: number;
  readonly nsPerOp: number;
}

/** Runs `op` repeatedly for about `ms` milliseconds after a warm-up and reports operations per second. */
export function measure(name: string, op: () => unknown, ms = 1500): Rate {
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) op();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) op();
    ops += 1000;
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { name, perSecond: ops / seconds, nsPerOp: (seconds * 1e9) / ops };
}

export function loadKrTariff(): TariffDocument {
  const raw = parse(readFileSync(new URL("../examples/tariffs/kr.yaml", import.meta.url), "utf8"), { schema: "core" });
  return {
    holidays: [],
    peakSeasons: [],
    timeBands: [],
    longRentalDiscounts: [],
    memberDiscounts: {},
    ...raw,
  } as TariffDocument;
}

/** §3 pricing without token or recording, for a 4-hour and a 30-day rental; then the whole Quote use case. */
export function inProcessBenchmarks(): Rate[] {
  const document = loadKrTariff();
  const tariff = compileTariff(document);
  const car = tariff.carModels.get("sonata-dn8");
  if (car === undefined) throw new Error("kr.yaml lacks sonata-dn8");
  const start = new Date("2026-12-01T01:00:00Z");
  const fourHours = { startAt: start, endAt: new Date(start.getTime() + 4 * 3_600_000), estimatedKm: 40 };
  const thirtyDays = { startAt: start, endAt: new Date(start.getTime() + 30 * 86_400_000), estimatedKm: 1500 };

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
  const discard: QuoteRecorder = { record: () => undefined };
  const deps = {
    catalog,
    coupons: new CouponBook(),
    tokens: new QuoteTokens([{ kid: "bench", secret: Buffer.from("a-benchmark-secret-of-some-length") }]),
    recorder: discard,
    clock: { now: () => new Date("2026-11-25T00:00:00Z") },
  };
  const request = { market: "kr", carModelId: "sonata-dn8", ...fourHours };

  return [
    measure("pricing, 4-hour rental (domain §3)", () => priceRental(tariff, car, fourHours)),
    measure("pricing, 30-day rental (domain §3)", () => priceRental(tariff, car, thirtyDays)),
    measure("Quote use case, 4-hour rental (with token)", () => quoteRental(deps, request)),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rates = inProcessBenchmarks();
  // `--json`: one line for bench/run.ts, which runs this file in a child pinned to one core.
  if (process.argv.includes("--json")) console.log(JSON.stringify(rates));
  else
    for (const r of rates)
      console.log(
        `${r.name.padEnd(48)} ${Math.round(r.perSecond).toLocaleString("en-US").padStart(12)} /s  ${r.nsPerOp.toFixed(0).padStart(8)} ns/op`,
      );
}

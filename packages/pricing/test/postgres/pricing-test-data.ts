import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createTestDatabase, type DatabaseKind, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { parse } from "yaml";
import { pricingMigrations } from "../../src/adapters/postgres/pricing-migrations.js";
import type { Coupon } from "../../src/domain/coupon.js";
import type { Quote, Settlement } from "../../src/domain/quote.js";
import type { TariffDocument } from "../../src/domain/tariff.js";

/** A migrated pricing database for one test file (see `createTestDatabase`). */
export function createPricingDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return createTestDatabase(kind, [pricingMigrations]);
}

/** Empties every pricing table, so each test starts from the same seeded state. */
export async function emptyPricingTables(database: TestDatabase): Promise<void> {
  await database.db.execute(
    sql`TRUNCATE pricing.quote_lines, pricing.quotes, pricing.settlement_lines, pricing.settlements,
        pricing.coupons, pricing.coupon_revisions, pricing.tariff_car_models, pricing.tariff_versions,
        pricing.tariffs RESTART IDENTITY`,
  );
}

/** `SELECT count(*)` of a pricing table. */
export async function countRows(database: TestDatabase, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, sql.raw(`SELECT count(*)::int AS n FROM pricing.${table}`));
  return row?.n ?? 0;
}

/**
 * The reference tariff of spec §2 (test/fixtures/reference-tariff.yaml), read as YAML 1.2 core with the
 * optional lists defaulted; `changes` override top-level fields.
 */
export function referenceTariff(changes: Partial<TariffDocument> = {}): TariffDocument {
  const text = readFileSync(new URL("../fixtures/reference-tariff.yaml", import.meta.url), "utf8");
  const parsed = parse(text, { schema: "core" }) as TariffDocument;
  return {
    ...parsed,
    holidays: parsed.holidays ?? [],
    peakSeasons: parsed.peakSeasons ?? [],
    timeBands: parsed.timeBands ?? [],
    longRentalDiscounts: parsed.longRentalDiscounts ?? [],
    memberDiscounts: parsed.memberDiscounts ?? {},
    ...changes,
  };
}

/** A Malaysian tariff: another id and market, same rules. */
export function malaysianTariff(changes: Partial<TariffDocument> = {}): TariffDocument {
  return referenceTariff({
    id: "my-standard",
    market: "my",
    currency: "MYR",
    timeZone: "Asia/Kuala_Lumpur",
    ...changes,
  });
}

export function aPercentCoupon(changes: Partial<Coupon> = {}): Coupon {
  return {
    code: "WELCOME10",
    market: "kr",
    kind: "PERCENT",
    percent: 10,
    maxDiscount: 20_000,
    validFrom: new Date("2026-11-01T00:00:00Z"),
    validUntil: new Date("2027-01-01T00:00:00Z"),
    minMinutes: 0,
    carClasses: [],
    ...changes,
  } as Coupon;
}

/**
 * The quote of the spec's worked example: Sonata DN8, Sat 2026-11-28 10:00 → Sun 12:00 in Seoul, 120 km.
 * R = 114,780, long-rental 11,470, due 103,310, distance estimate 25,520, total 128,830.
 */
export function aQuote(changes: Partial<Quote> = {}): Quote {
  const quotedAt = new Date("2026-11-25T09:00:00.123Z");
  return {
    quoteId: randomUUID(),
    market: "kr",
    carModelId: "sonata-dn8",
    carClass: "MIDSIZE",
    tariffId: "kr-standard",
    tariffVersion: 1,
    currency: "KRW",
    startAt: new Date("2026-11-28T01:00:00Z"),
    endAt: new Date("2026-11-29T03:00:00Z"),
    memberTier: "",
    couponCode: "",
    delivery: false,
    estimatedKm: 120,
    quotedAt,
    expiresAt: new Date(quotedAt.getTime() + 15 * 60_000),
    token: "not-a-real-token",
    rentalFee: 114_780,
    longRentalDiscount: 11_470,
    memberDiscount: 0,
    couponDiscount: 0,
    deliveryFee: 0,
    distanceFeeEstimate: 25_520,
    dueAtBooking: 103_310,
    estimatedAfterReturn: 25_520,
    totalEstimate: 128_830,
    lines: [
      { code: "RENTAL_FEE", label: "Rental fee", amount: 114_780 },
      { code: "LONG_RENTAL_DISCOUNT", label: "Long-rental discount (10%)", amount: -11_470 },
      { code: "DISTANCE_FEE_ESTIMATE", label: "Distance fee estimate (120 km)", amount: 25_520 },
    ],
    ...changes,
  };
}

/** The worked example returned an hour early (Sun 11:00 Seoul) after 120 km: credit 4,770, distance 25,520. */
export function aSettlement(changes: Partial<Settlement> = {}): Settlement {
  return {
    quoteId: randomUUID(),
    market: "kr",
    tariffId: "kr-standard",
    tariffVersion: 1,
    currency: "KRW",
    returnedAt: new Date("2026-11-29T02:00:00Z"),
    drivenKm: 120,
    lines: [{ code: "DISTANCE_FEE", label: "Distance fee (120 km)", amount: 25_520 }],
    credits: [{ code: "EARLY_RETURN_CREDIT", label: "Early-return credit", amount: 4_770 }],
    dueAfterReturn: 25_520,
    settledAt: new Date("2026-11-29T02:00:05.250Z"),
    ...changes,
  };
}

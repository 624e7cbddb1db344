import { advisoryLockKey, type Database, queryRows } from "@carfare/kit";
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import type { CouponRepository } from "../../application/ports.js";
import type { Coupon } from "../../domain/coupon.js";
import type { CarClass } from "../../domain/tariff.js";
import { type CouponRow, couponRevisions, coupons } from "./coupon.table.js";
import { tariffVersions } from "./tariff.table.js";

/** Serialises puts, so revisions become visible in increasing order (what `changeMarker` relies on). */
const PUT_LOCK = advisoryLockKey("carfare.pricing.put-coupon");

/** One put of a coupon, as kept in `pricing.coupon_revisions`. */
export interface CouponRevision {
  readonly revision: number;
  readonly coupon: Coupon;
  readonly putAt: Date;
  readonly putBy: string;
}

/**
 * Coupons in `pricing.coupons` (current state) and `pricing.coupon_revisions` (every put, append-only).
 * A coupon's amounts are in the currency of its market's tariff, which must therefore be published first.
 */
export class PostgresCouponRepository implements CouponRepository {
  constructor(private readonly db: Database) {}

  /** Creates or replaces the coupon (market, code) and records the put in its history, in one transaction. */
  async put(coupon: Coupon, putBy: string, putAt: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${PUT_LOCK}::bigint)`);
      const [tariff] = await tx
        .select({ currency: tariffVersions.currency })
        .from(tariffVersions)
        .where(eq(tariffVersions.market, coupon.market))
        .orderBy(desc(tariffVersions.seq))
        .limit(1);
      if (tariff === undefined) {
        throw new Error(`cannot put coupon ${coupon.code}: no tariff is published for market ${coupon.market}`);
      }
      const state = couponToColumns(coupon, tariff.currency, putBy, putAt);
      const [put] = await tx.insert(couponRevisions).values(state).returning({ revision: couponRevisions.revision });
      if (put === undefined) throw new Error("INSERT … RETURNING gave no row");
      const current = { ...state, revision: put.revision };
      await tx
        .insert(coupons)
        .values(current)
        .onConflictDoUpdate({
          target: [coupons.market, coupons.code],
          set: current,
          // Belt and braces behind the lock: an older put never overwrites a newer one.
          setWhere: lt(coupons.revision, put.revision),
        });
    });
  }

  /** The current state of every coupon, by market and code. */
  async listAll(): Promise<Coupon[]> {
    const rows = await this.db.select().from(coupons).orderBy(asc(coupons.market), asc(coupons.code));
    return rows.map(rowToCoupon);
  }

  /** The highest revision (`"0"` before the first put): one index lookup. */
  async changeMarker(): Promise<string> {
    const [row] = await queryRows<{ marker: string }>(
      this.db,
      sql`SELECT coalesce(max(revision), 0)::text AS marker FROM ${couponRevisions}`,
    );
    return row?.marker ?? "0";
  }

  /** Every put of one coupon, oldest first (an audit view; not part of the port). */
  async listRevisions(market: string, code: string): Promise<CouponRevision[]> {
    const rows = await this.db
      .select()
      .from(couponRevisions)
      .where(and(eq(couponRevisions.market, market), eq(couponRevisions.code, code.toUpperCase())))
      .orderBy(asc(couponRevisions.revision));
    return rows.map((row) => ({
      revision: row.revision,
      coupon: rowToCoupon(row),
      putAt: row.putAt,
      putBy: row.putBy,
    }));
  }
}

function couponToColumns(coupon: Coupon, currency: string, putBy: string, putAt: Date) {
  return {
    market: coupon.market,
    code: coupon.code.toUpperCase(),
    kind: coupon.kind,
    percent: coupon.kind === "PERCENT" ? coupon.percent : null,
    maxDiscount: coupon.kind === "PERCENT" ? coupon.maxDiscount : null,
    amount: coupon.kind === "FIXED" ? coupon.amount : null,
    currency,
    validFrom: coupon.validFrom,
    validUntil: coupon.validUntil,
    minMinutes: coupon.minMinutes,
    carClasses: [...coupon.carClasses],
    putAt,
    putBy,
  };
}

type CouponColumns = Omit<CouponRow, "revision">;

function rowToCoupon(row: CouponColumns): Coupon {
  const base = {
    code: row.code,
    market: row.market,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    minMinutes: row.minMinutes,
    carClasses: row.carClasses as CarClass[],
  };
  if (row.kind === "PERCENT") {
    return { ...base, kind: "PERCENT", percent: row.percent ?? 0, maxDiscount: row.maxDiscount ?? 0 };
  }
  return { ...base, kind: "FIXED", amount: row.amount ?? 0 };
}

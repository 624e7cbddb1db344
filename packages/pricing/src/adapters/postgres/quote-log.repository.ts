import type { Database } from "@carfare/kit";
import { sql } from "drizzle-orm";
import type { QuoteLog } from "../../application/ports.js";
import type { Quote } from "../../domain/quote.js";
import { quoteLines, quotes } from "./quote.table.js";

/**
 * The analysts' record of quotes in `pricing.quotes` and `pricing.quote_lines`.
 *
 * A batch is one statement, so one round trip: the quotes and their lines travel as one array per column and
 * are expanded by `unnest`; a data-modifying CTE inserts the quotes and feeds their ids to the insert of the
 * lines. A quote already recorded is skipped with its lines (`ON CONFLICT DO NOTHING`), so a batch retried
 * after an ambiguous failure is recorded once.
 */
export class PostgresQuoteLog implements QuoteLog {
  constructor(private readonly db: Database) {}

  async append(batch: readonly Quote[]): Promise<void> {
    if (batch.length === 0) return;
    const q = columnsOf(batch);
    const l = lineColumnsOf(batch);
    await this.db.execute(sql`
      WITH recorded AS (
        INSERT INTO ${quotes} (
          quote_id, quoted_at, market, tariff_id, tariff_version, car_model_id, car_class, currency,
          start_at, end_at, duration_minutes, member_tier, coupon_code, delivery, estimated_km,
          rental_fee, long_rental_discount, member_discount, coupon_discount, delivery_fee, distance_fee_estimate,
          due_at_booking, estimated_after_return, total_estimate, expires_at)
        SELECT * FROM unnest(
          ${sql.param(q.quoteId)}::uuid[], ${sql.param(q.quotedAt)}::timestamptz[], ${sql.param(q.market)}::text[],
          ${sql.param(q.tariffId)}::text[], ${sql.param(q.tariffVersion)}::int[], ${sql.param(q.carModelId)}::text[],
          ${sql.param(q.carClass)}::text[], ${sql.param(q.currency)}::char(3)[],
          ${sql.param(q.startAt)}::timestamptz[], ${sql.param(q.endAt)}::timestamptz[],
          ${sql.param(q.durationMinutes)}::int[], ${sql.param(q.memberTier)}::text[], ${sql.param(q.couponCode)}::text[],
          ${sql.param(q.delivery)}::boolean[], ${sql.param(q.estimatedKm)}::int[],
          ${sql.param(q.rentalFee)}::bigint[], ${sql.param(q.longRentalDiscount)}::bigint[],
          ${sql.param(q.memberDiscount)}::bigint[], ${sql.param(q.couponDiscount)}::bigint[],
          ${sql.param(q.deliveryFee)}::bigint[], ${sql.param(q.distanceFeeEstimate)}::bigint[],
          ${sql.param(q.dueAtBooking)}::bigint[], ${sql.param(q.estimatedAfterReturn)}::bigint[],
          ${sql.param(q.totalEstimate)}::bigint[], ${sql.param(q.expiresAt)}::timestamptz[])
        ON CONFLICT (quote_id) DO NOTHING
        RETURNING quote_id)
      INSERT INTO ${quoteLines} (quote_id, line_no, code, label, amount, currency)
      SELECT line.quote_id, line.line_no, line.code, line.label, line.amount, line.currency
      FROM unnest(
        ${sql.param(l.quoteId)}::uuid[], ${sql.param(l.lineNo)}::smallint[], ${sql.param(l.code)}::text[],
        ${sql.param(l.label)}::text[], ${sql.param(l.amount)}::bigint[], ${sql.param(l.currency)}::char(3)[]
      ) AS line(quote_id, line_no, code, label, amount, currency)
      JOIN recorded USING (quote_id)`);
  }
}

const MINUTE_MS = 60_000;

/** One array per column of `pricing.quotes`, in batch order. Instants travel as ISO strings. */
function columnsOf(batch: readonly Quote[]) {
  const column = <T>(pick: (quote: Quote) => T): T[] => batch.map(pick);
  return {
    quoteId: column((x) => x.quoteId),
    quotedAt: column((x) => x.quotedAt.toISOString()),
    market: column((x) => x.market),
    tariffId: column((x) => x.tariffId),
    tariffVersion: column((x) => x.tariffVersion),
    carModelId: column((x) => x.carModelId),
    carClass: column((x) => x.carClass),
    currency: column((x) => x.currency),
    startAt: column((x) => x.startAt.toISOString()),
    endAt: column((x) => x.endAt.toISOString()),
    durationMinutes: column((x) => Math.round((x.endAt.getTime() - x.startAt.getTime()) / MINUTE_MS)),
    memberTier: column((x) => x.memberTier || null),
    couponCode: column((x) => x.couponCode || null),
    delivery: column((x) => x.delivery),
    estimatedKm: column((x) => x.estimatedKm ?? null),
    rentalFee: column((x) => x.rentalFee),
    longRentalDiscount: column((x) => x.longRentalDiscount),
    memberDiscount: column((x) => x.memberDiscount),
    couponDiscount: column((x) => x.couponDiscount),
    deliveryFee: column((x) => x.deliveryFee),
    distanceFeeEstimate: column((x) => x.distanceFeeEstimate),
    dueAtBooking: column((x) => x.dueAtBooking),
    estimatedAfterReturn: column((x) => x.estimatedAfterReturn),
    totalEstimate: column((x) => x.totalEstimate),
    expiresAt: column((x) => x.expiresAt.toISOString()),
  };
}

/** One array per column of `pricing.quote_lines`: every line of every quote, numbered from 1 per quote. */
function lineColumnsOf(batch: readonly Quote[]) {
  const columns = {
    quoteId: [] as string[],
    lineNo: [] as number[],
    code: [] as string[],
    label: [] as string[],
    amount: [] as number[],
    currency: [] as string[],
  };
  for (const quote of batch) {
    quote.lines.forEach((line, index) => {
      columns.quoteId.push(quote.quoteId);
      columns.lineNo.push(index + 1);
      columns.code.push(line.code);
      columns.label.push(line.label);
      columns.amount.push(line.amount);
      columns.currency.push(quote.currency);
    });
  }
  return columns;
}

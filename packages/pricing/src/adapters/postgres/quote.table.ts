import {
  bigint,
  boolean,
  char,
  index,
  integer,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { pricingSchema } from "./pricing-schema.js";

/** One row per quote given (the analysts' record of demand); append-only, written in batches. */
export const quotes = pricingSchema.table(
  "quotes",
  {
    quoteId: uuid("quote_id").primaryKey(),
    quotedAt: timestamp("quoted_at", { withTimezone: true, mode: "date" }).notNull(),
    market: text("market").notNull(),
    tariffId: text("tariff_id").notNull(),
    tariffVersion: integer("tariff_version").notNull(),
    carModelId: text("car_model_id").notNull(),
    carClass: text("car_class").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    startAt: timestamp("start_at", { withTimezone: true, mode: "date" }).notNull(),
    endAt: timestamp("end_at", { withTimezone: true, mode: "date" }).notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    memberTier: text("member_tier"),
    couponCode: text("coupon_code"),
    delivery: boolean("delivery").notNull(),
    estimatedKm: integer("estimated_km"),
    rentalFee: bigint("rental_fee", { mode: "number" }).notNull(),
    longRentalDiscount: bigint("long_rental_discount", { mode: "number" }).notNull(),
    memberDiscount: bigint("member_discount", { mode: "number" }).notNull(),
    couponDiscount: bigint("coupon_discount", { mode: "number" }).notNull(),
    deliveryFee: bigint("delivery_fee", { mode: "number" }).notNull(),
    distanceFeeEstimate: bigint("distance_fee_estimate", { mode: "number" }).notNull(),
    dueAtBooking: bigint("due_at_booking", { mode: "number" }).notNull(),
    estimatedAfterReturn: bigint("estimated_after_return", { mode: "number" }).notNull(),
    totalEstimate: bigint("total_estimate", { mode: "number" }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("quotes_quoted_at_idx").on(t.quotedAt), index("quotes_market_quoted_at_idx").on(t.market, t.quotedAt)],
);

/** The price lines of each quote, in the order the quote showed them; append-only. */
export const quoteLines = pricingSchema.table(
  "quote_lines",
  {
    quoteId: uuid("quote_id")
      .notNull()
      .references(() => quotes.quoteId),
    lineNo: smallint("line_no").notNull(),
    code: text("code").notNull(),
    label: text("label").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
  },
  (t) => [primaryKey({ name: "quote_lines_pkey", columns: [t.quoteId, t.lineNo] })],
);

export type QuoteRow = typeof quotes.$inferSelect;
export type QuoteLineRow = typeof quoteLines.$inferSelect;

import { sql } from "drizzle-orm";
import { bigint, char, check, index, integer, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { pricingSchema } from "./pricing-schema.js";

/**
 * One row per settled quote; append-only. No foreign key to `quotes`: quotes are recorded in batches, so a
 * settlement can be written before the row of its quote.
 */
export const settlements = pricingSchema.table(
  "settlements",
  {
    quoteId: uuid("quote_id").primaryKey(),
    settledAt: timestamp("settled_at", { withTimezone: true, mode: "date" }).notNull(),
    market: text("market").notNull(),
    tariffId: text("tariff_id").notNull(),
    tariffVersion: integer("tariff_version").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    returnedAt: timestamp("returned_at", { withTimezone: true, mode: "date" }).notNull(),
    drivenKm: integer("driven_km").notNull(),
    dueAfterReturn: bigint("due_after_return", { mode: "number" }).notNull(),
  },
  (t) => [
    index("settlements_settled_at_idx").on(t.settledAt),
    index("settlements_market_settled_at_idx").on(t.market, t.settledAt),
  ],
);

/** The charges and credits of each settlement, in the order the settlement showed them; append-only. */
export const settlementLines = pricingSchema.table(
  "settlement_lines",
  {
    quoteId: uuid("quote_id")
      .notNull()
      .references(() => settlements.quoteId),
    lineNo: smallint("line_no").notNull(),
    kind: text("kind").notNull(),
    code: text("code").notNull(),
    label: text("label").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ name: "settlement_lines_pkey", columns: [t.quoteId, t.lineNo] }),
    check("settlement_lines_kind_check", sql`kind in ('CHARGE', 'CREDIT')`),
  ],
);

export type SettlementRow = typeof settlements.$inferSelect;
export type SettlementLineRow = typeof settlementLines.$inferSelect;

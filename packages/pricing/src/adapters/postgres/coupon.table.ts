import { sql } from "drizzle-orm";
import { bigint, char, check, integer, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { pricingSchema } from "./pricing-schema.js";

/** The columns a coupon has in both its current state and its history. */
const couponColumns = () => ({
  market: text("market").notNull(),
  code: text("code").notNull(),
  kind: text("kind").notNull(),
  percent: integer("percent"),
  maxDiscount: bigint("max_discount", { mode: "number" }),
  amount: bigint("amount", { mode: "number" }),
  currency: char("currency", { length: 3 }).notNull(),
  validFrom: timestamp("valid_from", { withTimezone: true, mode: "date" }).notNull(),
  validUntil: timestamp("valid_until", { withTimezone: true, mode: "date" }).notNull(),
  minMinutes: integer("min_minutes").notNull(),
  carClasses: text("car_classes").array().notNull(),
  putAt: timestamp("put_at", { withTimezone: true, mode: "date" }).notNull(),
  putBy: text("put_by").notNull(),
});

/** Every put of a coupon, oldest first; append-only. `revision` orders all puts of all coupons. */
export const couponRevisions = pricingSchema.table(
  "coupon_revisions",
  {
    revision: bigint("revision", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ...couponColumns(),
  },
  () => [check("coupon_revisions_kind_check", sql`kind in ('PERCENT', 'FIXED')`)],
);

/** The current state of each coupon (market, code): its latest put. */
export const coupons = pricingSchema.table(
  "coupons",
  {
    ...couponColumns(),
    revision: bigint("revision", { mode: "number" })
      .notNull()
      .references(() => couponRevisions.revision),
  },
  (t) => [
    primaryKey({ name: "coupons_pkey", columns: [t.market, t.code] }),
    check("coupons_kind_check", sql`kind in ('PERCENT', 'FIXED')`),
  ],
);

export type CouponRow = typeof coupons.$inferSelect;
export type NewCouponRevisionRow = typeof couponRevisions.$inferInsert;

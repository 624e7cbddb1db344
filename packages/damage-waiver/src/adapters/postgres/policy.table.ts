import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  char,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { WaiverPolicyDocument } from "../../domain/waiver-policy.js";
import { waiverSchema } from "./waiver-schema.js";

export { waiverSchema };

/** One row per waiver policy id and the market it holds (a market belongs to one policy id). */
export const policies = waiverSchema.table("policies", {
  policyId: text("policy_id").primaryKey(),
  market: text("market").notNull().unique("policies_market_key"),
});

/** One row per published waiver policy version; append-only. */
export const policyVersions = waiverSchema.table(
  "policy_versions",
  {
    policyId: text("policy_id")
      .notNull()
      .references(() => policies.policyId),
    version: integer("version").notNull(),
    market: text("market").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    document: jsonb("document").$type<WaiverPolicyDocument>().notNull(),
    documentSha256: char("document_sha256", { length: 64 }).notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true, mode: "date" }).notNull(),
    publishedBy: text("published_by").notNull(),
    effectiveFrom: timestamp("effective_from", { withTimezone: true, mode: "date" }).notNull(),
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity().notNull(),
  },
  (t) => [
    primaryKey({ name: "policy_versions_pkey", columns: [t.policyId, t.version] }),
    uniqueIndex("policy_versions_seq_key").on(t.seq),
    index("policy_versions_market_effective_from_idx").on(t.market, t.effectiveFrom),
  ],
);

/** One row per waiver product of a policy version, so products can be read without the document. Append-only. */
export const policyProducts = waiverSchema.table(
  "policy_products",
  {
    policyId: text("policy_id").notNull(),
    version: integer("version").notNull(),
    productCode: text("product_code").notNull(),
    position: smallint("position").notNull(),
    productName: text("product_name").notNull(),
    model: text("model").notNull(),
    selfPayCap: bigint("self_pay_cap", { mode: "number" }),
    deductible: bigint("deductible", { mode: "number" }),
    currency: char("currency", { length: 3 }).notNull(),
    minDriverAge: integer("min_driver_age").notNull(),
    minLicenseYears: integer("min_license_years").notNull(),
    sellable: boolean("sellable").notNull(),
  },
  (t) => [
    primaryKey({ name: "policy_products_pkey", columns: [t.policyId, t.version, t.productCode] }),
    foreignKey({
      name: "policy_products_policy_version_fkey",
      columns: [t.policyId, t.version],
      foreignColumns: [policyVersions.policyId, policyVersions.version],
    }),
    check(
      "policy_products_model_check",
      sql`(model = 'CAPPED' and self_pay_cap is not null and deductible is null)
        or (model = 'FIXED_DEDUCTIBLE' and deductible is not null and self_pay_cap is null)`,
    ),
  ],
);

/** The price of each product for each car class of a policy version (absent = not offered). Append-only. */
export const policyPrices = waiverSchema.table(
  "policy_prices",
  {
    policyId: text("policy_id").notNull(),
    version: integer("version").notNull(),
    carClass: text("car_class").notNull(),
    productCode: text("product_code").notNull(),
    hourly: bigint("hourly", { mode: "number" }).notNull(),
    daily: bigint("daily", { mode: "number" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ name: "policy_prices_pkey", columns: [t.policyId, t.version, t.carClass, t.productCode] }),
    foreignKey({
      name: "policy_prices_policy_product_fkey",
      columns: [t.policyId, t.version, t.productCode],
      foreignColumns: [policyProducts.policyId, policyProducts.version, policyProducts.productCode],
    }),
  ],
);

export type PolicyVersionRow = typeof policyVersions.$inferSelect;
export type NewPolicyProductRow = typeof policyProducts.$inferInsert;
export type NewPolicyPriceRow = typeof policyPrices.$inferInsert;

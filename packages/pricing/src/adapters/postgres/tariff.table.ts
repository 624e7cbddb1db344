import {
  bigint,
  char,
  foreignKey,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { TariffDocument } from "../../domain/tariff.js";
import { pricingSchema } from "./pricing-schema.js";

export { pricingSchema };

/** One row per tariff id and the market it holds (a market belongs to one tariff id). */
export const tariffs = pricingSchema.table("tariffs", {
  tariffId: text("tariff_id").primaryKey(),
  market: text("market").notNull().unique("tariffs_market_key"),
});

/** One row per published tariff version; append-only. */
export const tariffVersions = pricingSchema.table(
  "tariff_versions",
  {
    tariffId: text("tariff_id")
      .notNull()
      .references(() => tariffs.tariffId),
    version: integer("version").notNull(),
    market: text("market").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    timeZone: text("time_zone").notNull(),
    document: jsonb("document").$type<TariffDocument>().notNull(),
    documentSha256: char("document_sha256", { length: 64 }).notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true, mode: "date" }).notNull(),
    publishedBy: text("published_by").notNull(),
    effectiveFrom: timestamp("effective_from", { withTimezone: true, mode: "date" }).notNull(),
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity().notNull(),
  },
  (t) => [
    primaryKey({ name: "tariff_versions_pkey", columns: [t.tariffId, t.version] }),
    uniqueIndex("tariff_versions_seq_key").on(t.seq),
    index("tariff_versions_market_effective_from_idx").on(t.market, t.effectiveFrom),
  ],
);

/** One row per car model of a tariff version, so its rates can be read without the document. Append-only. */
export const tariffCarModels = pricingSchema.table(
  "tariff_car_models",
  {
    tariffId: text("tariff_id").notNull(),
    version: integer("version").notNull(),
    carModelId: text("car_model_id").notNull(),
    carModelName: text("car_model_name").notNull(),
    carClass: text("car_class").notNull(),
    fuel: text("fuel").notNull(),
    weekdayDailyRate: bigint("weekday_daily_rate", { mode: "number" }).notNull(),
    weekendDailyRate: bigint("weekend_daily_rate", { mode: "number" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ name: "tariff_car_models_pkey", columns: [t.tariffId, t.version, t.carModelId] }),
    foreignKey({
      name: "tariff_car_models_tariff_version_fkey",
      columns: [t.tariffId, t.version],
      foreignColumns: [tariffVersions.tariffId, tariffVersions.version],
    }),
  ],
);

export type TariffVersionRow = typeof tariffVersions.$inferSelect;
export type NewTariffVersionRow = typeof tariffVersions.$inferInsert;
export type NewTariffCarModelRow = typeof tariffCarModels.$inferInsert;

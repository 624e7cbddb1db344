import { sql } from "drizzle-orm";
import {
  bigint,
  char,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { policyVersions } from "./policy.table.js";
import { waiverSchema } from "./waiver-schema.js";

const STATUSES = sql`('REPORTED', 'ASSESSED', 'CHARGED', 'SETTLED', 'DISPUTED', 'RESOLVED', 'CANCELLED')`;

/**
 * One row per incident: the booking's snapshot, its status and its current assessment, liability, charge and
 * resolution. Updated in place, guarded by `version`; the history is in `incident_events`.
 */
export const incidents = waiverSchema.table(
  "incidents",
  {
    incidentId: uuid("incident_id").primaryKey(),
    idempotencyKey: text("idempotency_key").notNull().unique("incidents_idempotency_key_key"),
    requestFingerprint: text("request_fingerprint").notNull(),
    rentalId: text("rental_id").notNull(),
    market: text("market").notNull(),
    carClass: text("car_class").notNull(),
    dailyRate: bigint("daily_rate", { mode: "number" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    productCode: text("product_code").notNull(),
    policyId: text("policy_id").notNull(),
    policyVersion: integer("policy_version").notNull(),
    status: text("status").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" }).notNull(),
    reportedAt: timestamp("reported_at", { withTimezone: true, mode: "date" }).notNull(),
    description: text("description"),
    repairCost: bigint("repair_cost", { mode: "number" }),
    repairDays: integer("repair_days"),
    faultPercent: integer("fault_percent"),
    exclusions: text("exclusions").array(),
    lossOfUse: bigint("loss_of_use", { mode: "number" }),
    damage: bigint("damage", { mode: "number" }),
    share: bigint("share", { mode: "number" }),
    owed: bigint("owed", { mode: "number" }),
    basis: text("basis"),
    charged: bigint("charged", { mode: "number" }),
    resolutionOwed: bigint("resolution_owed", { mode: "number" }),
    resolutionNote: text("resolution_note"),
    version: integer("version").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    foreignKey({
      name: "incidents_policy_version_fkey",
      columns: [t.policyId, t.policyVersion],
      foreignColumns: [policyVersions.policyId, policyVersions.version],
    }),
    // Keyset pagination, newest first: (reported_at, incident_id) < (last seen) — alone or after a filter.
    index("incidents_reported_at_incident_id_idx").on(
      t.reportedAt.desc().nullsFirst(),
      t.incidentId.desc().nullsFirst(),
    ),
    index("incidents_rental_id_reported_at_idx").on(
      t.rentalId,
      t.reportedAt.desc().nullsFirst(),
      t.incidentId.desc().nullsFirst(),
    ),
    index("incidents_status_reported_at_idx").on(
      t.status,
      t.reportedAt.desc().nullsFirst(),
      t.incidentId.desc().nullsFirst(),
    ),
    check("incidents_status_check", sql`status in ${STATUSES}`),
    check("incidents_basis_check", sql`basis in ('CAPPED', 'FIXED_DEDUCTIBLE', 'EXCLUDED')`),
    check("incidents_version_check", sql`version >= 1`),
  ],
);

/** Every transition of every incident, creation included, oldest first; append-only. */
export const incidentEvents = waiverSchema.table(
  "incident_events",
  {
    incidentId: uuid("incident_id")
      .notNull()
      .references(() => incidents.incidentId),
    seq: integer("seq").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    primaryKey({ name: "incident_events_pkey", columns: [t.incidentId, t.seq] }),
    check("incident_events_type_check", sql`type in ${STATUSES}`),
  ],
);

export type IncidentRow = typeof incidents.$inferSelect;
export type IncidentEventRow = typeof incidentEvents.$inferSelect;

import { randomUUID } from "node:crypto";
import { createTestDatabase, type DatabaseKind, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { waiverMigrations } from "../../src/adapters/postgres/waiver-migrations.js";
import type { IncidentCreation } from "../../src/application/ports.js";
import type { Assessment, Incident, IncidentEvent, IncidentStatus, Liability } from "../../src/domain/incident.js";
import type { WaiverPolicyDocument } from "../../src/domain/waiver-policy.js";

/** A migrated waiver database for one test file (see `createTestDatabase`). */
export function createWaiverDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return createTestDatabase(kind, [waiverMigrations]);
}

/** Empties every waiver table, so each test starts from nothing. */
export async function emptyWaiverTables(database: TestDatabase): Promise<void> {
  await database.db.execute(
    sql`TRUNCATE waiver.incident_events, waiver.incidents, waiver.policy_prices, waiver.policy_products,
        waiver.policy_versions, waiver.policies RESTART IDENTITY`,
  );
}

/** `SELECT count(*)` of a waiver table. */
export async function countRows(database: TestDatabase, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, sql.raw(`SELECT count(*)::int AS n FROM waiver.${table}`));
  return row?.n ?? 0;
}

/** The Korean waiver policy of spec/damage-waiver.md §1; `changes` override top-level fields. */
export function referencePolicy(changes: Partial<WaiverPolicyDocument> = {}): WaiverPolicyDocument {
  return {
    id: "kr-waiver",
    market: "kr",
    currency: "KRW",
    roundingIncrement: 10,
    products: [
      {
        code: "CAP_700K",
        name: "Self-pay up to 700,000",
        model: "CAPPED",
        selfPayCap: 700_000,
        minDriverAge: 21,
        minLicenseYears: 1,
        sellable: true,
      },
      {
        code: "CAP_300K",
        name: "Self-pay up to 300,000",
        model: "CAPPED",
        selfPayCap: 300_000,
        minDriverAge: 21,
        minLicenseYears: 1,
        sellable: true,
      },
      {
        code: "CAP_50K",
        name: "Self-pay up to 50,000",
        model: "CAPPED",
        selfPayCap: 50_000,
        minDriverAge: 21,
        minLicenseYears: 1,
        sellable: true,
      },
      {
        code: "CAP_0",
        name: "No self-pay",
        model: "CAPPED",
        selfPayCap: 0,
        minDriverAge: 26,
        minLicenseYears: 2,
        sellable: true,
      },
      {
        code: "LEGACY_FIXED_300K",
        name: "Fixed deductible 300,000",
        model: "FIXED_DEDUCTIBLE",
        deductible: 300_000,
        minDriverAge: 21,
        minLicenseYears: 1,
        sellable: false,
      },
    ],
    prices: {
      MIDSIZE: {
        CAP_700K: { hourly: 800, daily: 8_000 },
        CAP_300K: { hourly: 1_000, daily: 10_000 },
        CAP_50K: { hourly: 1_400, daily: 14_000 },
        CAP_0: { hourly: 1_800, daily: 18_000 },
      },
    },
    youngDriver: { underAge: 26, surchargePercent: 20 },
    lossOfUse: { percentOfDailyRate: 50, maxDays: 5 },
    ...changes,
  };
}

/** A Malaysian policy: another id, market and currency, same rules. */
export function malaysianPolicy(changes: Partial<WaiverPolicyDocument> = {}): WaiverPolicyDocument {
  return referencePolicy({ id: "my-waiver", market: "my", currency: "MYR", ...changes });
}

export const reportedAt = new Date("2026-11-25T03:00:00.250Z");

/** A just-reported incident on kr-waiver version 1, CAP_300K, MIDSIZE at a daily rate of 95,700. */
export function aReportedIncident(changes: Partial<Incident> = {}): Incident {
  const at = changes.reportedAt ?? reportedAt;
  return {
    id: randomUUID(),
    rentalId: "rental-1",
    market: "kr",
    carClass: "MIDSIZE",
    dailyRate: 95_700,
    productCode: "CAP_300K",
    policyId: "kr-waiver",
    policyVersion: 1,
    status: "REPORTED",
    occurredAt: new Date("2026-11-24T22:10:00Z"),
    reportedAt: at,
    description: "Rear bumper scraped in a car park",
    version: 1,
    events: [{ at, type: "REPORTED", actor: "booking-backend", data: { rentalId: changes.rentalId ?? "rental-1" } }],
    ...changes,
  };
}

/** The creation of `incident` under `key`, with a fingerprint standing for its request body. */
export function creationOf(
  incident: Incident,
  key = `key-${incident.id}`,
  requestFingerprint = "{}",
): IncidentCreation {
  return { incident, idempotencyKey: key, requestFingerprint };
}

/** The spec §3 example: repair 1,200,000, 3 days, fault 100, no exclusion; CAP_300K owes 300,000. */
export const specAssessment: Assessment = { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] };
export const specLiability: Liability = {
  lossOfUse: 143_550,
  damage: 1_343_550,
  share: 1_343_550,
  owed: 300_000,
  basis: "CAPPED",
  currency: "KRW",
};

/** `incident` after one more change: the next version, with the change's event appended. */
export function changed(
  incident: Incident,
  type: IncidentStatus,
  at: Date,
  changes: Partial<Incident> = {},
  data: Record<string, unknown> = {},
): Incident {
  const event: IncidentEvent = { at, type, actor: "claims-admin", data };
  return { ...incident, ...changes, status: type, version: incident.version + 1, events: [...incident.events, event] };
}

import type { CarClass } from "./waiver-policy.js";

export const INCIDENT_STATUSES = [
  "REPORTED",
  "ASSESSED",
  "CHARGED",
  "SETTLED",
  "DISPUTED",
  "RESOLVED",
  "CANCELLED",
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Circumstances that void the waiver (spec §3.3). */
export const EXCLUSIONS = [
  "DRUNK_DRIVING",
  "UNLICENSED",
  "UNLISTED_DRIVER",
  "MAJOR_VIOLATION",
  "UNREPORTED",
  "INTENTIONAL",
  "CRIMINAL_USE",
  "RACING",
  "SUBLEASE",
] as const;
export type Exclusion = (typeof EXCLUSIONS)[number];

export type LiabilityBasis = "CAPPED" | "FIXED_DEDUCTIBLE" | "EXCLUDED";

/** Repair cost, repair days, fault percent and exclusions of an incident (손해사정). */
export interface Assessment {
  readonly repairCost: number;
  readonly repairDays: number;
  readonly faultPercent: number;
  readonly exclusions: readonly Exclusion[];
}

/** What the customer owes for an incident, with its breakdown and basis (고객 부담금). */
export interface Liability {
  readonly lossOfUse: number;
  readonly damage: number;
  readonly share: number;
  readonly owed: number;
  readonly basis: LiabilityBasis;
  readonly currency: string;
}

/** One entry of an incident's history: every transition, creation included. */
export interface IncidentEvent {
  readonly at: Date;
  /** The status the incident moved to (a re-assessment is another ASSESSED). */
  readonly type: IncidentStatus;
  /** The admin or service token's name, or `anonymous`. */
  readonly actor: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A damage event during a rental, with the booking's snapshot, its lifecycle and its history (사고). */
export interface Incident {
  readonly id: string;
  readonly rentalId: string;
  readonly market: string;
  readonly carClass: CarClass;
  /** The car's standard daily rate as supplied at creation: the loss-of-use basis. */
  readonly dailyRate: number;
  readonly productCode: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly status: IncidentStatus;
  readonly occurredAt: Date;
  readonly reportedAt: Date;
  readonly description?: string;
  readonly assessment?: Assessment;
  readonly liability?: Liability;
  /** Frozen at charging: the liability's owed amount. */
  readonly charged?: number;
  readonly resolution?: { readonly owed: number; readonly note: string };
  /** Starts at 1 and grows by one with every change (the ETag). */
  readonly version: number;
  readonly events: readonly IncidentEvent[];
}

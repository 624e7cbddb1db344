import type { Incident, IncidentStatus } from "../domain/incident.js";
import type { WaiverPolicyDocument } from "../domain/waiver-policy.js";

export interface Clock {
  now(): Date;
}

/** One immutable published revision of a waiver policy. */
export interface PublishedPolicy {
  readonly policyId: string;
  readonly version: number;
  readonly market: string;
  readonly document: WaiverPolicyDocument;
  readonly publishedAt: Date;
  readonly publishedBy: string;
  /** The document's effectiveFrom, or publishedAt when it had none. */
  readonly effectiveFrom: Date;
}

export type PolicyPublishOutcome =
  | { readonly kind: "created"; readonly policy: PublishedPolicy }
  /** The document equals the newest version of its id: that version, nothing created. */
  | { readonly kind: "unchanged"; readonly policy: PublishedPolicy }
  /** The market is held by another policy id (or the id by another market). */
  | { readonly kind: "market-taken"; readonly heldBy: string };

/** Stores published waiver policy versions; numbering and the market rule are enforced atomically. */
export interface WaiverPolicyRepository {
  publish(document: WaiverPolicyDocument, publishedBy: string, publishedAt: Date): Promise<PolicyPublishOutcome>;
  listAll(): Promise<PublishedPolicy[]>;
  listSince(marker: string): Promise<PublishedPolicy[]>;
  changeMarker(): Promise<string>;
}

/** A new incident and the idempotency key and request body it was created from. */
export interface IncidentCreation {
  readonly incident: Incident;
  readonly idempotencyKey: string;
  /** The request body in canonical form (sorted keys), compared on replay. */
  readonly requestFingerprint: string;
}

export type IncidentCreateOutcome =
  | { readonly kind: "created"; readonly incident: Incident }
  /** An incident already exists under this key: it, as it is now, and the fingerprint it was created with. */
  | { readonly kind: "exists"; readonly incident: Incident; readonly requestFingerprint: string };

export interface IncidentQuery {
  readonly rentalId?: string;
  readonly status?: IncidentStatus;
  readonly limit: number;
  /** Resume after this position (newest reportedAt first, then id). */
  readonly after?: { readonly reportedAt: Date; readonly id: string };
}

/** Incidents with their history. Writes are atomic and guarded by the incident's version. */
export interface IncidentRepository {
  /** Creates the incident unless one exists under the key; exactly one wins under concurrency. */
  create(creation: IncidentCreation): Promise<IncidentCreateOutcome>;
  findByIdempotencyKey(key: string): Promise<{ incident: Incident; requestFingerprint: string } | undefined>;
  get(id: string): Promise<Incident | undefined>;
  /**
   * Stores `next` (whose version is `expectedVersion + 1`, with its new events appended) if the stored
   * incident is still at `expectedVersion`; false when another change got there first.
   */
  update(next: Incident, expectedVersion: number): Promise<boolean>;
  list(query: IncidentQuery): Promise<Incident[]>;
}

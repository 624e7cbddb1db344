import { isDeepStrictEqual } from "node:util";
import type {
  Clock,
  IncidentCreateOutcome,
  IncidentCreation,
  IncidentQuery,
  IncidentRepository,
  PolicyPublishOutcome,
  PublishedPolicy,
  WaiverPolicyRepository,
} from "../../src/application/ports.js";
import type { Incident } from "../../src/domain/incident.js";
import type { WaiverPolicyDocument } from "../../src/domain/waiver-policy.js";

/** A clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return this.current;
  }
  set(at: Date): void {
    this.current = at;
  }
}

/** UUIDs 00000000-0000-4000-8000-000000000001, …2, … in order: ids a test can predict. */
export function sequentialIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
}

/** Published waiver policies in memory, with the numbering, "unchanged" and market rules of the real one. */
export class InMemoryPolicies implements WaiverPolicyRepository {
  readonly versions: PublishedPolicy[] = [];

  async publish(document: WaiverPolicyDocument, publishedBy: string, publishedAt: Date): Promise<PolicyPublishOutcome> {
    const heldBy = this.versions.find((p) => (p.market === document.market) !== (p.policyId === document.id))?.policyId;
    if (heldBy !== undefined) return { kind: "market-taken", heldBy };
    const ofId = this.versions.filter((p) => p.policyId === document.id);
    const newest = ofId[ofId.length - 1];
    if (newest !== undefined && isDeepStrictEqual(newest.document, document)) {
      return { kind: "unchanged", policy: newest };
    }
    const policy: PublishedPolicy = {
      policyId: document.id,
      version: ofId.length + 1,
      market: document.market,
      document,
      publishedAt,
      publishedBy,
      effectiveFrom: document.effectiveFrom === undefined ? publishedAt : new Date(document.effectiveFrom),
    };
    this.versions.push(policy);
    return { kind: "created", policy };
  }

  async listAll(): Promise<PublishedPolicy[]> {
    return [...this.versions];
  }

  async listSince(marker: string): Promise<PublishedPolicy[]> {
    return this.versions.slice(Number(marker));
  }

  async changeMarker(): Promise<string> {
    return String(this.versions.length);
  }
}

/**
 * Incidents in memory, with the version guard and the one-creation-per-key rule of the real repository.
 * `interfere` lets a test slip a concurrent change in just before the next update is applied.
 */
export class InMemoryIncidents implements IncidentRepository {
  private readonly byId = new Map<string, { incident: Incident; key: string; fingerprint: string }>();
  private readonly idByKey = new Map<string, string>();
  private interference: (() => void) | undefined;
  /** Every update attempted, successful or not. */
  updateAttempts = 0;

  async create(creation: IncidentCreation): Promise<IncidentCreateOutcome> {
    const existingId = this.idByKey.get(creation.idempotencyKey);
    const existing = existingId === undefined ? undefined : this.byId.get(existingId);
    if (existing !== undefined) {
      return { kind: "exists", incident: existing.incident, requestFingerprint: existing.fingerprint };
    }
    const { incident, idempotencyKey: key, requestFingerprint: fingerprint } = creation;
    this.byId.set(incident.id, { incident, key, fingerprint });
    this.idByKey.set(key, incident.id);
    return { kind: "created", incident };
  }

  async findByIdempotencyKey(key: string): Promise<{ incident: Incident; requestFingerprint: string } | undefined> {
    const id = this.idByKey.get(key);
    const stored = id === undefined ? undefined : this.byId.get(id);
    return stored === undefined ? undefined : { incident: stored.incident, requestFingerprint: stored.fingerprint };
  }

  async get(id: string): Promise<Incident | undefined> {
    return this.byId.get(id)?.incident;
  }

  async update(next: Incident, expectedVersion: number): Promise<boolean> {
    this.updateAttempts++;
    const interference = this.interference;
    this.interference = undefined;
    interference?.();
    const stored = this.byId.get(next.id);
    if (stored === undefined || stored.incident.version !== expectedVersion) return false;
    if (next.version !== expectedVersion + 1)
      throw new Error(`update to version ${next.version} from ${expectedVersion}`);
    this.byId.set(next.id, { ...stored, incident: next });
    return true;
  }

  async list(query: IncidentQuery): Promise<Incident[]> {
    type Position = Pick<Incident, "reportedAt" | "id">;
    // Newest reportedAt first, then the greater id first: the order of the Postgres index.
    const newestFirst = (a: Position, b: Position) =>
      b.reportedAt.getTime() - a.reportedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    const { after } = query;
    return [...this.byId.values()]
      .map((stored) => stored.incident)
      .filter((i) => query.rentalId === undefined || i.rentalId === query.rentalId)
      .filter((i) => query.status === undefined || i.status === query.status)
      .filter((i) => after === undefined || newestFirst(i, after) > 0)
      .sort(newestFirst)
      .slice(0, query.limit);
  }

  /** Stores an incident as it is, as if created under `key` (for arranging a test). */
  put(incident: Incident, key = `key-of-${incident.id}`, fingerprint = "{}"): void {
    this.byId.set(incident.id, { incident, key, fingerprint });
    this.idByKey.set(key, incident.id);
  }

  /** Runs `change` once, at the start of the next update: a concurrent writer that gets there first. */
  interfere(change: (store: InMemoryIncidents) => void): void {
    this.interference = () => change(this);
  }

  /** Replaces an incident behind the use case's back (what another process's update would do). */
  overwrite(incident: Incident): void {
    const stored = this.byId.get(incident.id);
    if (stored === undefined) throw new Error(`no incident ${incident.id}`);
    this.byId.set(incident.id, { ...stored, incident });
  }
}

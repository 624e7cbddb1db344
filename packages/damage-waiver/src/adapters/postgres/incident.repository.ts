import type { Database } from "@carfare/kit";
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import type {
  IncidentCreateOutcome,
  IncidentCreation,
  IncidentQuery,
  IncidentRepository,
} from "../../application/ports.js";
import type { Exclusion, Incident, IncidentEvent, IncidentStatus, LiabilityBasis } from "../../domain/incident.js";
import type { CarClass } from "../../domain/waiver-policy.js";
import { type IncidentEventRow, type IncidentRow, incidentEvents, incidents } from "./incident.table.js";
import { policyVersions } from "./policy.table.js";
import { type CoalescingOptions, WriteCoalescer } from "./write-coalescer.js";

/** An incident as stored, with the fingerprint of the request that created it. */
interface StoredIncident {
  readonly incident: Incident;
  readonly requestFingerprint: string;
}

export interface PostgresIncidentRepositoryOptions {
  /**
   * Send the repository's statements as named prepared statements, parsed and planned once per connection
   * (default true). It halves the database's CPU per incident creation. Set false behind PgBouncer in
   * transaction pooling mode older than 1.21 or without `max_prepared_statements`.
   */
  readonly preparedStatements?: boolean;
  /**
   * How creations share statements (WriteCoalescer): by default at most 2 create statements run at once, and
   * creations arriving meanwhile go together in the next, up to 100 in one. A lone creation is never held back;
   * one that waits 10 s for a statement fails, as a query waiting that long for a pooled connection does.
   */
  readonly creationBatching?: CoalescingOptions;
}

/** Two statements in flight keep the database busy while the next batch gathers; see docs/decisions/005. */
export const DEFAULT_CREATION_BATCHING: CoalescingOptions = { maxInFlight: 2, maxBatch: 100, maxWaitMs: 10_000 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const p = (name: string) => sql.placeholder(name);

/**
 * Incidents in `waiver.incidents` (current state, one row each) and `waiver.incident_events` (their history,
 * append-only).
 *
 * Each write is one statement, so one round trip and atomic by itself: the incident row and its events are
 * written together or not at all. Creation is idempotent on the key (`ON CONFLICT (idempotency_key) DO
 * NOTHING`, then the stored incident is read back), and creations arriving together share a statement
 * (`creationBatching`). An update applies only if the stored version is the expected one (optimistic
 * concurrency). Reads return each incident with its events, from one statement.
 */
export class PostgresIncidentRepository implements IncidentRepository {
  private readonly statementName: (name: string) => string;
  private readonly createStatement;
  private readonly creations: WriteCoalescer<IncidentCreation, boolean>;
  private readonly updateStatement;
  private readonly getStatement;
  private readonly findByKeyStatement;
  private readonly listStatements = new Map<string, ReturnType<PostgresIncidentRepository["prepareList"]>>();

  constructor(
    private readonly db: Database,
    options: PostgresIncidentRepositoryOptions = {},
  ) {
    // node-postgres sends a statement with an empty name unnamed (parsed and planned on every call).
    this.statementName = (name) => (options.preparedStatements === false ? "" : name);
    this.createStatement = this.prepareCreate();
    this.creations = new WriteCoalescer(
      (batch) => this.insertCreations(batch),
      options.creationBatching ?? DEFAULT_CREATION_BATCHING,
    );
    this.updateStatement = this.prepareUpdate();
    this.getStatement = this.prepareSelect(eq(incidents.incidentId, sql`${p("id")}::uuid`), p("limit")).prepare(
      this.statementName("waiver_incident_get"),
    );
    this.findByKeyStatement = this.prepareSelect(eq(incidents.idempotencyKey, p("key")), p("limit")).prepare(
      this.statementName("waiver_incident_find_by_key"),
    );
  }

  /**
   * Inserts the incident and its events unless an incident already holds the key; then the stored incident
   * is the outcome. Of any number of concurrent creations with one key, exactly one inserts (in one batch, the
   * first; across statements, the others wait on the unique key until it commits), and the others read its
   * incident. The incident's currency is that of its policy version, which must be published (an error
   * otherwise). A batch commits its incidents together, but fails only the caller of a bad one.
   */
  async create(creation: IncidentCreation): Promise<IncidentCreateOutcome> {
    const { incident, idempotencyKey } = creation;
    if (await this.creations.submit(creation)) return { kind: "created", incident };

    const stored = await this.findByIdempotencyKey(idempotencyKey);
    if (stored === undefined) {
      throw new Error(
        `cannot create incident ${incident.id}: policy ${incident.policyId} version ${incident.policyVersion} is not published`,
      );
    }
    return { kind: "exists", ...stored };
  }

  async findByIdempotencyKey(key: string): Promise<StoredIncident | undefined> {
    const [stored] = groupIncidents(await this.findByKeyStatement.execute({ key, limit: 1 }));
    return stored;
  }

  async get(id: string): Promise<Incident | undefined> {
    if (!UUID.test(id)) return undefined;
    const [stored] = groupIncidents(await this.getStatement.execute({ id, limit: 1 }));
    return stored?.incident;
  }

  /**
   * One statement: `UPDATE … WHERE incident_id = $id AND version = $expected`, and the events of `next` beyond
   * those stored are appended only if that row was updated. When two updates start from the same version, the
   * second waits for the first to commit, then finds another version and changes nothing: false.
   */
  async update(next: Incident, expectedVersion: number): Promise<boolean> {
    const [result] = await this.updateStatement.execute({
      ...mutableColumns(next),
      events: JSON.stringify(next.events.map(eventJson)),
      id: next.id,
      expectedVersion,
    });
    return result?.updated === 1;
  }

  /** Newest `reportedAt` first, then highest id; resumes strictly after `query.after`. At most `limit` incidents. */
  async list(query: IncidentQuery): Promise<Incident[]> {
    if (query.limit <= 0) return [];
    const { rentalId, status, after } = query;
    if (after !== undefined && !UUID.test(after.id)) {
      throw new RangeError(`not an incident id: ${JSON.stringify(after.id)}`);
    }
    const shape = `${rentalId === undefined ? "" : "r"}${status === undefined ? "" : "s"}${after === undefined ? "" : "a"}`;
    let statement = this.listStatements.get(shape);
    if (statement === undefined) {
      statement = this.prepareList(shape);
      this.listStatements.set(shape, statement);
    }
    const rows = await statement.execute({
      rentalId,
      status,
      afterReportedAt: after?.reportedAt.toISOString(),
      afterId: after?.id,
      limit: query.limit,
    });
    return groupIncidents(rows).map((stored) => stored.incident);
  }

  /** The list query for one combination of filters (`r` rental id, `s` status, `a` after a position). */
  private prepareList(shape: string) {
    const conditions: SQL[] = [];
    if (shape.includes("r")) conditions.push(eq(incidents.rentalId, p("rentalId")));
    if (shape.includes("s")) conditions.push(eq(incidents.status, p("status")));
    if (shape.includes("a")) {
      conditions.push(
        sql`(${incidents.reportedAt}, ${incidents.incidentId}) < (${p("afterReportedAt")}::timestamptz, ${p("afterId")}::uuid)`,
      );
    }
    return this.prepareSelect(and(...conditions), p("limit")).prepare(
      this.statementName(`waiver_incident_list_${shape || "all"}`),
    );
  }

  /**
   * The first `limit` incidents matching `where` (newest first) with their events, in one statement: a CTE
   * picks the page and the events are joined to it, so rows and events come from the same snapshot.
   */
  private prepareSelect(where: SQL | undefined, limit: ReturnType<typeof p>) {
    const page = this.db
      .$with("page")
      .as(
        this.db
          .select()
          .from(incidents)
          .where(where)
          .orderBy(desc(incidents.reportedAt), desc(incidents.incidentId))
          .limit(limit),
      );
    return this.db
      .with(page)
      .select()
      .from(page)
      .leftJoin(incidentEvents, eq(incidentEvents.incidentId, page.incidentId))
      .orderBy(desc(page.reportedAt), desc(page.incidentId), asc(incidentEvents.seq));
  }

  /**
   * Creates a batch of incidents in one statement, from one JSON parameter holding a row per incident
   * (`creationRow`). `created`: the rows, each with the currency of its policy version, except those whose key
   * is already taken (by an earlier incident or by another row of the batch); `appended`: their events,
   * numbered from 1. Answers the ids of the incidents inserted.
   */
  private prepareCreate() {
    const input = this.db.$with("input", { incidentId: sql<string>`incident_id` }).as(sql`
      SELECT * FROM jsonb_to_recordset(${p("rows")}::jsonb) AS i(
        incident_id uuid, idempotency_key text, request_fingerprint text, rental_id text, market text, car_class text,
        daily_rate bigint, product_code text, policy_id text, policy_version int, status text,
        occurred_at timestamptz, reported_at timestamptz, description text, repair_cost bigint, repair_days int,
        fault_percent int, exclusions text[], loss_of_use bigint, damage bigint, share bigint, owed bigint,
        basis text, charged bigint, resolution_owed bigint, resolution_note text, version int,
        updated_at timestamptz, events jsonb)`);
    const created = this.db.$with("created", { incidentId: sql<string>`incident_id` }).as(sql`
      INSERT INTO ${incidents} (
        incident_id, idempotency_key, request_fingerprint, rental_id, market, car_class, daily_rate, currency,
        product_code, policy_id, policy_version, status, occurred_at, reported_at, description,
        repair_cost, repair_days, fault_percent, exclusions, loss_of_use, damage, share, owed, basis,
        charged, resolution_owed, resolution_note, version, updated_at)
      SELECT i.incident_id, i.idempotency_key, i.request_fingerprint, i.rental_id, i.market, i.car_class,
        i.daily_rate, v.currency, i.product_code, v.policy_id, v.version, i.status, i.occurred_at, i.reported_at,
        i.description, i.repair_cost, i.repair_days, i.fault_percent, i.exclusions, i.loss_of_use, i.damage,
        i.share, i.owed, i.basis, i.charged, i.resolution_owed, i.resolution_note, i.version, i.updated_at
      FROM input i JOIN ${policyVersions} v ON v.policy_id = i.policy_id AND v.version = i.policy_version
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING incident_id`);
    const appended = this.db.$with("appended", { seq: sql<number>`seq` }).as(sql`
      INSERT INTO ${incidentEvents} (incident_id, seq, at, type, actor, data)
      SELECT created.incident_id, e.seq, (e.event->>'at')::timestamptz, e.event->>'type', e.event->>'actor',
        e.event->'data'
      FROM created JOIN input i ON i.incident_id = created.incident_id,
        jsonb_array_elements(i.events) WITH ORDINALITY AS e(event, seq)
      RETURNING seq`);
    return this.db
      .with(input, created, appended)
      .select({ incidentId: sql<string>`created.incident_id` })
      .from(created)
      .prepare(this.statementName("waiver_incident_create_batch"));
  }

  /** Writes a batch of creations (prepareCreate): for each, whether it was inserted. */
  private async insertCreations(creations: readonly IncidentCreation[]): Promise<boolean[]> {
    const rows = await this.createStatement.execute({ rows: JSON.stringify(creations.map(creationRow)) });
    const inserted = new Set(rows.map((row) => row.incidentId));
    return creations.map((creation) => inserted.has(creation.incident.id));
  }

  /**
   * `updated`: the row, if still at the expected version; `stored`: how many events it had; `appended`: the
   * events beyond those, only if the row was updated. Answers how many rows were updated.
   */
  private prepareUpdate() {
    const updated = this.db.$with("updated", { incidentId: sql<string>`incident_id` }).as(sql`
      UPDATE ${incidents} SET
        status = ${p("status")}::text, repair_cost = ${p("repair_cost")}::bigint, repair_days = ${p("repair_days")}::int,
        fault_percent = ${p("fault_percent")}::int, exclusions = ${p("exclusions")}::text[],
        loss_of_use = ${p("loss_of_use")}::bigint, damage = ${p("damage")}::bigint, share = ${p("share")}::bigint,
        owed = ${p("owed")}::bigint, basis = ${p("basis")}::text, charged = ${p("charged")}::bigint,
        resolution_owed = ${p("resolution_owed")}::bigint, resolution_note = ${p("resolution_note")}::text,
        version = ${p("version")}::int, updated_at = ${p("updated_at")}::timestamptz
      WHERE incident_id = ${p("id")}::uuid AND version = ${p("expectedVersion")}::int
      RETURNING incident_id`);
    const stored = this.db.$with("stored", { count: sql<number>`count` }).as(sql`
      SELECT coalesce(max(seq), 0) AS count FROM ${incidentEvents} WHERE incident_id = ${p("id")}::uuid`);
    const appended = this.db.$with("appended", { seq: sql<number>`seq` }).as(sql`
      INSERT INTO ${incidentEvents} (incident_id, seq, at, type, actor, data)
      SELECT updated.incident_id, e.seq, (e.event->>'at')::timestamptz, e.event->>'type', e.event->>'actor',
        e.event->'data'
      FROM updated, stored, jsonb_array_elements(${p("events")}::jsonb) WITH ORDINALITY AS e(event, seq)
      WHERE e.seq > stored.count
      RETURNING seq`);
    return this.db
      .with(updated, stored, appended)
      .select({ updated: sql<number>`count(*)::int` })
      .from(updated)
      .prepare(this.statementName("waiver_incident_update"));
  }
}

/**
 * The columns that change over an incident's life, by column name: the update statement's placeholders, and
 * part of a row of the create statement's input.
 */
function mutableColumns(incident: Incident) {
  const { assessment, liability, resolution } = incident;
  return {
    status: incident.status,
    repair_cost: assessment?.repairCost ?? null,
    repair_days: assessment?.repairDays ?? null,
    fault_percent: assessment?.faultPercent ?? null,
    exclusions: assessment === undefined ? null : [...assessment.exclusions],
    loss_of_use: liability?.lossOfUse ?? null,
    damage: liability?.damage ?? null,
    share: liability?.share ?? null,
    owed: liability?.owed ?? null,
    basis: liability?.basis ?? null,
    charged: incident.charged ?? null,
    resolution_owed: resolution?.owed ?? null,
    resolution_note: resolution?.note ?? null,
    version: incident.version,
    // The time of the latest change: its event's.
    updated_at: (incident.events.at(-1)?.at ?? incident.reportedAt).toISOString(),
  };
}

/** A creation as a row of the create statement's JSON input: every column, and the events. */
function creationRow({ incident, idempotencyKey, requestFingerprint }: IncidentCreation) {
  return {
    incident_id: incident.id,
    idempotency_key: idempotencyKey,
    request_fingerprint: requestFingerprint,
    rental_id: incident.rentalId,
    market: incident.market,
    car_class: incident.carClass,
    daily_rate: incident.dailyRate,
    product_code: incident.productCode,
    policy_id: incident.policyId,
    policy_version: incident.policyVersion,
    occurred_at: incident.occurredAt.toISOString(),
    reported_at: incident.reportedAt.toISOString(),
    description: incident.description ?? null,
    ...mutableColumns(incident),
    events: incident.events.map(eventJson),
  };
}

/** An event as JSON (its instant as an ISO string), expanded in SQL by `jsonb_array_elements`. */
function eventJson(event: IncidentEvent) {
  return { at: event.at.toISOString(), type: event.type, actor: event.actor, data: event.data };
}

/** Rows of incidents left-joined to their events (ordered by incident, then seq) → incidents with events. */
function groupIncidents(
  rows: readonly { page: IncidentRow; incident_events: IncidentEventRow | null }[],
): StoredIncident[] {
  const stored: StoredIncident[] = [];
  let current: { row: IncidentRow; events: IncidentEvent[] } | undefined;
  const flush = () => {
    if (current === undefined) return;
    stored.push({
      incident: rowToIncident(current.row, current.events),
      requestFingerprint: current.row.requestFingerprint,
    });
  };
  for (const { page: row, incident_events: event } of rows) {
    if (current === undefined || current.row.incidentId !== row.incidentId) {
      flush();
      current = { row, events: [] };
    }
    if (event !== null) current.events.push(rowToEvent(event));
  }
  flush();
  return stored;
}

function rowToEvent(row: IncidentEventRow): IncidentEvent {
  return { at: row.at, type: row.type as IncidentStatus, actor: row.actor, data: row.data };
}

function rowToIncident(row: IncidentRow, events: readonly IncidentEvent[]): Incident {
  return {
    id: row.incidentId,
    rentalId: row.rentalId,
    market: row.market,
    carClass: row.carClass as CarClass,
    dailyRate: row.dailyRate,
    productCode: row.productCode,
    policyId: row.policyId,
    policyVersion: row.policyVersion,
    status: row.status as IncidentStatus,
    occurredAt: row.occurredAt,
    reportedAt: row.reportedAt,
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.repairCost === null
      ? {}
      : {
          assessment: {
            repairCost: row.repairCost,
            repairDays: row.repairDays ?? 0,
            faultPercent: row.faultPercent ?? 0,
            exclusions: (row.exclusions ?? []) as Exclusion[],
          },
        }),
    ...(row.basis === null
      ? {}
      : {
          liability: {
            lossOfUse: row.lossOfUse ?? 0,
            damage: row.damage ?? 0,
            share: row.share ?? 0,
            owed: row.owed ?? 0,
            basis: row.basis as LiabilityBasis,
            currency: row.currency,
          },
        }),
    ...(row.charged === null ? {} : { charged: row.charged }),
    ...(row.resolutionOwed === null
      ? {}
      : { resolution: { owed: row.resolutionOwed, note: row.resolutionNote ?? "" } }),
    version: row.version,
    events,
  };
}

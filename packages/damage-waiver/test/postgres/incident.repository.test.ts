import { randomUUID } from "node:crypto";
import { databasesUnderTest, queryRows, type TestDatabase } from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresIncidentRepository } from "../../src/adapters/postgres/incident.repository.js";
import { PostgresWaiverPolicyRepository } from "../../src/adapters/postgres/policy.repository.js";
import type { Incident } from "../../src/domain/incident.js";
import {
  aReportedIncident,
  changed,
  countRows,
  createWaiverDatabase,
  creationOf,
  emptyWaiverTables,
  malaysianPolicy,
  referencePolicy,
  reportedAt,
  specAssessment,
  specLiability,
} from "./waiver-test-data.js";

const minutes = (n: number) => new Date(reportedAt.getTime() + n * 60_000);

describe.each(databasesUnderTest())("PostgresIncidentRepository on %s", (kind) => {
  let database: TestDatabase;
  let incidents: PostgresIncidentRepository;

  beforeAll(async () => {
    database = await createWaiverDatabase(kind);
    incidents = new PostgresIncidentRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await emptyWaiverTables(database);
    const policies = new PostgresWaiverPolicyRepository(database.db);
    await policies.publish(referencePolicy(), "alice", new Date("2026-11-01T00:00:00Z"));
    await policies.publish(malaysianPolicy(), "alice", new Date("2026-11-01T00:00:00Z"));
  });

  describe("create, get and replay", () => {
    it("creates an incident with its first event and gets it back as it was given", async () => {
      const incident = aReportedIncident();

      const outcome = await incidents.create(creationOf(incident, "key-1", '{"rentalId":"rental-1"}'));

      expect(outcome).toEqual({ kind: "created", incident });
      expect(await incidents.get(incident.id)).toEqual(incident);
      expect(await countRows(database, "incidents")).toBe(1);
      expect(await countRows(database, "incident_events")).toBe(1);
    });

    it("keeps an incident without a description without one", async () => {
      const { description: _, ...withoutDescription } = aReportedIncident();

      await incidents.create(creationOf(withoutDescription));

      const stored = await incidents.get(withoutDescription.id);
      expect(stored).toEqual(withoutDescription);
      expect(stored && "description" in stored).toBe(false);
    });

    it("returns the stored incident, as it is now, and its fingerprint when the key is used again", async () => {
      const first = aReportedIncident();
      await incidents.create(creationOf(first, "key-1", "fingerprint-1"));
      const assessed = changed(first, "ASSESSED", minutes(5), { assessment: specAssessment, liability: specLiability });
      await incidents.update(assessed, 1);

      const outcome = await incidents.create(creationOf(aReportedIncident(), "key-1", "fingerprint-2"));

      expect(outcome).toEqual({ kind: "exists", incident: assessed, requestFingerprint: "fingerprint-1" });
      expect(await countRows(database, "incidents")).toBe(1);
      expect(await countRows(database, "incident_events")).toBe(2);
    });

    it("finds an incident by its idempotency key, with the fingerprint it was created with", async () => {
      const incident = aReportedIncident();
      await incidents.create(creationOf(incident, "key-1", "fingerprint-1"));

      expect(await incidents.findByIdempotencyKey("key-1")).toEqual({ incident, requestFingerprint: "fingerprint-1" });
      expect(await incidents.findByIdempotencyKey("key-2")).toBeUndefined();
    });

    it("gets nothing for an unknown id or a string that is not a UUID", async () => {
      expect(await incidents.get(randomUUID())).toBeUndefined();
      expect(await incidents.get("not-a-uuid")).toBeUndefined();
    });

    it("stores the currency of the incident's policy version with its amounts", async () => {
      const incident = aReportedIncident({ market: "my", policyId: "my-waiver", dailyRate: 250_00 });
      await incidents.create(creationOf(incident));

      const rows = await queryRows(
        database.db,
        sql`SELECT policy_id, policy_version, daily_rate::int AS daily_rate, currency FROM waiver.incidents`,
      );

      expect(rows).toEqual([{ policy_id: "my-waiver", policy_version: 1, daily_rate: 25_000, currency: "MYR" }]);
    });

    it("refuses an incident whose policy version is not published, and stores nothing", async () => {
      const incident = aReportedIncident({ policyVersion: 9 });

      await expect(incidents.create(creationOf(incident))).rejects.toThrow(/kr-waiver version 9 is not published/);
      expect(await countRows(database, "incidents")).toBe(0);
    });

    it("creates exactly one incident when 50 identical creations run at once", async () => {
      // Each request makes its own incident (own id) under the same key, as the use case does.
      const attempts = Array.from({ length: 50 }, () => creationOf(aReportedIncident(), "same-key", "same-body"));

      const outcomes = await Promise.all(attempts.map((attempt) => incidents.create(attempt)));

      const created = outcomes.filter((o) => o.kind === "created");
      expect(created).toHaveLength(1);
      const winner = created[0]?.incident;
      expect(outcomes.map((o) => o.incident)).toEqual(Array(50).fill(winner));
      expect(outcomes.filter((o) => o.kind === "exists").map((o) => o.requestFingerprint)).toEqual(
        Array(49).fill("same-body"),
      );
      expect(await countRows(database, "incidents")).toBe(1);
      expect(await countRows(database, "incident_events")).toBe(1);
    });
  });

  describe("creations arriving together share a statement", () => {
    /** How many transactions wrote the incidents: a row's xmin is the transaction that inserted it. */
    const writingTransactions = async () => {
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`SELECT count(DISTINCT xmin::text)::int AS n FROM waiver.incidents`,
      );
      return row?.n;
    };

    it("creates every one of 40 concurrent creations, each with its event, in fewer statements", async () => {
      const batching = new PostgresIncidentRepository(database.db, {
        creationBatching: { maxInFlight: 1, maxBatch: 100, maxWaitMs: 10_000 },
      });
      const all = Array.from({ length: 40 }, (_, i) => aReportedIncident({ rentalId: `rental-${i}` }));

      const outcomes = await Promise.all(all.map((incident) => batching.create(creationOf(incident))));

      expect(outcomes).toEqual(all.map((incident) => ({ kind: "created", incident })));
      expect(await Promise.all(all.map((incident) => batching.get(incident.id)))).toEqual(all);
      expect(await countRows(database, "incident_events")).toBe(40);
      // The first went alone; the 39 that arrived while it ran went together.
      expect(await writingTransactions()).toBe(2);
    });

    it("creates one incident for a key given twice in one batch, and answers the other with it", async () => {
      const batching = new PostgresIncidentRepository(database.db, {
        creationBatching: { maxInFlight: 1, maxBatch: 100, maxWaitMs: 10_000 },
      });
      const first = batching.create(creationOf(aReportedIncident(), "another-key"));
      const twins = [aReportedIncident(), aReportedIncident()].map((incident) =>
        batching.create(creationOf(incident, "twin-key", "twin-body")),
      );

      const [a, b] = await Promise.all(twins);

      expect([a?.kind, b?.kind].sort()).toEqual(["created", "exists"]);
      expect(b?.incident).toEqual(a?.incident);
      expect((await first).kind).toBe("created");
      expect(await countRows(database, "incidents")).toBe(2);
      expect(await countRows(database, "incident_events")).toBe(2);
    });

    it("fails only the creation the database refuses, and creates the rest of its batch", async () => {
      const batching = new PostgresIncidentRepository(database.db, {
        creationBatching: { maxInFlight: 1, maxBatch: 100, maxWaitMs: 10_000 },
      });
      const good = [aReportedIncident(), aReportedIncident(), aReportedIncident()];
      // A status the table's check constraint refuses: the whole statement fails, then each goes alone.
      const bad = { ...aReportedIncident(), status: "LOST" } as unknown as Incident;
      const unpublished = aReportedIncident({ policyVersion: 9 });

      const [lone, ...rest] = await Promise.allSettled(
        [good[0], bad, good[1], unpublished, good[2]].map((incident) =>
          batching.create(creationOf(incident as Incident)),
        ),
      );

      expect(lone?.status).toBe("fulfilled");
      expect(rest.map((outcome) => outcome.status)).toEqual(["rejected", "fulfilled", "rejected", "fulfilled"]);
      const refused = (rest[0] as PromiseRejectedResult).reason as Error;
      expect(String(refused.cause)).toMatch(/incidents_status_check/);
      expect(String((rest[2] as PromiseRejectedResult).reason)).toMatch(/version 9 is not published/);
      expect(await Promise.all(good.map((incident) => batching.get(incident.id)))).toEqual(good);
      expect(await countRows(database, "incidents")).toBe(3);
      expect(await countRows(database, "incident_events")).toBe(3);
    });
  });

  describe("update", () => {
    it("stores an assessment with its liability and appends its event, when the version is the expected one", async () => {
      const reported = aReportedIncident();
      await incidents.create(creationOf(reported));
      const assessed = changed(reported, "ASSESSED", minutes(30), {
        assessment: { ...specAssessment, exclusions: ["DRUNK_DRIVING", "UNREPORTED"] },
        liability: { ...specLiability, owed: 1_343_550, basis: "EXCLUDED" },
      });

      expect(await incidents.update(assessed, 1)).toBe(true);

      expect(await incidents.get(reported.id)).toEqual(assessed);
      const [row] = await queryRows(
        database.db,
        sql`SELECT version, updated_at = '2026-11-25T03:30:00.250Z' AS updated_at_is_the_event_time, exclusions
            FROM waiver.incidents`,
      );
      expect(row).toEqual({
        version: 2,
        updated_at_is_the_event_time: true,
        exclusions: ["DRUNK_DRIVING", "UNREPORTED"],
      });
    });

    it("changes nothing and answers false when the stored version is not the expected one", async () => {
      const reported = aReportedIncident();
      await incidents.create(creationOf(reported));
      const assessed = changed(reported, "ASSESSED", minutes(30), {
        assessment: specAssessment,
        liability: specLiability,
      });

      expect(await incidents.update(assessed, 2)).toBe(false);

      expect(await incidents.get(reported.id)).toEqual(reported);
      expect(await countRows(database, "incident_events")).toBe(1);
    });

    it("answers false for an incident that does not exist", async () => {
      expect(await incidents.update(changed(aReportedIncident(), "CANCELLED", minutes(1)), 1)).toBe(false);
      expect(await countRows(database, "incident_events")).toBe(0);
    });

    it("lets exactly one of two concurrent updates from the same version win", async () => {
      const reported = aReportedIncident();
      await incidents.create(creationOf(reported));
      const assessed = changed(reported, "ASSESSED", minutes(30), {
        assessment: specAssessment,
        liability: specLiability,
      });
      const cancelled = changed(reported, "CANCELLED", minutes(31), {}, { reason: "duplicate report" });

      const results = await Promise.all([incidents.update(assessed, 1), incidents.update(cancelled, 1)]);

      expect([...results].sort()).toEqual([false, true]);
      const winner = results[0] ? assessed : cancelled;
      expect(await incidents.get(reported.id)).toEqual(winner);
      expect(await countRows(database, "incident_events")).toBe(2);
    });

    it("keeps the whole history of a disputed incident in order, through re-assessment, charge and resolution", async () => {
      const reported = aReportedIncident();
      await incidents.create(creationOf(reported));
      const assessed = changed(reported, "ASSESSED", minutes(10), {
        assessment: { ...specAssessment, faultPercent: 70 },
        liability: { ...specLiability, share: 940_480, owed: 300_000 },
      });
      const reassessed = changed(assessed, "ASSESSED", minutes(20), {
        assessment: specAssessment,
        liability: specLiability,
      });
      const charged = changed(reassessed, "CHARGED", minutes(30), { charged: 300_000 });
      const disputed = changed(charged, "DISPUTED", minutes(40), {}, { reason: "dent was there before" });
      const resolved = changed(
        disputed,
        "RESOLVED",
        minutes(50),
        { resolution: { owed: 150_000, note: "half, goodwill" } },
        { owed: 150_000, note: "half, goodwill" },
      );

      for (const [next, expected] of [
        [assessed, 1],
        [reassessed, 2],
        [charged, 3],
        [disputed, 4],
        [resolved, 5],
      ] as const) {
        expect(await incidents.update(next, expected)).toBe(true);
      }

      const stored = await incidents.get(reported.id);
      expect(stored).toEqual(resolved);
      expect(stored?.events.map((e) => [e.type, e.at])).toEqual([
        ["REPORTED", reportedAt],
        ["ASSESSED", minutes(10)],
        ["ASSESSED", minutes(20)],
        ["CHARGED", minutes(30)],
        ["DISPUTED", minutes(40)],
        ["RESOLVED", minutes(50)],
      ]);
      expect(stored?.events[4]?.data).toEqual({ reason: "dent was there before" });
      const seqs = await queryRows<{ seq: number; type: string }>(
        database.db,
        sql`SELECT seq, type FROM waiver.incident_events ORDER BY seq`,
      );
      expect(seqs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  describe("list", () => {
    /** Creates incidents reported at the given minutes after `reportedAt`, returned in creation order. */
    async function createReportedAt(
      offsets: readonly number[],
      changes: (i: number) => Partial<Incident> = () => ({}),
    ) {
      const created: Incident[] = [];
      for (const [i, offset] of offsets.entries()) {
        const incident = aReportedIncident({ reportedAt: minutes(offset), ...changes(i) });
        await incidents.create(creationOf(incident));
        created.push(incident);
      }
      return created;
    }

    const newestFirst = (list: readonly Incident[]) =>
      [...list].sort(
        (a, b) => b.reportedAt.getTime() - a.reportedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );

    it("lists newest reportedAt first, ties by descending id, with each incident's events", async () => {
      const created = await createReportedAt([0, 5, 5, 5, 10]);
      const target = created[1] as Incident;
      const assessed = changed(target, "ASSESSED", minutes(20), {
        assessment: specAssessment,
        liability: specLiability,
      });
      await incidents.update(assessed, 1);
      const expected = newestFirst(created.map((i) => (i.id === target.id ? assessed : i)));

      const listed = await incidents.list({ limit: 50 });

      expect(listed).toEqual(expected);
      expect(listed.find((i) => i.id === target.id)?.events.map((e) => e.type)).toEqual(["REPORTED", "ASSESSED"]);
    });

    it("pages through incidents with equal reportedAt without skipping or repeating any", async () => {
      const created = await createReportedAt([0, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3]);
      const expected = newestFirst(created);

      const pages: Incident[][] = [];
      let after: { reportedAt: Date; id: string } | undefined;
      for (;;) {
        const page = await incidents.list({ limit: 5, ...(after ? { after } : {}) });
        if (page.length === 0) break;
        pages.push(page);
        const last = page.at(-1) as Incident;
        after = { reportedAt: last.reportedAt, id: last.id };
      }

      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      expect(pages.flat()).toEqual(expected);
    });

    it("filters by rental id and by status, and pages within the filter", async () => {
      const created = await createReportedAt([0, 1, 2, 3, 4, 5], (i) => ({ rentalId: `rental-${i % 2}` }));
      const cancelled = changed(created[2] as Incident, "CANCELLED", minutes(10), {}, { reason: "test" });
      await incidents.update(cancelled, 1);

      const ofRental1 = await incidents.list({ rentalId: "rental-1", limit: 10 });
      const firstTwo = await incidents.list({ rentalId: "rental-0", limit: 2 });
      const last = firstTwo.at(-1) as Incident;
      const rest = await incidents.list({
        rentalId: "rental-0",
        limit: 2,
        after: { reportedAt: last.reportedAt, id: last.id },
      });
      const reported = await incidents.list({ status: "REPORTED", limit: 10 });
      const cancelledOfRental0 = await incidents.list({ rentalId: "rental-0", status: "CANCELLED", limit: 10 });

      expect(ofRental1.map((i) => i.reportedAt)).toEqual([minutes(5), minutes(3), minutes(1)]);
      expect([...firstTwo, ...rest].map((i) => i.reportedAt)).toEqual([minutes(4), minutes(2), minutes(0)]);
      expect(reported).toHaveLength(5);
      expect(reported.every((i) => i.status === "REPORTED")).toBe(true);
      expect(cancelledOfRental0).toEqual([cancelled]);
      expect(await incidents.list({ rentalId: "rental-9", limit: 10 })).toEqual([]);
    });

    it("returns at most limit incidents, and none for a limit of 0", async () => {
      await createReportedAt([0, 1, 2]);

      expect(await incidents.list({ limit: 2 })).toHaveLength(2);
      expect(await incidents.list({ limit: 0 })).toEqual([]);
    });
  });

  describe("with prepared statements off (PgBouncer before 1.21)", () => {
    it("creates, replays, updates, gets and lists the same", async () => {
      const unprepared = new PostgresIncidentRepository(database.db, { preparedStatements: false });
      const reported = aReportedIncident();
      const assessed = changed(reported, "ASSESSED", minutes(5), {
        assessment: specAssessment,
        liability: specLiability,
      });

      expect(await unprepared.create(creationOf(reported, "key-1", "body"))).toEqual({
        kind: "created",
        incident: reported,
      });
      expect(await unprepared.create(creationOf(aReportedIncident(), "key-1", "body"))).toEqual({
        kind: "exists",
        incident: reported,
        requestFingerprint: "body",
      });
      expect(await unprepared.update(assessed, 1)).toBe(true);
      expect(await unprepared.update(assessed, 1)).toBe(false);
      expect(await unprepared.get(reported.id)).toEqual(assessed);
      expect(await unprepared.list({ rentalId: "rental-1", status: "ASSESSED", limit: 5 })).toEqual([assessed]);
    });
  });
});

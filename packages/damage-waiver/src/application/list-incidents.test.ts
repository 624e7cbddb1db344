import { describe, expect, it } from "vitest";
import { InMemoryIncidents } from "../../test/builders/fakes.js";
import { anIncident } from "../../test/builders/incident-builder.js";
import type { Incident } from "../domain/incident.js";
import { getIncident } from "./get-incident.js";
import {
  DEFAULT_INCIDENT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  type ListIncidentsQuery,
  listIncidents,
  MAX_INCIDENT_PAGE_SIZE,
} from "./list-incidents.js";

const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** `count` incidents, one reported per minute (so the highest number is the newest); every third CANCELLED. */
function store(count: number): InMemoryIncidents {
  const incidents = new InMemoryIncidents();
  for (let n = 1; n <= count; n++) {
    const incident = anIncident(n % 3 === 0 ? "CANCELLED" : "REPORTED", {
      id: idOf(n),
      rentalId: `rental-${n % 2}`,
    });
    incidents.put({ ...incident, reportedAt: new Date(Date.UTC(2026, 10, 1, 0, n)) });
  }
  return incidents;
}

async function page(incidents: InMemoryIncidents, query: ListIncidentsQuery = {}) {
  const result = await listIncidents(incidents, query);
  if (!result.ok) throw result.error;
  return result.value;
}

const numbers = (items: readonly Incident[]) => items.map((i) => Number(i.id.slice(-12)));

describe("listIncidents", () => {
  it("lists the newest reportedAt first, 50 by default, with a cursor to the rest", async () => {
    const incidents = store(60);
    const first = await page(incidents);
    expect(first.items).toHaveLength(DEFAULT_INCIDENT_PAGE_SIZE);
    expect(numbers(first.items).slice(0, 3)).toEqual([60, 59, 58]);
    expect(first.nextCursor).toBeDefined();
    const second = await page(incidents, { cursor: first.nextCursor as string });
    expect(numbers(second.items)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(second).not.toHaveProperty("nextCursor");
  });

  it("walks every incident exactly once, page by page, ties on reportedAt broken by id", async () => {
    const incidents = new InMemoryIncidents();
    const at = new Date("2026-11-01T00:00:00Z");
    for (let n = 1; n <= 7; n++) incidents.put({ ...anIncident("REPORTED", { id: idOf(n) }), reportedAt: at });
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const next: Awaited<ReturnType<typeof page>> = await page(incidents, { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...numbers(next.items));
      cursor = next.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it("gives no cursor when the page holds exactly the rest", async () => {
    expect(await page(store(5), { limit: 5 })).not.toHaveProperty("nextCursor");
  });

  it("filters by rental and by status", async () => {
    const incidents = store(9);
    expect(numbers((await page(incidents, { rentalId: "rental-1" })).items)).toEqual([9, 7, 5, 3, 1]);
    expect(numbers((await page(incidents, { status: "CANCELLED" })).items)).toEqual([9, 6, 3]);
    expect(numbers((await page(incidents, { rentalId: "rental-1", status: "CANCELLED" })).items)).toEqual([9, 3]);
  });

  it("treats empty text parameters as not given", async () => {
    expect((await page(store(3), { rentalId: "", status: "", cursor: "" })).items).toHaveLength(3);
  });

  it.each([
    [{ limit: 0 }, "limit"],
    [{ limit: MAX_INCIDENT_PAGE_SIZE + 1 }, "limit"],
    [{ limit: 2.5 }, "limit"],
    [{ status: "LOST" }, "status"],
    [{ cursor: "not-a-cursor" }, "cursor"],
    [{ cursor: "!!!" }, "cursor"],
    [{ cursor: Buffer.from("2026-11-01T00:00:00.000Z_nope").toString("base64url") }, "cursor"],
  ])("refuses %o with INVALID_REQUEST naming %s", async (query, field) => {
    const result = await listIncidents(store(1), query);
    expect(result.ok ? "listed" : [result.error.code, result.error.issues.map((i) => i.field)]).toEqual([
      "WAIVER.INVALID_REQUEST",
      [field],
    ]);
  });

  it("accepts up to 200 a page", async () => {
    expect((await page(store(201), { limit: MAX_INCIDENT_PAGE_SIZE })).items).toHaveLength(200);
  });

  it("encodes a cursor that decodes to the same position, and refuses any other spelling of it", () => {
    const position = { reportedAt: new Date("2026-11-01T00:07:00.123Z"), id: idOf(7) };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
    expect(decodeCursor(`${cursor}=`)).toBeNull();
    expect(decodeCursor(Buffer.from(`2026-11-01T09:07:00.123+09:00_${idOf(7)}`).toString("base64url"))).toBeNull();
  });
});

describe("getIncident", () => {
  it("returns the incident with its history", async () => {
    const incidents = store(2);
    const result = await getIncident(incidents, idOf(2));
    expect(result.ok && [result.value.id, result.value.events.length]).toEqual([idOf(2), 1]);
  });

  it("answers INCIDENT_NOT_FOUND for an unknown id, or one that is no UUID", async () => {
    const incidents = store(1);
    for (const id of [idOf(9), "42", ""]) {
      const result = await getIncident(incidents, id);
      expect(result.ok ? "found" : result.error.code).toBe("WAIVER.INCIDENT_NOT_FOUND");
    }
  });
});

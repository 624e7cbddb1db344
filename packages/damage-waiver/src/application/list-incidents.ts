import { err, ok, type Result } from "@carfare/kit";
import { INCIDENT_STATUSES, type Incident, type IncidentStatus } from "../domain/incident.js";
import { parseRfc3339 } from "../domain/policy-rules.js";
import { InvalidRequestError } from "../domain/waiver-errors.js";
import type { IncidentQuery, IncidentRepository } from "./ports.js";
import { identifier, integerIn, isUuid, oneOf, refusal } from "./request-checks.js";

/** Incidents per page when the caller gives no limit, and the most a caller may ask for (spec §5). */
export const DEFAULT_INCIDENT_PAGE_SIZE = 50;
/** See DEFAULT_INCIDENT_PAGE_SIZE. */
export const MAX_INCIDENT_PAGE_SIZE = 200;

/** The filters and page of `GET /v1/incidents`; an empty text parameter counts as not given. */
export interface ListIncidentsQuery {
  readonly rentalId?: string;
  readonly status?: string;
  readonly limit?: number;
  /** The `nextCursor` of the page before. */
  readonly cursor?: string;
}

export interface IncidentPage {
  readonly items: readonly Incident[];
  /** Present when more incidents follow: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

/**
 * Lists incidents newest `reportedAt` first, optionally of one rental or status, a page at a time. The
 * cursor is opaque to callers; it holds the position (reportedAt, id) of the last incident of the page.
 */
export async function listIncidents(
  incidents: IncidentRepository,
  query: ListIncidentsQuery,
): Promise<Result<IncidentPage, InvalidRequestError>> {
  const rentalId = given(query.rentalId);
  const status = given(query.status);
  const cursor = given(query.cursor);
  const limit = query.limit ?? DEFAULT_INCIDENT_PAGE_SIZE;
  const invalid = refusal([
    rentalId === undefined ? undefined : identifier("rentalId", rentalId),
    status === undefined ? undefined : oneOf("status", status, INCIDENT_STATUSES),
    integerIn("limit", limit, 1, MAX_INCIDENT_PAGE_SIZE),
  ]);
  if (invalid !== undefined) return err(invalid);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null) {
    return err(
      new InvalidRequestError("cursor is not one this service gave out; use the nextCursor of the page before", [
        { field: "cursor", message: "not a valid cursor" },
      ]),
    );
  }
  const request: IncidentQuery = {
    ...(rentalId === undefined ? {} : { rentalId }),
    ...(status === undefined ? {} : { status: status as IncidentStatus }),
    // One more than the page, to learn whether another page follows without a second query.
    limit: limit + 1,
    ...(after === undefined ? {} : { after }),
  };
  const found = await incidents.list(request);
  const items = found.slice(0, limit);
  const last = items[items.length - 1];
  return ok(found.length > limit && last !== undefined ? { items, nextCursor: encodeCursor(last) } : { items });
}

function given(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** base64url of `<reportedAt ISO>_<id>`: opaque to callers, readable by us. */
export function encodeCursor(incident: Pick<Incident, "reportedAt" | "id">): string {
  return Buffer.from(`${incident.reportedAt.toISOString()}_${incident.id}`, "utf8").toString("base64url");
}

/** The position a cursor holds, or null when it is not a cursor we made. */
export function decodeCursor(cursor: string): { reportedAt: Date; id: string } | null {
  // Node's base64 decoder skips characters it does not know; refusing them here keeps cursors exact.
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_(.+)$/.exec(text);
  if (match === null) return null;
  const iso = match[1] as string;
  const id = match[2] as string;
  const millis = parseRfc3339(iso);
  if (millis === undefined || !isUuid(id)) return null;
  const position = { reportedAt: new Date(millis), id };
  // Only the exact text we would have made: no second spelling of the same position.
  return encodeCursor(position) === cursor ? position : null;
}

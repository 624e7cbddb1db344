import { err, ok, type Result } from "@carfare/kit";
import type { Incident } from "../domain/incident.js";
import { IncidentNotFoundError, InvalidRequestError, VersionMismatchError } from "../domain/waiver-errors.js";
import type { IncidentRepository } from "./ports.js";
import { isUuid } from "./request-checks.js";

/** How often a change without If-Match is retried on fresh state after losing a race, before giving up. */
export const MAX_UPDATE_ATTEMPTS = 5;

/** What a guarded update itself may refuse, besides the transition's own refusals. */
export type UpdateRefusal = InvalidRequestError | IncidentNotFoundError | VersionMismatchError;

/**
 * Applies `transition` to the stored incident and stores the result, guarded by the incident's version
 * (spec §5, concurrency). With `expectedVersion` (the caller's If-Match) a stale version, or a concurrent
 * change that wins the race, is VERSION_MISMATCH and nothing changes. Without it, a lost race is retried on
 * the fresh state, because the caller asked for the change whatever the version; the transition then judges
 * the new state (and may refuse it, e.g. as an illegal transition).
 */
export async function updateIncident<E>(
  incidents: IncidentRepository,
  incidentId: string,
  expectedVersion: number | undefined,
  transition: (incident: Incident) => Result<Incident, E> | Promise<Result<Incident, E>>,
): Promise<Result<Incident, E | UpdateRefusal>> {
  if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 1)) {
    return err(
      new InvalidRequestError(`If-Match must name a version (a whole number from 1), got ${expectedVersion}`, [
        { field: "If-Match", message: "not a version" },
      ]),
    );
  }
  for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
    const incident = await readIncident(incidents, incidentId);
    if (incident === undefined) return err(notFound(incidentId));
    if (expectedVersion !== undefined && incident.version !== expectedVersion) {
      return err(mismatch(incident, expectedVersion));
    }
    const next = await transition(incident);
    if (!next.ok) return next;
    if (await incidents.update(next.value, incident.version)) return ok(next.value);
    if (expectedVersion !== undefined) {
      // Re-read so that the refusal names the version that won.
      const now = await incidents.get(incidentId);
      return err(now === undefined ? notFound(incidentId) : mismatch(now, expectedVersion));
    }
  }
  return err(
    new VersionMismatchError(
      `incident ${incidentId} kept changing while this change was applied (${MAX_UPDATE_ATTEMPTS} attempts); try again`,
      [{ field: "If-Match", message: "the incident changed concurrently" }],
    ),
  );
}

/** The incident with this id; an id that is not a UUID names none. */
export async function readIncident(incidents: IncidentRepository, incidentId: string): Promise<Incident | undefined> {
  return isUuid(incidentId) ? incidents.get(incidentId) : undefined;
}

/** The refusal for an incident id that names none. */
export function notFound(incidentId: string): IncidentNotFoundError {
  return new IncidentNotFoundError(`incident ${incidentId} does not exist`, [{ field: "id", message: "not found" }]);
}

function mismatch(incident: Incident, expectedVersion: number): VersionMismatchError {
  return new VersionMismatchError(
    `incident ${incident.id} is at version ${incident.version}, not ${expectedVersion}: reload it and decide again`,
    [{ field: "If-Match", message: `stale: the incident is at version ${incident.version}` }],
  );
}

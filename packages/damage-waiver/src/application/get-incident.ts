import { err, ok, type Result } from "@carfare/kit";
import type { Incident } from "../domain/incident.js";
import type { IncidentNotFoundError } from "../domain/waiver-errors.js";
import { notFound, readIncident } from "./incident-updates.js";
import type { IncidentRepository } from "./ports.js";

/** One incident with its history; its version is the ETag. An unknown id (or one that is no UUID) is INCIDENT_NOT_FOUND. */
export async function getIncident(
  incidents: IncidentRepository,
  incidentId: string,
): Promise<Result<Incident, IncidentNotFoundError>> {
  const incident = await readIncident(incidents, incidentId);
  return incident === undefined ? err(notFound(incidentId)) : ok(incident);
}

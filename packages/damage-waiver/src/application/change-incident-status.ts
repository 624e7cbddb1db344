import { err, type Result } from "@carfare/kit";
import type { Incident } from "../domain/incident.js";
import { changeIncident, type IncidentChange } from "../domain/incident-lifecycle.js";
import type {
  IllegalTransitionError,
  IncidentNotFoundError,
  InvalidRequestError,
  ResolutionAboveChargeError,
  VersionMismatchError,
} from "../domain/waiver-errors.js";
import { updateIncident } from "./incident-updates.js";
import type { Clock, IncidentRepository } from "./ports.js";
import { amount, type Check, freeText, refusal } from "./request-checks.js";

/** A change of status after assessment: charge, settle, dispute, resolve or cancel (spec §5). */
export type StatusChange = Exclude<IncidentChange, { readonly action: "assess" }>;

export interface ChangeIncidentStatusDeps {
  readonly incidents: IncidentRepository;
  readonly clock: Clock;
}

export interface ChangeIncidentStatusCommand {
  readonly incidentId: string;
  readonly change: StatusChange;
  /** The caller's If-Match: the version the caller saw; a stale one is VERSION_MISMATCH. */
  readonly expectedVersion?: number;
  /** The name of the caller's token, or `anonymous`. */
  readonly actor: string;
}

export type ChangeIncidentStatusRefusal =
  | InvalidRequestError
  | IncidentNotFoundError
  | VersionMismatchError
  | IllegalTransitionError
  | ResolutionAboveChargeError;

/**
 * Status-change use case (spec §4): charges (freezing the owed amount), settles, disputes, resolves or
 * cancels an incident, appending the event; an illegal transition changes nothing.
 */
export async function changeIncidentStatus(
  deps: ChangeIncidentStatusDeps,
  command: ChangeIncidentStatusCommand,
): Promise<Result<Incident, ChangeIncidentStatusRefusal>> {
  const { change } = command;
  const invalid = refusal(checksOf(change));
  if (invalid !== undefined) return err(invalid);
  return updateIncident(deps.incidents, command.incidentId, command.expectedVersion, (incident) =>
    changeIncident(incident, change, command.actor, deps.clock.now()),
  );
}

function checksOf(change: StatusChange): Check[] {
  switch (change.action) {
    case "charge":
    case "settle":
      return [];
    case "dispute":
    case "cancel":
      return [freeText("reason", change.reason, true)];
    case "resolve":
      return [change.owed === undefined ? undefined : amount("owed", change.owed), freeText("note", change.note, true)];
  }
}

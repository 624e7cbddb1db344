import { err, ok, type Result } from "@carfare/kit";
import type { Assessment, Incident, IncidentEvent, IncidentStatus, Liability } from "./incident.js";
import { IllegalTransitionError, ResolutionAboveChargeError } from "./waiver-errors.js";
import type { CarClass } from "./waiver-policy.js";

/**
 * The incident lifecycle of spec §4 as pure functions: each takes the incident as it is and returns the next
 * one — status changed, an event appended, version + 1 — or refuses and changes nothing.
 *
 * REPORTED → ASSESSED (again while ASSESSED) → CHARGED → SETTLED | DISPUTED → RESOLVED;
 * REPORTED | ASSESSED → CANCELLED.
 */

/** The booking's snapshot an incident is created from, once its policy version and product were checked. */
export interface IncidentSnapshot {
  readonly id: string;
  readonly rentalId: string;
  readonly market: string;
  readonly carClass: CarClass;
  readonly dailyRate: number;
  readonly productCode: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly occurredAt: Date;
  readonly description?: string;
}

/** A change of an incident's state, as one value: what `changeIncident` applies. */
export type IncidentChange =
  | { readonly action: "assess"; readonly assessment: Assessment; readonly liability: Liability }
  | { readonly action: "charge" }
  | { readonly action: "settle" }
  | { readonly action: "dispute"; readonly reason: string }
  | { readonly action: "resolve"; readonly owed?: number; readonly note: string }
  | { readonly action: "cancel"; readonly reason: string };

export type IncidentAction = IncidentChange["action"];

/** For each action, the statuses it may start from and the status it leads to. */
export const TRANSITIONS: Readonly<
  Record<IncidentAction, { readonly from: readonly IncidentStatus[]; readonly to: IncidentStatus }>
> = {
  assess: { from: ["REPORTED", "ASSESSED"], to: "ASSESSED" },
  charge: { from: ["ASSESSED"], to: "CHARGED" },
  settle: { from: ["CHARGED"], to: "SETTLED" },
  dispute: { from: ["CHARGED"], to: "DISPUTED" },
  resolve: { from: ["DISPUTED"], to: "RESOLVED" },
  cancel: { from: ["REPORTED", "ASSESSED"], to: "CANCELLED" },
};

export type TransitionRefusal = IllegalTransitionError | ResolutionAboveChargeError;

/** A new incident at version 1, REPORTED, its history opened by a REPORTED event carrying the snapshot. */
export function reportIncident(snapshot: IncidentSnapshot, actor: string, at: Date): Incident {
  const { description } = snapshot;
  const withDescription = description === undefined ? {} : { description };
  const booking = {
    rentalId: snapshot.rentalId,
    market: snapshot.market,
    carClass: snapshot.carClass,
    dailyRate: snapshot.dailyRate,
    productCode: snapshot.productCode,
    policyId: snapshot.policyId,
    policyVersion: snapshot.policyVersion,
  };
  return {
    id: snapshot.id,
    ...booking,
    status: "REPORTED",
    occurredAt: snapshot.occurredAt,
    reportedAt: at,
    ...withDescription,
    version: 1,
    events: [
      event(at, "REPORTED", actor, { ...booking, occurredAt: snapshot.occurredAt.toISOString(), ...withDescription }),
    ],
  };
}

/**
 * Records the assessment and the liability computed from it; a re-assessment while ASSESSED replaces both
 * and appends another ASSESSED event.
 */
export function assess(
  incident: Incident,
  input: { readonly assessment: Assessment; readonly liability: Liability },
  actor: string,
  at: Date,
): Result<Incident, IllegalTransitionError> {
  const { assessment, liability } = input;
  return move(incident, "assess", actor, at, { assessment, liability }, { assessment, liability });
}

/** Charges the customer: freezes `charged` at the liability's owed amount. */
export function charge(incident: Incident, actor: string, at: Date): Result<Incident, IllegalTransitionError> {
  // Only an ASSESSED incident may be charged, and every ASSESSED incident has a liability; move refuses the rest.
  const charged = incident.liability?.owed ?? 0;
  return move(incident, "charge", actor, at, { charged }, { charged });
}

/** The customer paid what was charged. */
export function settle(incident: Incident, actor: string, at: Date): Result<Incident, IllegalTransitionError> {
  return move(incident, "settle", actor, at, {}, {});
}

/** The customer disputes the charge. */
export function dispute(
  incident: Incident,
  input: { readonly reason: string },
  actor: string,
  at: Date,
): Result<Incident, IllegalTransitionError> {
  return move(incident, "dispute", actor, at, {}, { reason: input.reason });
}

/**
 * Closes a dispute with what the customer owes in the end: at most what was charged (default: all of it).
 * The liability stays as assessed.
 */
export function resolve(
  incident: Incident,
  input: { readonly owed?: number; readonly note: string },
  actor: string,
  at: Date,
): Result<Incident, TransitionRefusal> {
  const illegal = refusal(incident, "resolve");
  if (illegal !== undefined) return err(illegal);
  const charged = incident.charged;
  if (charged === undefined) throw new Error(`incident ${incident.id} is DISPUTED but was never charged`);
  const owed = input.owed ?? charged;
  if (owed > charged) {
    return err(
      new ResolutionAboveChargeError(`a resolution may not ask for more than was charged (${charged}), got ${owed}`, [
        { field: "owed", message: `must not be greater than the charged ${charged}` },
      ]),
    );
  }
  const resolution = { owed, note: input.note };
  return move(incident, "resolve", actor, at, { resolution }, resolution);
}

/** Drops an incident before it is charged. */
export function cancel(
  incident: Incident,
  input: { readonly reason: string },
  actor: string,
  at: Date,
): Result<Incident, IllegalTransitionError> {
  return move(incident, "cancel", actor, at, {}, { reason: input.reason });
}

/** Applies any change: the single entry point for callers that hold a change as a value. */
export function changeIncident(
  incident: Incident,
  change: IncidentChange,
  actor: string,
  at: Date,
): Result<Incident, TransitionRefusal> {
  switch (change.action) {
    case "assess":
      return assess(incident, change, actor, at);
    case "charge":
      return charge(incident, actor, at);
    case "settle":
      return settle(incident, actor, at);
    case "dispute":
      return dispute(incident, change, actor, at);
    case "resolve":
      return resolve(incident, change, actor, at);
    case "cancel":
      return cancel(incident, change, actor, at);
  }
}

function refusal(incident: Incident, action: IncidentAction): IllegalTransitionError | undefined {
  const { from, to } = TRANSITIONS[action];
  if (from.includes(incident.status)) return undefined;
  return new IllegalTransitionError(
    `cannot ${action} incident ${incident.id}: it is ${incident.status}, and only an incident that is ${from.join(" or ")} can become ${to}`,
    [{ field: "status", message: `${incident.status} cannot become ${to}` }],
  );
}

function move(
  incident: Incident,
  action: IncidentAction,
  actor: string,
  at: Date,
  changes: Partial<Pick<Incident, "assessment" | "liability" | "charged" | "resolution">>,
  data: Record<string, unknown>,
): Result<Incident, IllegalTransitionError> {
  const illegal = refusal(incident, action);
  if (illegal !== undefined) return err(illegal);
  const status = TRANSITIONS[action].to;
  return ok({
    ...incident,
    ...changes,
    status,
    version: incident.version + 1,
    events: [...incident.events, event(at, status, actor, data)],
  });
}

function event(at: Date, type: IncidentStatus, actor: string, data: Record<string, unknown>): IncidentEvent {
  return { at, type, actor, data };
}

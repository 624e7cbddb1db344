import { err, type Result } from "@carfare/kit";
import type { Assessment, Incident } from "../domain/incident.js";
import { assess } from "../domain/incident-lifecycle.js";
import { checkAssessment, computeLiability } from "../domain/liability.js";
import {
  type IllegalTransitionError,
  type IncidentNotFoundError,
  InvalidRequestError,
  type VersionMismatchError,
} from "../domain/waiver-errors.js";
import { findProduct } from "../domain/waiver-policy.js";
import { updateIncident } from "./incident-updates.js";
import { findPolicy, type PolicySource } from "./policy-lookup.js";
import type { Clock, IncidentRepository } from "./ports.js";

export interface AssessIncidentDeps extends PolicySource {
  readonly incidents: IncidentRepository;
  readonly clock: Clock;
}

export interface AssessIncidentCommand {
  readonly incidentId: string;
  readonly assessment: Assessment;
  /** The caller's If-Match: the version the caller saw; a stale one is VERSION_MISMATCH. */
  readonly expectedVersion?: number;
  /** The name of the caller's token, or `anonymous`. */
  readonly actor: string;
}

/**
 * Assessment use case (spec §3, §4): computes the liability under the incident's own policy version and
 * product (the booking's snapshot) and records both, moving the incident to ASSESSED — or replacing an
 * earlier assessment while it is still ASSESSED.
 */
export async function assessIncident(
  deps: AssessIncidentDeps,
  command: AssessIncidentCommand,
): Promise<
  Result<Incident, InvalidRequestError | IncidentNotFoundError | VersionMismatchError | IllegalTransitionError>
> {
  const { assessment } = command;
  const issues = checkAssessment(assessment);
  const [first] = issues;
  if (first !== undefined) {
    return err(new InvalidRequestError(`the assessment is invalid: ${first.field} ${first.message}`, issues));
  }
  return updateIncident(deps.incidents, command.incidentId, command.expectedVersion, async (incident) => {
    const policy = await findPolicy(deps, (catalog) => catalog.version(incident.policyId, incident.policyVersion));
    // An incident is only created against a version that exists and holds its product, and versions are
    // never removed: missing either is a broken database, not a refusal.
    if (policy === undefined) {
      throw new Error(
        `incident ${incident.id}: waiver policy ${incident.policyId} v${incident.policyVersion} is unknown`,
      );
    }
    const product = findProduct(policy.document, incident.productCode);
    if (product === undefined) {
      throw new Error(`incident ${incident.id}: product ${incident.productCode} is not in its policy version`);
    }
    const liability = computeLiability(policy.document, product, incident.dailyRate, assessment);
    const copied: Assessment = { ...assessment, exclusions: [...assessment.exclusions] };
    return assess(incident, { assessment: copied, liability }, command.actor, deps.clock.now());
  });
}

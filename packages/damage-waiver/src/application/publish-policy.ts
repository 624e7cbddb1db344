import { err, ok, type Result } from "@carfare/kit";
import { type InvalidPolicyError, PolicyMarketTakenError } from "../domain/waiver-errors.js";
import type { PolicyCatalog } from "./policy-catalog.js";
import type { Clock, PublishedPolicy, WaiverPolicyRepository } from "./ports.js";
import { readPolicyDocument } from "./read-policy-document.js";

export interface PublishPolicyDeps {
  readonly policies: WaiverPolicyRepository;
  readonly catalog: PolicyCatalog;
  readonly clock: Clock;
}

export interface PublishPolicyOutcome {
  readonly policy: PublishedPolicy;
  /** False when the document equalled the newest version and nothing was created. */
  readonly created: boolean;
}

/**
 * Publish use case (spec §1): validates the document (YAML or JSON text), stores it as the next immutable
 * version and makes it visible to this process at once (other processes see it on their next refresh).
 */
export async function publishPolicy(
  deps: PublishPolicyDeps,
  text: string,
  publishedBy: string,
): Promise<Result<PublishPolicyOutcome, InvalidPolicyError | PolicyMarketTakenError>> {
  const now = deps.clock.now();
  const document = readPolicyDocument(text, now);
  if (!document.ok) return document;
  const { id, market } = document.value;
  const outcome = await deps.policies.publish(document.value, publishedBy, now);
  if (outcome.kind === "market-taken") {
    const field = outcome.heldBy === id ? "id" : "market";
    return err(
      new PolicyMarketTakenError(
        field === "market"
          ? `market "${market}" already belongs to waiver policy ${outcome.heldBy}`
          : `waiver policy ${id} already serves another market than "${market}"`,
        [{ field, message: `held by ${outcome.heldBy}` }],
      ),
    );
  }
  deps.catalog.add([outcome.policy]);
  return ok({ policy: outcome.policy, created: outcome.kind === "created" });
}

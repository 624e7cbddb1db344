import { err, ok, type Result } from "@carfare/kit";
import { PolicyNotFoundError } from "../domain/waiver-errors.js";
import type { PolicyCatalog } from "./policy-catalog.js";
import type { PublishedPolicy } from "./ports.js";

/** Every version of a waiver policy, oldest first; an unknown id is POLICY_NOT_FOUND. */
export function listPolicyVersions(
  catalog: PolicyCatalog,
  policyId: string,
): Result<readonly PublishedPolicy[], PolicyNotFoundError> {
  const versions = catalog.versionsOf(policyId);
  if (versions.length === 0) {
    return err(
      new PolicyNotFoundError(`waiver policy "${policyId}" does not exist`, [
        { field: "policyId", message: "not found" },
      ]),
    );
  }
  return ok(versions);
}

/** One version of a waiver policy, with its document; an unknown id or version is POLICY_NOT_FOUND. */
export function getPolicyVersion(
  catalog: PolicyCatalog,
  policyId: string,
  version: number,
): Result<PublishedPolicy, PolicyNotFoundError> {
  const published = catalog.version(policyId, version);
  if (published === undefined) {
    const known = catalog.versionsOf(policyId).length > 0;
    return err(
      new PolicyNotFoundError(
        known ? `waiver policy "${policyId}" has no version ${version}` : `waiver policy "${policyId}" does not exist`,
        [{ field: known ? "version" : "policyId", message: "not found" }],
      ),
    );
  }
  return ok(published);
}

import { readFileSync } from "node:fs";
import type { PublishedPolicy } from "../../src/application/ports.js";
import { readPolicyDocument } from "../../src/application/read-policy-document.js";
import type { WaiverPolicyDocument, WaiverProduct } from "../../src/domain/waiver-policy.js";

const fixture = new URL("../fixtures/reference-policy.yaml", import.meta.url);

/** The text of the reference policy of spec §1, as its author wrote it. */
export const referencePolicyText = readFileSync(fixture, "utf8");

/** The reference policy of spec §1, read by the real document reader. */
export function referencePolicy(): WaiverPolicyDocument {
  const read = readPolicyDocument(referencePolicyText, new Date("2026-01-01T00:00:00Z"));
  if (!read.ok) throw new Error(`the reference policy no longer reads: ${read.error.message}`);
  return read.value;
}

/** The reference policy with some fields replaced: `aPolicy({ youngDriver: undefined })`. */
export function aPolicy(overrides: Partial<WaiverPolicyDocument> = {}): WaiverPolicyDocument {
  return { ...referencePolicy(), ...overrides };
}

/** The product of the reference policy (or of `document`) with this code. */
export function productOf(code: string, document: WaiverPolicyDocument = referencePolicy()): WaiverProduct {
  const product = document.products.find((p) => p.code === code);
  if (product === undefined) throw new Error(`no product ${code} in ${document.id}`);
  return product;
}

/** A published version of `document`, effective (and published) at `effectiveFrom`. */
export function published(
  document: WaiverPolicyDocument = referencePolicy(),
  version = 1,
  effectiveFrom = new Date("2026-01-01T00:00:00Z"),
): PublishedPolicy {
  return {
    policyId: document.id,
    version,
    market: document.market,
    document,
    publishedAt: effectiveFrom,
    publishedBy: "test",
    effectiveFrom,
  };
}

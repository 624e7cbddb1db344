import { VersionTimeline } from "@carfare/kit";
import type { PublishedPolicy } from "./ports.js";

/**
 * Every published waiver policy version, held in memory so that a waiver quote never waits on the database.
 * Which version is in effect (spec §1, as for tariffs) is kit's VersionTimeline rule.
 */
export class PolicyCatalog extends VersionTimeline<PublishedPolicy> {
  constructor() {
    super((p) => ({ id: p.policyId, version: p.version, market: p.market, effectiveFrom: p.effectiveFrom }));
  }

  /** The ids of every policy held, sorted. */
  policyIds(): string[] {
    return this.ids();
  }
}

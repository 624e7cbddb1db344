import type { PublishedPolicy } from "./ports.js";

/**
 * Every published waiver policy version, held in memory so that a waiver quote never waits on the database.
 * Versions are immutable, so an entry, once added, never changes; only new ones arrive.
 */
export class PolicyCatalog {
  private readonly byMarket = new Map<string, PublishedPolicy[]>();
  private readonly byPolicyId = new Map<string, PublishedPolicy[]>();

  /** Adds versions not yet known (already-known ones are skipped, so reloading is harmless). */
  add(versions: readonly PublishedPolicy[]): void {
    for (const published of versions) {
      const versionsOfId = this.byPolicyId.get(published.policyId) ?? [];
      if (versionsOfId.some((p) => p.version === published.version)) continue;
      versionsOfId.push(published);
      versionsOfId.sort((a, b) => a.version - b.version);
      this.byPolicyId.set(published.policyId, versionsOfId);

      const versionsOfMarket = this.byMarket.get(published.market) ?? [];
      versionsOfMarket.push(published);
      // Ordered so that the last entry with effectiveFrom ≤ t is the one in effect at t (latest
      // effectiveFrom, ties to the higher version).
      versionsOfMarket.sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.version - b.version);
      this.byMarket.set(published.market, versionsOfMarket);
    }
  }

  /** The version in effect for `market` at `at`, if any. */
  inEffect(market: string, at: Date): PublishedPolicy | undefined {
    const versions = this.byMarket.get(market);
    if (versions === undefined) return undefined;
    const t = at.getTime();
    for (let i = versions.length - 1; i >= 0; i--) {
      const published = versions[i] as PublishedPolicy;
      if (published.effectiveFrom.getTime() <= t) return published;
    }
    return undefined;
  }

  /** Version `version` of the policy that holds `market`, if it exists. */
  versionOfMarket(market: string, version: number): PublishedPolicy | undefined {
    return this.byMarket.get(market)?.find((p) => p.version === version);
  }

  /** Version `version` of policy `policyId`, if it exists. */
  version(policyId: string, version: number): PublishedPolicy | undefined {
    return this.byPolicyId.get(policyId)?.find((p) => p.version === version);
  }

  /** Every version of a policy, oldest first (empty for an unknown id). */
  versionsOf(policyId: string): readonly PublishedPolicy[] {
    return this.byPolicyId.get(policyId) ?? [];
  }

  /** The ids of every policy held, sorted. */
  policyIds(): string[] {
    return [...this.byPolicyId.keys()].sort();
  }
}

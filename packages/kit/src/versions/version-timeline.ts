/** What the timeline needs to know of a published version. */
export interface VersionKey {
  /** The document's id (a tariff id, a policy id). */
  readonly id: string;
  readonly version: number;
  readonly market: string;
  /** From when the version may be used. */
  readonly effectiveFrom: Date;
}

/**
 * The published versions of market documents (tariffs, waiver policies), held in memory, with the rule that
 * says which one is in effect: among the versions of a market whose `effectiveFrom` is at or before t, the
 * one with the latest `effectiveFrom`, ties going to the higher version. Versions are immutable, so an entry
 * once added never changes; adding a known version again is a no-op, which makes reloads harmless.
 */
export class VersionTimeline<E> {
  private readonly byMarket = new Map<string, E[]>();
  private readonly byId = new Map<string, E[]>();

  constructor(private readonly keyOf: (entry: E) => VersionKey) {}

  /** Adds the entries not yet known and returns them. */
  add(entries: readonly E[]): E[] {
    const added: E[] = [];
    for (const entry of entries) {
      const key = this.keyOf(entry);
      if (this.has(key.id, key.version)) continue;
      const ofId = this.byId.get(key.id) ?? [];
      ofId.push(entry);
      ofId.sort((a, b) => this.keyOf(a).version - this.keyOf(b).version);
      this.byId.set(key.id, ofId);
      const ofMarket = this.byMarket.get(key.market) ?? [];
      ofMarket.push(entry);
      // Ordered so that the last entry with effectiveFrom ≤ t is the one in effect at t.
      ofMarket.sort((a, b) => {
        const [ka, kb] = [this.keyOf(a), this.keyOf(b)];
        return ka.effectiveFrom.getTime() - kb.effectiveFrom.getTime() || ka.version - kb.version;
      });
      this.byMarket.set(key.market, ofMarket);
      added.push(entry);
    }
    return added;
  }

  has(id: string, version: number): boolean {
    return this.version(id, version) !== undefined;
  }

  /** The version in effect for `market` at `at`, if any. */
  inEffect(market: string, at: Date): E | undefined {
    const entries = this.byMarket.get(market);
    if (entries === undefined) return undefined;
    const t = at.getTime();
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as E;
      if (this.keyOf(entry).effectiveFrom.getTime() <= t) return entry;
    }
    return undefined;
  }

  version(id: string, version: number): E | undefined {
    return this.byId.get(id)?.find((e) => this.keyOf(e).version === version);
  }

  /** Version `version` of the document that holds `market`, if it exists. */
  versionOfMarket(market: string, version: number): E | undefined {
    return this.byMarket.get(market)?.find((e) => this.keyOf(e).version === version);
  }

  /** The newest version of the document holding `market`, in effect or scheduled. */
  newestOfMarket(market: string): E | undefined {
    let newest: E | undefined;
    for (const entry of this.byMarket.get(market) ?? []) {
      if (newest === undefined || this.keyOf(entry).version > this.keyOf(newest).version) newest = entry;
    }
    return newest;
  }

  /** Every version of a document, oldest first (empty for an unknown id). */
  versionsOf(id: string): readonly E[] {
    return this.byId.get(id) ?? [];
  }

  /** The ids of every document held, sorted. */
  ids(): string[] {
    return [...this.byId.keys()].sort();
  }
}

import { type CompiledTariff, compileTariff } from "../domain/compiled-tariff.js";
import type { PublishedTariff } from "./ports.js";

/** A published version with its compiled pricing tables. */
export interface CatalogEntry {
  readonly published: PublishedTariff;
  readonly tariff: CompiledTariff;
}

/**
 * Every published tariff version, compiled and held in memory so that pricing never waits on the
 * database. Versions are immutable, so an entry, once added, never changes; only new ones arrive.
 */
export class TariffCatalog {
  private readonly byMarket = new Map<string, CatalogEntry[]>();
  private readonly byTariffId = new Map<string, CatalogEntry[]>();

  /** Adds versions not yet known (already-known ones are skipped, so reloading is harmless). */
  add(versions: readonly PublishedTariff[]): void {
    for (const published of versions) {
      const versionsOfId = this.byTariffId.get(published.tariffId) ?? [];
      if (versionsOfId.some((e) => e.published.version === published.version)) continue;
      const entry: CatalogEntry = { published, tariff: compileTariff(published.document) };
      versionsOfId.push(entry);
      versionsOfId.sort((a, b) => a.published.version - b.published.version);
      this.byTariffId.set(published.tariffId, versionsOfId);

      const versionsOfMarket = this.byMarket.get(published.market) ?? [];
      versionsOfMarket.push(entry);
      // Ordered so that the last entry with effectiveFrom ≤ t is the one in effect at t (spec §2: latest
      // effectiveFrom, ties to the higher version).
      versionsOfMarket.sort(
        (a, b) =>
          a.published.effectiveFrom.getTime() - b.published.effectiveFrom.getTime() ||
          a.published.version - b.published.version,
      );
      this.byMarket.set(published.market, versionsOfMarket);
    }
  }

  /** The version in effect for `market` at `at`, if any. */
  inEffect(market: string, at: Date): CatalogEntry | undefined {
    const entries = this.byMarket.get(market);
    if (entries === undefined) return undefined;
    const t = at.getTime();
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as CatalogEntry;
      if (entry.published.effectiveFrom.getTime() <= t) return entry;
    }
    return undefined;
  }

  version(tariffId: string, version: number): CatalogEntry | undefined {
    return this.byTariffId.get(tariffId)?.find((e) => e.published.version === version);
  }

  /** The newest version of the tariff holding `market`, in effect or scheduled. */
  newestOfMarket(market: string): CatalogEntry | undefined {
    const entries = this.byMarket.get(market);
    if (entries === undefined) return undefined;
    return entries.reduce<CatalogEntry | undefined>(
      (best, e) => (best === undefined || e.published.version > best.published.version ? e : best),
      undefined,
    );
  }

  versionsOf(tariffId: string): readonly CatalogEntry[] {
    return this.byTariffId.get(tariffId) ?? [];
  }

  tariffIds(): string[] {
    return [...this.byTariffId.keys()].sort();
  }
}

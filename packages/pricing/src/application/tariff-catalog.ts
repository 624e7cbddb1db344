import { VersionTimeline } from "@carfare/kit";
import { type CompiledTariff, compileTariff } from "../domain/compiled-tariff.js";
import type { PublishedTariff } from "./ports.js";

/** A published version with its compiled pricing tables. */
export interface CatalogEntry {
  readonly published: PublishedTariff;
  readonly tariff: CompiledTariff;
}

/**
 * Every published tariff version, compiled and held in memory so that pricing never waits on the database.
 * Which version is in effect (spec §2) is kit's VersionTimeline rule; a version is compiled once, when added.
 */
export class TariffCatalog {
  private readonly timeline = new VersionTimeline<CatalogEntry>(({ published: p }) => ({
    id: p.tariffId,
    version: p.version,
    market: p.market,
    effectiveFrom: p.effectiveFrom,
  }));

  /** Adds the versions not yet known (reloading is harmless). */
  add(versions: readonly PublishedTariff[]): void {
    const fresh = versions.filter((p) => !this.timeline.has(p.tariffId, p.version));
    this.timeline.add(fresh.map((published) => ({ published, tariff: compileTariff(published.document) })));
  }

  /** The version in effect for `market` at `at`, if any. */
  inEffect(market: string, at: Date): CatalogEntry | undefined {
    return this.timeline.inEffect(market, at);
  }

  version(tariffId: string, version: number): CatalogEntry | undefined {
    return this.timeline.version(tariffId, version);
  }

  /** The newest version of the tariff holding `market`, in effect or scheduled. */
  newestOfMarket(market: string): CatalogEntry | undefined {
    return this.timeline.newestOfMarket(market);
  }

  versionsOf(tariffId: string): readonly CatalogEntry[] {
    return this.timeline.versionsOf(tariffId);
  }

  tariffIds(): string[] {
    return this.timeline.ids();
  }
}

import { advisoryLockKey, type Database, queryRows, sha256OfCanonicalJson } from "@carfare/kit";
import { asc, desc, eq, gt, or, sql } from "drizzle-orm";
import type { PublishedTariff, PublishOutcome, TariffRepository } from "../../application/ports.js";
import { InvalidTariffError } from "../../domain/pricing-errors.js";
import type { TariffDocument } from "../../domain/tariff.js";
import {
  type NewTariffCarModelRow,
  type TariffVersionRow,
  tariffCarModels,
  tariffs,
  tariffVersions,
} from "./tariff.table.js";

/** Serialises every publication, so versions are numbered without gaps and `seq` grows in commit order. */
const PUBLISH_LOCK = advisoryLockKey("carfare.pricing.publish-tariff");

/**
 * Tariff versions in `pricing.tariffs`, `pricing.tariff_versions` and `pricing.tariff_car_models`.
 *
 * Publications take a transaction-scoped advisory lock: two publishes never interleave, so version numbers
 * are consecutive, the market rule holds without races, and `seq` values become visible in increasing order
 * (a poller that has seen seq n never later finds a smaller one appearing).
 */
export class PostgresTariffRepository implements TariffRepository {
  constructor(private readonly db: Database) {}

  /**
   * Publishes `document` as the next version of its tariff id, in one transaction.
   * Throws `InvalidTariffError` when the id already holds another market (an id keeps its market).
   */
  async publish(document: TariffDocument, publishedBy: string, publishedAt: Date): Promise<PublishOutcome> {
    const documentSha256 = sha256OfCanonicalJson(document);
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${PUBLISH_LOCK}::bigint)`);

      const holders = await tx
        .select()
        .from(tariffs)
        .where(or(eq(tariffs.market, document.market), eq(tariffs.tariffId, document.id)));
      const marketHolder = holders.find((row) => row.market === document.market);
      if (marketHolder !== undefined && marketHolder.tariffId !== document.id) {
        return { kind: "market-taken", heldBy: marketHolder.tariffId };
      }
      const own = holders.find((row) => row.tariffId === document.id);
      if (own !== undefined && own.market !== document.market) {
        throw new InvalidTariffError(
          `tariff ${document.id} prices market ${own.market}; publish market ${document.market} under a new id`,
          [{ field: "market", message: `must be ${own.market}, the market of tariff ${document.id}` }],
        );
      }
      if (own === undefined) {
        await tx.insert(tariffs).values({ tariffId: document.id, market: document.market });
      }

      const [newest] = await tx
        .select()
        .from(tariffVersions)
        .where(eq(tariffVersions.tariffId, document.id))
        .orderBy(desc(tariffVersions.version))
        .limit(1);
      if (newest !== undefined && newest.documentSha256 === documentSha256) {
        return { kind: "unchanged", tariff: rowToPublishedTariff(newest) };
      }

      const version = (newest?.version ?? 0) + 1;
      const [created] = await tx
        .insert(tariffVersions)
        .values({
          tariffId: document.id,
          version,
          market: document.market,
          currency: document.currency,
          timeZone: document.timeZone,
          document,
          documentSha256,
          publishedAt,
          publishedBy,
          effectiveFrom: document.effectiveFrom === undefined ? publishedAt : new Date(document.effectiveFrom),
        })
        .returning();
      await tx.insert(tariffCarModels).values(carModelRows(document, version));
      if (created === undefined) throw new Error("INSERT … RETURNING gave no row");
      return { kind: "created", tariff: rowToPublishedTariff(created) };
    });
  }

  async listAll(): Promise<PublishedTariff[]> {
    const rows = await this.db.select().from(tariffVersions).orderBy(asc(tariffVersions.seq));
    return rows.map(rowToPublishedTariff);
  }

  async listSince(marker: string): Promise<PublishedTariff[]> {
    const rows = await this.db
      .select()
      .from(tariffVersions)
      .where(gt(tariffVersions.seq, parseMarker(marker)))
      .orderBy(asc(tariffVersions.seq));
    return rows.map(rowToPublishedTariff);
  }

  /** The highest `seq` (`"0"` before the first publication): one index lookup. */
  async changeMarker(): Promise<string> {
    const [row] = await queryRows<{ marker: string }>(
      this.db,
      sql`SELECT coalesce(max(seq), 0)::text AS marker FROM ${tariffVersions}`,
    );
    return row?.marker ?? "0";
  }
}

function rowToPublishedTariff(row: TariffVersionRow): PublishedTariff {
  return {
    tariffId: row.tariffId,
    version: row.version,
    market: row.market,
    document: row.document,
    publishedAt: row.publishedAt,
    publishedBy: row.publishedBy,
    effectiveFrom: row.effectiveFrom,
  };
}

function carModelRows(document: TariffDocument, version: number): NewTariffCarModelRow[] {
  return document.carModels.map((model) => ({
    tariffId: document.id,
    version,
    carModelId: model.id,
    carModelName: model.name,
    carClass: model.class,
    fuel: model.fuel,
    weekdayDailyRate: model.dailyRate.weekday,
    weekendDailyRate: model.dailyRate.weekend,
    currency: document.currency,
  }));
}

function parseMarker(marker: string): number {
  if (!/^\d{1,15}$/.test(marker)) throw new RangeError(`not a tariff change marker: ${JSON.stringify(marker)}`);
  return Number(marker);
}

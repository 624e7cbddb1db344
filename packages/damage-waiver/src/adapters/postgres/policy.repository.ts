import { advisoryLockKey, type Database, queryRows, sha256OfCanonicalJson } from "@carfare/kit";
import { asc, desc, eq, gt, or, sql } from "drizzle-orm";
import type { PolicyPublishOutcome, PublishedPolicy, WaiverPolicyRepository } from "../../application/ports.js";
import type { WaiverPolicyDocument } from "../../domain/waiver-policy.js";
import {
  type NewPolicyPriceRow,
  type NewPolicyProductRow,
  type PolicyVersionRow,
  policies,
  policyPrices,
  policyProducts,
  policyVersions,
} from "./policy.table.js";

/** Serialises every publication, so versions are numbered without gaps and `seq` grows in commit order. */
const PUBLISH_LOCK = advisoryLockKey("carfare.waiver.publish-policy");

/**
 * Waiver policy versions in `waiver.policies`, `waiver.policy_versions`, `waiver.policy_products` and
 * `waiver.policy_prices`.
 *
 * Publications take a transaction-scoped advisory lock: two publishes never interleave, so version numbers
 * are consecutive, the market rule holds without races, and `seq` values become visible in increasing order
 * (a poller that has seen seq n never later finds a smaller one appearing).
 */
export class PostgresWaiverPolicyRepository implements WaiverPolicyRepository {
  constructor(private readonly db: Database) {}

  /**
   * Publishes `document` as the next version of its policy id, in one transaction. `market-taken` when the
   * market is held by another policy id (`heldBy` names it) or when this id already covers another market
   * (`heldBy` is this id: an id keeps its market for good).
   */
  async publish(document: WaiverPolicyDocument, publishedBy: string, publishedAt: Date): Promise<PolicyPublishOutcome> {
    const documentSha256 = sha256OfCanonicalJson(document);
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${PUBLISH_LOCK}::bigint)`);

      const holders = await tx
        .select()
        .from(policies)
        .where(or(eq(policies.market, document.market), eq(policies.policyId, document.id)));
      const marketHolder = holders.find((row) => row.market === document.market);
      if (marketHolder !== undefined && marketHolder.policyId !== document.id) {
        return { kind: "market-taken", heldBy: marketHolder.policyId };
      }
      const own = holders.find((row) => row.policyId === document.id);
      if (own !== undefined && own.market !== document.market) {
        return { kind: "market-taken", heldBy: own.policyId };
      }
      if (own === undefined) {
        await tx.insert(policies).values({ policyId: document.id, market: document.market });
      }

      const [newest] = await tx
        .select()
        .from(policyVersions)
        .where(eq(policyVersions.policyId, document.id))
        .orderBy(desc(policyVersions.version))
        .limit(1);
      if (newest !== undefined && newest.documentSha256 === documentSha256) {
        return { kind: "unchanged", policy: rowToPublishedPolicy(newest) };
      }

      const version = (newest?.version ?? 0) + 1;
      const [created] = await tx
        .insert(policyVersions)
        .values({
          policyId: document.id,
          version,
          market: document.market,
          currency: document.currency,
          document,
          documentSha256,
          publishedAt,
          publishedBy,
          effectiveFrom: document.effectiveFrom === undefined ? publishedAt : new Date(document.effectiveFrom),
        })
        .returning();
      if (created === undefined) throw new Error("INSERT … RETURNING gave no row");
      await tx.insert(policyProducts).values(productRows(document, version));
      const prices = priceRows(document, version);
      if (prices.length > 0) await tx.insert(policyPrices).values(prices);
      return { kind: "created", policy: rowToPublishedPolicy(created) };
    });
  }

  async listAll(): Promise<PublishedPolicy[]> {
    const rows = await this.db.select().from(policyVersions).orderBy(asc(policyVersions.seq));
    return rows.map(rowToPublishedPolicy);
  }

  async listSince(marker: string): Promise<PublishedPolicy[]> {
    const rows = await this.db
      .select()
      .from(policyVersions)
      .where(gt(policyVersions.seq, parseMarker(marker)))
      .orderBy(asc(policyVersions.seq));
    return rows.map(rowToPublishedPolicy);
  }

  /** The highest `seq` (`"0"` before the first publication): one index lookup. */
  async changeMarker(): Promise<string> {
    const [row] = await queryRows<{ marker: string }>(
      this.db,
      sql`SELECT coalesce(max(seq), 0)::text AS marker FROM ${policyVersions}`,
    );
    return row?.marker ?? "0";
  }
}

function rowToPublishedPolicy(row: PolicyVersionRow): PublishedPolicy {
  return {
    policyId: row.policyId,
    version: row.version,
    market: row.market,
    document: row.document,
    publishedAt: row.publishedAt,
    publishedBy: row.publishedBy,
    effectiveFrom: row.effectiveFrom,
  };
}

/** One row per product, numbered from 1 in the document's order. */
function productRows(document: WaiverPolicyDocument, version: number): NewPolicyProductRow[] {
  return document.products.map((product, index) => ({
    policyId: document.id,
    version,
    productCode: product.code,
    position: index + 1,
    productName: product.name,
    model: product.model,
    selfPayCap: product.model === "CAPPED" ? product.selfPayCap : null,
    deductible: product.model === "FIXED_DEDUCTIBLE" ? product.deductible : null,
    currency: document.currency,
    minDriverAge: product.minDriverAge,
    minLicenseYears: product.minLicenseYears,
    sellable: product.sellable,
  }));
}

/** One row per (car class, product) the document prices. */
function priceRows(document: WaiverPolicyDocument, version: number): NewPolicyPriceRow[] {
  const rows: NewPolicyPriceRow[] = [];
  for (const [carClass, byProduct] of Object.entries(document.prices)) {
    for (const [productCode, price] of Object.entries(byProduct ?? {})) {
      rows.push({
        policyId: document.id,
        version,
        carClass,
        productCode,
        hourly: price.hourly,
        daily: price.daily,
        currency: document.currency,
      });
    }
  }
  return rows;
}

function parseMarker(marker: string): number {
  if (!/^\d{1,15}$/.test(marker)) throw new RangeError(`not a waiver policy change marker: ${JSON.stringify(marker)}`);
  return Number(marker);
}

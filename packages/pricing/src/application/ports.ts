import type { Coupon } from "../domain/coupon.js";
import type { Quote, Settlement } from "../domain/quote.js";
import type { TariffDocument } from "../domain/tariff.js";

/** Where the current time comes from; tests move a fake clock instead of waiting. */
export interface Clock {
  now(): Date;
}

/** One immutable published revision of a tariff. */
export interface PublishedTariff {
  readonly tariffId: string;
  readonly version: number;
  readonly market: string;
  readonly document: TariffDocument;
  readonly publishedAt: Date;
  readonly publishedBy: string;
  /** The document's effectiveFrom, or publishedAt when it had none. */
  readonly effectiveFrom: Date;
}

export type PublishOutcome =
  | { readonly kind: "created"; readonly tariff: PublishedTariff }
  /** The document equals the newest version of its id: that version, nothing created. */
  | { readonly kind: "unchanged"; readonly tariff: PublishedTariff }
  /** The market is held by another tariff id. */
  | { readonly kind: "market-taken"; readonly heldBy: string };

/** Stores published tariff versions; numbering and the market rule are enforced atomically here. */
export interface TariffRepository {
  publish(document: TariffDocument, publishedBy: string, publishedAt: Date): Promise<PublishOutcome>;
  /** Every version of every tariff, oldest first: what the in-memory catalog is built from. */
  listAll(): Promise<PublishedTariff[]>;
  /** Every version published after the given sequence marker (see `changeMarker`). */
  listSince(marker: string): Promise<PublishedTariff[]>;
  /** An opaque value that changes whenever a version is published; cheap enough to poll every second. */
  changeMarker(): Promise<string>;
}

/** Stores coupons; `put` creates or replaces the coupon (market, code). */
export interface CouponRepository {
  put(coupon: Coupon, putBy: string, putAt: Date): Promise<void>;
  listAll(): Promise<Coupon[]>;
  /** Changes whenever a coupon is put; cheap enough to poll every second. */
  changeMarker(): Promise<string>;
}

/** Receives quotes for the analysts' record. Must not block the Quote call: implementations batch. */
export interface QuoteRecorder {
  record(quote: Quote): void;
}

/**
 * The analysts' record of quotes, written in batches (one round trip per batch). A quote waits for its batch
 * as its `Entry` (what `entry` makes of it, such as the row's text), not as the quote: a buffer of entries
 * holds a fraction of the memory and gives the garbage collector one small object per quote to keep.
 */
export interface QuoteLog<Entry = unknown> {
  entry(quote: Quote): Entry;
  append(entries: readonly Entry[]): Promise<void>;
}

export type SettlementInsertOutcome =
  | { readonly kind: "inserted"; readonly settlement: Settlement }
  | { readonly kind: "exists"; readonly settlement: Settlement };

/** Settlements, at most one per quote. */
export interface SettlementRepository {
  /** Inserts unless the quote is already settled, in which case the recorded settlement comes back. */
  insertOnce(settlement: Settlement): Promise<SettlementInsertOutcome>;
  findByQuoteId(quoteId: string): Promise<Settlement | undefined>;
}

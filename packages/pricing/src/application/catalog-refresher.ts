import { ChangePoller } from "@carfare/kit";
import type { CouponBook } from "./coupon-book.js";
import type { CouponRepository, TariffRepository } from "./ports.js";
import type { TariffCatalog } from "./tariff-catalog.js";

export interface CatalogRefresherDeps {
  readonly tariffs: TariffRepository;
  readonly coupons: CouponRepository;
  readonly catalog: TariffCatalog;
  readonly book: CouponBook;
  /** How often to poll the change markers; 1 s keeps other processes within the 5 s promise of spec §2. */
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Keeps the in-memory tariff catalog and coupon book in step with the database by polling their change
 * markers (docs/decisions/001): new tariff versions are loaded incrementally, the coupon book whole.
 */
export class CatalogRefresher extends ChangePoller {
  constructor(deps: CatalogRefresherDeps) {
    super(
      [
        {
          marker: () => deps.tariffs.changeMarker(),
          load: async (previous) => {
            deps.catalog.add(
              previous === undefined ? await deps.tariffs.listAll() : await deps.tariffs.listSince(previous),
            );
          },
        },
        {
          marker: () => deps.coupons.changeMarker(),
          load: async () => deps.book.replaceAll(await deps.coupons.listAll()),
        },
      ],
      { intervalMs: deps.intervalMs, onError: deps.onError },
    );
  }
}

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
 * Keeps the in-memory tariff catalog and coupon book in step with the database by polling two cheap change
 * markers (docs/decisions/001): a version published or a coupon put by another process shows here within
 * one interval.
 */
export class CatalogRefresher {
  private tariffMarker: string | undefined;
  private couponMarker: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: CatalogRefresherDeps) {}

  /** Loads everything once; call before serving. */
  async load(): Promise<void> {
    await this.refresh();
  }

  /** Polls the markers and reloads what changed. Concurrent calls share one refresh. */
  refresh(): Promise<void> {
    this.running ??= this.refreshNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.refresh().catch(this.deps.onError);
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async refreshNow(): Promise<void> {
    const [tariffMarker, couponMarker] = await Promise.all([
      this.deps.tariffs.changeMarker(),
      this.deps.coupons.changeMarker(),
    ]);
    if (tariffMarker !== this.tariffMarker) {
      const versions =
        this.tariffMarker === undefined
          ? await this.deps.tariffs.listAll()
          : await this.deps.tariffs.listSince(this.tariffMarker);
      this.deps.catalog.add(versions);
      this.tariffMarker = tariffMarker;
    }
    if (couponMarker !== this.couponMarker) {
      this.deps.book.replaceAll(await this.deps.coupons.listAll());
      this.couponMarker = couponMarker;
    }
  }
}

import type { Coupon } from "../domain/coupon.js";

/** The coupons of every market, held in memory and looked up case-insensitively. */
export class CouponBook {
  private byKey = new Map<string, Coupon>();

  /** Replaces the whole book (after a reload from the database). */
  replaceAll(coupons: readonly Coupon[]): void {
    const next = new Map<string, Coupon>();
    for (const coupon of coupons) next.set(key(coupon.market, coupon.code), coupon);
    this.byKey = next;
  }

  put(coupon: Coupon): void {
    this.byKey.set(key(coupon.market, coupon.code), coupon);
  }

  /** The coupon `code` of `market`; a code that exists only in another market is not found. */
  find(market: string, code: string): Coupon | undefined {
    return this.byKey.get(key(market, code.toUpperCase()));
  }
}

function key(market: string, code: string): string {
  return `${market}\u0000${code}`;
}

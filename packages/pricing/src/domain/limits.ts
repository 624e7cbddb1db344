/**
 * Bounds that keep every computation exact and every request cheap. Amounts are integers in JS numbers, so
 * a tariff whose prices could push a sum past 2^53 is refused when published rather than mispriced later,
 * and no request can make the pricing loop walk for longer than these spans.
 */

/** The longest rental a tariff may allow: 366 days. */
export const MAX_RENTAL_MINUTES = 366 * 24 * 60;

/** The latest a return may come after the booked end and still be settled: 366 days. */
export const MAX_LATE_MINUTES = 366 * 24 * 60;

/** The most kilometres a quote or settlement may carry. */
export const MAX_KM = 1_000_000;

/**
 * Money is an integer count of minor units (KRW: won, MYR: sen) held in a JS number that is always a safe
 * integer. Rounding happens only through the named helpers below; they take non-negative values, because the
 * pricing rules only ever round positive amounts (discounts are computed positive and shown negated).
 */

/** The largest amount any input may carry (spec: inputs above 10^12 minor units are refused). */
export const MAX_INPUT_AMOUNT = 1_000_000_000_000;

/** Rounds a non-negative integer down to a multiple of `increment` ("원단위 절사" for KRW with 10). */
export function floorTo(amount: number, increment: number): number {
  return amount - (amount % increment);
}

/**
 * floor(amount · numerator / denominator) in exact integer arithmetic: the product is formed before the
 * division, so no fraction is ever rounded twice. Safe while the product stays below 2^53.
 */
export function mulDivFloor(amount: number, numerator: number, denominator: number): number {
  const product = amount * numerator;
  if (!Number.isSafeInteger(product)) {
    throw new RangeError(`mulDivFloor overflow: ${amount} * ${numerator}`);
  }
  // Remainder first: integer % and an exact division avoid the float rounding of `product / denominator`.
  return (product - (product % denominator)) / denominator;
}

/** floorTo(amount · percent / 100): a percentage of a non-negative amount, rounded down to the increment. */
export function percentFloorTo(amount: number, percent: number, increment: number): number {
  return floorTo(mulDivFloor(amount, percent, 100), increment);
}

/** True when `value` is a non-negative safe integer no larger than MAX_INPUT_AMOUNT. */
export function isValidAmount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= MAX_INPUT_AMOUNT;
}

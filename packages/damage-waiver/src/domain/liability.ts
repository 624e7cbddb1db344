import { type FieldIssue, isValidAmount, MAX_INPUT_AMOUNT } from "@carfare/kit";
import { type Assessment, EXCLUSIONS, type Liability } from "./incident.js";
import type { WaiverPolicyDocument, WaiverProduct } from "./waiver-policy.js";

/** The most repair days an assessment may give (spec §3). */
export const MAX_REPAIR_DAYS = 365;

/**
 * Every problem of an assessment (spec §3: repair cost an amount up to 10^12, repair days 0–365, fault
 * percent 0–100, known exclusions each listed once), each naming its field; empty when it holds.
 */
export function checkAssessment(assessment: Assessment): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!isValidAmount(assessment.repairCost)) {
    issues.push({ field: "repairCost", message: `must be a whole amount from 0 to ${MAX_INPUT_AMOUNT}` });
  }
  if (!isIntegerIn(assessment.repairDays, 0, MAX_REPAIR_DAYS)) {
    issues.push({ field: "repairDays", message: `must be a whole number of days from 0 to ${MAX_REPAIR_DAYS}` });
  }
  if (!isIntegerIn(assessment.faultPercent, 0, 100)) {
    issues.push({ field: "faultPercent", message: "must be a whole percent from 0 to 100" });
  }
  const known: ReadonlySet<string> = new Set(EXCLUSIONS);
  const seen = new Set<string>();
  assessment.exclusions.forEach((exclusion, i) => {
    if (!known.has(exclusion)) {
      issues.push({ field: `exclusions[${i}]`, message: `must be one of ${EXCLUSIONS.join(", ")}` });
    } else if (seen.has(exclusion)) {
      issues.push({ field: `exclusions[${i}]`, message: `${exclusion} is listed twice` });
    }
    seen.add(exclusion);
  });
  return issues;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * What the customer owes for an incident under `product` (spec §3), with its breakdown:
 * loss of use, damage, the customer's share by fault, then the owed amount by basis — EXCLUDED when any
 * exclusion voids the waiver, else CAPPED or FIXED_DEDUCTIBLE by the product's model.
 * Every rounding is `floorTo` of an exact rational: products are formed before any division.
 *
 * @example
 * // repair 1,200,000, 3 days, daily rate 95,700, fault 100 % → loss of use 143,550; CAP_300K owes 300,000
 * computeLiability(policy, cap300k, 95_700, { repairCost: 1_200_000, repairDays: 3, faultPercent: 100, exclusions: [] })
 */
export function computeLiability(
  policy: Pick<WaiverPolicyDocument, "currency" | "roundingIncrement" | "lossOfUse">,
  product: WaiverProduct,
  dailyRate: number,
  assessment: Assessment,
): Liability {
  const increment = policy.roundingIncrement;
  const { repairCost, faultPercent } = assessment;
  const days = Math.min(assessment.repairDays, policy.lossOfUse.maxDays);
  const lossOfUse = floorToOf(increment, 100, dailyRate, policy.lossOfUse.percentOfDailyRate, days);
  const damage = repairCost + lossOfUse;
  const share = floorToOf(increment, 100, damage, faultPercent);
  const currency = policy.currency;
  if (assessment.exclusions.length > 0) return { lossOfUse, damage, share, owed: share, basis: "EXCLUDED", currency };
  if (product.model === "CAPPED") {
    return { lossOfUse, damage, share, owed: Math.min(share, product.selfPayCap), basis: "CAPPED", currency };
  }
  const repairShare = floorToOf(increment, 100, repairCost, faultPercent);
  const lossShare = floorToOf(increment, 100, lossOfUse, faultPercent);
  const owed = Math.min(product.deductible, repairShare) + lossShare;
  return { lossOfUse, damage, share, owed, basis: "FIXED_DEDUCTIBLE", currency };
}

/**
 * floorTo(f1 · f2 · … / denominator) for non-negative integer factors, exactly. In BigInt because the
 * product can pass 2^53 (a 10^12 daily rate × 100 % × 365 days) even though the result never does.
 */
function floorToOf(increment: number, denominator: number, ...factors: number[]): number {
  let product = 1n;
  for (const factor of factors) product *= BigInt(factor);
  // Non-negative, so BigInt's truncating division is the floor.
  const whole = product / BigInt(denominator);
  const result = Number(whole - (whole % BigInt(increment)));
  if (!Number.isSafeInteger(result)) throw new RangeError(`liability amount out of range: ${whole}`);
  return result;
}

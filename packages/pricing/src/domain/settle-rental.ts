import { err, ok, percentFloorTo, type Result } from "@carfare/kit";
import { type CompiledCarModel, type CompiledTariff, distanceFee } from "./compiled-tariff.js";
import { MAX_LATE_MINUTES } from "./limits.js";
import { InvalidReturnError } from "./pricing-errors.js";
import type { PriceLine } from "./quote.js";
import { rentalFee, uncappedSlotSum } from "./rental-fee.js";

/** What a settlement adds up to (spec §4), before it is given its quote's identity. */
export interface SettlementAmounts {
  readonly distanceFee: number;
  readonly lateReturnFee: number;
  readonly earlyReturnCredit: number;
  readonly dueAfterReturn: number;
  readonly lines: readonly PriceLine<"DISTANCE_FEE" | "LATE_RETURN_FEE">[];
  readonly credits: readonly PriceLine<"EARLY_RETURN_CREDIT">[];
}

/**
 * Settles a returned rental on the tariff version its quote used: distance fee on the driven km, late-return
 * fee past the grace period, early-return credit inside its range. `returnedAt` may have any precision.
 */
export function settleRental(
  tariff: CompiledTariff,
  car: CompiledCarModel,
  rental: { readonly startAt: Date; readonly endAt: Date },
  returnedAt: Date,
  drivenKm: number,
): Result<SettlementAmounts, InvalidReturnError> {
  const start = rental.startAt.getTime();
  const end = rental.endAt.getTime();
  const returned = returnedAt.getTime();
  if (returned < start) {
    return err(
      new InvalidReturnError(
        `returned_at ${returnedAt.toISOString()} is before the rental started (${rental.startAt.toISOString()})`,
        [{ field: "returned_at", message: "before start_at" }],
      ),
    );
  }
  if (returned - end > MAX_LATE_MINUTES * 60_000) {
    return err(
      new InvalidReturnError(
        `returned_at ${returnedAt.toISOString()} is more than 366 days after the rental ended; settle it by hand`,
        [{ field: "returned_at", message: "too late to settle" }],
      ),
    );
  }
  const rules = tariff.document;
  const unitMs = tariff.unitMinutes * 60_000;
  const increment = tariff.increment;

  let lateReturnFee = 0;
  const lateMs = returned - end;
  if (lateMs >= rules.lateReturn.graceMinutes * 60_000 && lateMs > 0) {
    lateReturnFee = rules.lateReturn.flatFee;
    if (lateMs >= rules.lateReturn.surchargeFromMinutes * 60_000) {
      const lateSlots = Math.ceil(lateMs / unitMs);
      const endMinute = end / 60_000;
      const lateSum = uncappedSlotSum(tariff, car, endMinute, endMinute + lateSlots * tariff.unitMinutes);
      lateReturnFee += rules.lateReturn.surchargeMultiplier * lateSum;
    }
  }

  let earlyReturnCredit = 0;
  const earlyMs = end - returned;
  if (
    earlyMs >= rules.earlyReturn.minMinutes * 60_000 &&
    earlyMs <= rules.earlyReturn.maxMinutes * 60_000 &&
    earlyMs > 0
  ) {
    // The used part ends at the return rounded up to the grid, but never before the minimum rental.
    const roundedUp = Math.ceil(returned / unitMs) * unitMs;
    const usedEnd = Math.max(roundedUp, start + tariff.minimumMinutes * 60_000);
    if (usedEnd < end) {
      const startMinute = start / 60_000;
      const booked = rentalFee(tariff, car, startMinute, end / 60_000);
      const used = rentalFee(tariff, car, startMinute, usedEnd / 60_000);
      earlyReturnCredit = percentFloorTo(booked - used, rules.earlyReturn.creditPercent, increment);
    }
  }

  const distance = distanceFee(car.model.distanceRates, drivenKm, increment);
  const lines: PriceLine<"DISTANCE_FEE" | "LATE_RETURN_FEE">[] = [];
  // Spec §4 lists the lines in the order its rules come: late return, then distance.
  if (lateReturnFee !== 0) lines.push({ code: "LATE_RETURN_FEE", label: "Late-return fee", amount: lateReturnFee });
  if (distance !== 0) lines.push({ code: "DISTANCE_FEE", label: `Distance fee (${drivenKm} km)`, amount: distance });
  const credits: PriceLine<"EARLY_RETURN_CREDIT">[] = [];
  if (earlyReturnCredit !== 0) {
    credits.push({ code: "EARLY_RETURN_CREDIT", label: "Early-return credit", amount: earlyReturnCredit });
  }
  return ok({
    distanceFee: distance,
    lateReturnFee,
    earlyReturnCredit,
    dueAfterReturn: distance + lateReturnFee,
    lines,
    credits,
  });
}

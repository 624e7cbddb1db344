import {
  type CompiledCarModel,
  type CompiledTariff,
  DAY_TYPES,
  dayTypeOfBusinessDay,
  MINUTES_PER_DAY,
} from "./compiled-tariff.js";
import type { SlotGroup, WindowExplanation } from "./quote.js";

/**
 * The rental fee of spec §3.2–§3.5: slots of `unitMinutes`, each priced by its day type and time band,
 * summed per cap window and capped at the highest daily rate met in the window.
 *
 * Slots are never visited one by one. The loop jumps from one change point to the next — a business-day
 * edge, a time-band edge, a UTC-offset change, a window edge or the end — and prices the whole run of equal
 * slots in between at once, so a 30-day rental costs a few hundred steps, not 4,320.
 *
 * Times are UTC minutes since the epoch, already on the unit grid.
 */
export function rentalFee(
  tariff: CompiledTariff,
  car: CompiledCarModel,
  startMinute: number,
  endMinute: number,
): number {
  return walk(tariff, car, startMinute, endMinute, tariff.windowMinutes, undefined);
}

/** The rental fee together with one explanation per cap window (spec §3, `explain`). */
export function explainRentalFee(
  tariff: CompiledTariff,
  car: CompiledCarModel,
  startMinute: number,
  endMinute: number,
): { fee: number; windows: WindowExplanation[] } {
  const windows: WindowExplanation[] = [];
  const fee = walk(tariff, car, startMinute, endMinute, tariff.windowMinutes, windows);
  return { fee, windows };
}

/** Σ slot prices of `[startMinute, endMinute)` with no cap (late-return surcharge, spec §4). */
export function uncappedSlotSum(
  tariff: CompiledTariff,
  car: CompiledCarModel,
  startMinute: number,
  endMinute: number,
): number {
  return walk(tariff, car, startMinute, endMinute, Number.POSITIVE_INFINITY, undefined);
}

function walk(
  tariff: CompiledTariff,
  car: CompiledCarModel,
  startMinute: number,
  endMinute: number,
  windowMinutes: number,
  explanation: WindowExplanation[] | undefined,
): number {
  const unit = tariff.unitMinutes;
  const zone = tariff.zone;
  const offsetShift = tariff.businessDayOffset;
  const bandSlots = tariff.bandSlots;
  const slotPrice = car.slotPrice;
  const capped = windowMinutes !== Number.POSITIVE_INFINITY;

  let total = 0;
  let windowStart = startMinute;
  let windowEnd = capped ? startMinute + windowMinutes : endMinute;
  let windowSum = 0;
  let windowCap = 0;
  let groups: SlotGroup[] | undefined = explanation === undefined ? undefined : [];

  const skipFullWindows = capped && explanation === undefined && car.fullWindowAlwaysCapped;
  let lastBusinessDay = Number.NaN;
  let dayType = 0;

  let t = startMinute;
  let offset = zone.offsetAt(t);
  let offsetUntil = zone.offsetValidUntil(t);
  while (t < endMinute) {
    if (skipFullWindows && t === windowStart && windowEnd <= endMinute) {
      // A full window here costs its cap: the highest daily rate among its business days.
      total += capOfWindow(tariff, car, windowStart, windowEnd);
      t = windowEnd;
      windowStart = t;
      windowEnd = t + windowMinutes;
      continue;
    }
    if (t >= offsetUntil) {
      offset = zone.offsetAt(t);
      offsetUntil = zone.offsetValidUntil(t);
    }
    const local = t + offset;
    // The business date is the calendar date of local time minus the business-day offset (spec §3.3).
    const businessDay = Math.floor((local - offsetShift) / MINUTES_PER_DAY);
    if (businessDay !== lastBusinessDay) {
      dayType = dayTypeOfBusinessDay(tariff, businessDay);
      lastBusinessDay = businessDay;
    }
    const minuteOfDay = local - Math.floor(local / MINUTES_PER_DAY) * MINUTES_PER_DAY;
    const segment = tariff.bandSegmentOfMinute[minuteOfDay] as number;
    const band = tariff.bandSegmentBand[segment] as number;

    // The run lasts until the first change point; every slot starting before it prices the same.
    const nextBusinessDay = (businessDay + 1) * MINUTES_PER_DAY + offsetShift - offset;
    const nextBandEdge = local - minuteOfDay + (tariff.bandSegmentEnd[segment] as number) - offset;
    let runEnd = Math.min(nextBusinessDay, nextBandEdge);
    if (offsetUntil < runEnd) runEnd = offsetUntil;
    const limit = Math.min(windowEnd, endMinute);
    if (limit < runEnd) runEnd = limit;
    const slots = Math.ceil((runEnd - t) / unit);

    const price = slotPrice[dayType * bandSlots + band + 1] as number;
    windowSum += slots * price;
    const rate = car.dailyRate[dayType] as number;
    if (rate > windowCap) windowCap = rate;
    if (groups !== undefined)
      addToGroup(groups, DAY_TYPES[dayType] ?? "WEEKDAY", band < 0 ? "" : (tariff.bandNames[band] ?? ""), price, slots);
    t += slots * unit;

    if (t >= windowEnd || t >= endMinute) {
      const fee = capped && windowSum > windowCap ? windowCap : windowSum;
      total += fee;
      if (explanation !== undefined && groups !== undefined) {
        explanation.push({
          startAt: new Date(windowStart * 60_000),
          endAt: new Date(t * 60_000),
          slotGroups: groups,
          sum: windowSum,
          cap: windowCap,
          fee,
        });
        groups = [];
      }
      windowStart = t;
      windowEnd = t + windowMinutes;
      windowSum = 0;
      windowCap = 0;
    }
  }
  return total;
}

/**
 * The highest daily rate among the business days a window's slots fall on. Local time only ever moves by an
 * hour or so at an offset change, so the business days met are every day from the first slot's to the last
 * slot's (whichever order they come in).
 */
function capOfWindow(tariff: CompiledTariff, car: CompiledCarModel, windowStart: number, windowEnd: number): number {
  const lastSlot = windowEnd - tariff.unitMinutes;
  const first = Math.floor(
    (windowStart + tariff.zone.offsetAt(windowStart) - tariff.businessDayOffset) / MINUTES_PER_DAY,
  );
  const last = Math.floor((lastSlot + tariff.zone.offsetAt(lastSlot) - tariff.businessDayOffset) / MINUTES_PER_DAY);
  let cap = 0;
  for (let day = Math.min(first, last); day <= Math.max(first, last); day++) {
    const rate = car.dailyRate[dayTypeOfBusinessDay(tariff, day)] as number;
    if (rate > cap) cap = rate;
  }
  return cap;
}

function addToGroup(
  groups: SlotGroup[],
  dayType: SlotGroup["dayType"],
  timeBand: string,
  slotPrice: number,
  count: number,
): void {
  const index = groups.findIndex((g) => g.dayType === dayType && g.timeBand === timeBand && g.slotPrice === slotPrice);
  const existing = groups[index];
  if (existing === undefined) groups.push({ dayType, timeBand, slotPrice, count });
  else groups[index] = { ...existing, count: existing.count + count };
}

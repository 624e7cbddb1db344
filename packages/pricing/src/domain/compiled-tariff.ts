import { floorTo, mulDivFloor, percentFloorTo } from "@carfare/kit";
import type { CarModel, DayType, DeliveryTier, DistanceTier, TariffDocument } from "./tariff.js";
import { WEEKDAYS } from "./tariff.js";
import { type ZoneRules, zoneRules } from "./zone-rules.js";

export const MINUTES_PER_DAY = 1440;

/** Index of a day type in the price tables. */
export const WEEKDAY = 0;
export const WEEKEND = 1;
export const DAY_TYPES: readonly DayType[] = ["WEEKDAY", "WEEKEND"];

/** A car model with its prices laid out for the pricing loop. */
export interface CompiledCarModel {
  readonly model: CarModel;
  /** Daily rate by day type index (WEEKDAY, WEEKEND). */
  readonly dailyRate: readonly [number, number];
  /**
   * Slot price by `dayType * bandSlots + bandIndex + 1` (band index −1 = outside every band):
   * unit = floorTo(D / unitsPerDailyRate), scaled by the band's percent and floored again (spec §3.4).
   */
  readonly slotPrice: Float64Array;
  /**
   * True when even the cheapest slot, repeated over a whole cap window, reaches the highest daily rate: then
   * every full window costs exactly its cap and only its day types need finding, not its slot sum.
   */
  readonly fullWindowAlwaysCapped: boolean;
}

/**
 * A tariff document turned into the lookup tables the pricing loop runs on. Built once per published
 * version and shared by every quote of that version.
 */
export interface CompiledTariff {
  readonly document: TariffDocument;
  readonly zone: ZoneRules;
  readonly unitMinutes: number;
  readonly minimumMinutes: number;
  readonly maximumMinutes: number;
  readonly windowMinutes: number;
  readonly increment: number;
  /** businessDayOffset in minutes (−05:00 → −300). */
  readonly businessDayOffset: number;
  /** isWeekendDay[(epochDay + 3) mod 7], Monday = 0. */
  readonly isWeekendDay: readonly boolean[];
  /** Business dates (days since 1970-01-01) priced as WEEKEND: holidays. */
  readonly holidayDays: ReadonlySet<number>;
  /** Inclusive business-date ranges priced as WEEKEND: peak seasons. */
  readonly peakRanges: readonly (readonly [number, number])[];
  /** Minute of the local day → index into bandSegmentEnd/bandSegmentBand. */
  readonly bandSegmentOfMinute: Uint16Array;
  readonly bandSegmentEnd: readonly number[];
  /** Band index of each segment, −1 outside every band. */
  readonly bandSegmentBand: readonly number[];
  readonly bandNames: readonly string[];
  /** Number of slot prices per day type: bands + "no band". */
  readonly bandSlots: number;
  readonly carModels: ReadonlyMap<string, CompiledCarModel>;
  readonly memberDiscounts: ReadonlyMap<string, number>;
}

/** Minutes of a "HH:MM" wall time. */
export function minutesOfTime(hhmm: string): number {
  const [hours, minutes] = hhmm.split(":");
  return Number(hours) * 60 + Number(minutes);
}

/** Days since 1970-01-01 of a "YYYY-MM-DD" date. */
export function epochDayOf(date: string): number {
  const [year, month, day] = date.split("-").map(Number);
  return Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1) / 86_400_000;
}

/** Minutes of a "±HH:MM" offset. */
export function minutesOfOffset(offset: string): number {
  const sign = offset.startsWith("-") ? -1 : 1;
  return sign * minutesOfTime(offset.slice(1));
}

export function compileTariff(document: TariffDocument): CompiledTariff {
  const increment = document.roundingIncrement;
  const bands = document.timeBands;
  const bandSlots = bands.length + 1;

  // Cut the local day at every band edge; each piece lies wholly inside one band or outside all of them.
  const cuts = new Set<number>([0, MINUTES_PER_DAY]);
  for (const band of bands) {
    cuts.add(minutesOfTime(band.from));
    cuts.add(minutesOfTime(band.to));
  }
  const edges = [...cuts].filter((m) => m >= 0 && m <= MINUTES_PER_DAY).sort((a, b) => a - b);
  const bandSegmentEnd: number[] = [];
  const bandSegmentBand: number[] = [];
  const bandSegmentOfMinute = new Uint16Array(MINUTES_PER_DAY);
  for (let i = 0; i + 1 < edges.length; i++) {
    const start = edges[i] as number;
    const end = edges[i + 1] as number;
    bandSegmentEnd.push(end);
    bandSegmentBand.push(bands.findIndex((band) => inBand(start, minutesOfTime(band.from), minutesOfTime(band.to))));
    bandSegmentOfMinute.fill(i, start, end);
  }

  const carModels = new Map<string, CompiledCarModel>();
  for (const model of document.carModels) {
    const dailyRate: [number, number] = [model.dailyRate.weekday, model.dailyRate.weekend];
    const slotPrice = new Float64Array(2 * bandSlots);
    for (const dayType of [WEEKDAY, WEEKEND]) {
      const unit = floorTo(mulDivFloor(dailyRate[dayType] as number, 1, document.billing.unitsPerDailyRate), increment);
      slotPrice[dayType * bandSlots] = unit;
      bands.forEach((band, b) => {
        slotPrice[dayType * bandSlots + b + 1] = percentFloorTo(unit, band.percent, increment);
      });
    }
    const slotsPerWindow = (document.dailyCap.windowHours * 60) / document.billing.unitMinutes;
    const fullWindowAlwaysCapped = Math.min(...slotPrice) * slotsPerWindow >= Math.max(...dailyRate);
    carModels.set(model.id, { model, dailyRate, slotPrice, fullWindowAlwaysCapped });
  }

  return {
    document,
    zone: zoneRules(document.timeZone),
    unitMinutes: document.billing.unitMinutes,
    minimumMinutes: document.billing.minimumMinutes,
    maximumMinutes: document.billing.maximumMinutes,
    windowMinutes: document.dailyCap.windowHours * 60,
    increment,
    businessDayOffset: minutesOfOffset(document.businessDayOffset),
    isWeekendDay: WEEKDAYS.map((day) => document.weekendDays.includes(day)),
    holidayDays: new Set(document.holidays.map(epochDayOf)),
    peakRanges: document.peakSeasons.map((season) => [epochDayOf(season.from), epochDayOf(season.to)] as const),
    bandSegmentOfMinute,
    bandSegmentEnd,
    bandSegmentBand,
    bandNames: bands.map((band) => band.name),
    bandSlots,
    carModels,
    memberDiscounts: new Map(Object.entries(document.memberDiscounts)),
  };
}

/** Whether a minute of the day lies in the band [from, to), which wraps midnight when from > to. */
function inBand(minute: number, from: number, to: number): boolean {
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/** Day type index of a business date (days since the epoch) under the tariff's calendar (spec §3.3). */
export function dayTypeOfBusinessDay(tariff: CompiledTariff, epochDay: number): number {
  const weekday = (((epochDay + 3) % 7) + 7) % 7;
  if (tariff.isWeekendDay[weekday] || tariff.holidayDays.has(epochDay)) return WEEKEND;
  for (const [from, to] of tariff.peakRanges) {
    if (epochDay >= from && epochDay <= to) return WEEKEND;
  }
  return WEEKDAY;
}

/** The distance fee of `km` kilometres over the tiers (spec §3.9). */
export function distanceFee(tiers: readonly DistanceTier[], km: number, increment: number): number {
  let fee = 0;
  let covered = 0;
  for (const tier of tiers) {
    if (covered >= km) break;
    const upTo = tier.upToKm === undefined ? km : Math.min(km, tier.upToKm);
    if (upTo > covered) {
      fee += (upTo - covered) * tier.perKm;
      covered = upTo;
    }
  }
  return floorTo(fee, increment);
}

/** The delivery tier of a rental lasting `durationMinutes` (spec §3.8). */
export function deliveryFee(tiers: readonly DeliveryTier[], durationMinutes: number): number {
  for (const tier of tiers) {
    if (tier.underHours === undefined || durationMinutes < tier.underHours * 60) return tier.fee;
  }
  return 0;
}

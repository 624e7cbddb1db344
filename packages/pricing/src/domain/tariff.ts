/**
 * The tariff document (spec/pricing.md §2) as the domain sees it once it has been parsed and validated:
 * every optional list is present (empty when the author left it out), times and dates are still the strings
 * the author wrote. `compileTariff` turns it into the structures pricing runs on.
 */

export const WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CAR_CLASSES = ["LIGHT", "COMPACT", "MIDSIZE", "LARGE", "SUV", "VAN", "IMPORT"] as const;
export type CarClass = (typeof CAR_CLASSES)[number];

export const FUELS = ["GASOLINE", "DIESEL", "LPG", "HYBRID", "EV"] as const;
export type Fuel = (typeof FUELS)[number];

export type DayType = "WEEKDAY" | "WEEKEND";

export interface DistanceTier {
  /** Upper bound (km) of the tier; absent on the final, open tier. */
  readonly upToKm?: number;
  readonly perKm: number;
}

export interface CarModel {
  readonly id: string;
  readonly name: string;
  readonly class: CarClass;
  readonly fuel: Fuel;
  readonly dailyRate: { readonly weekday: number; readonly weekend: number };
  readonly distanceRates: readonly DistanceTier[];
}

export interface TimeBand {
  readonly name: string;
  /** "HH:MM" local wall time; the band is [from, to) and may wrap midnight. */
  readonly from: string;
  readonly to: string;
  readonly percent: number;
}

export interface DeliveryTier {
  /** The tier applies to rentals shorter than this many hours; absent on the final, open tier. */
  readonly underHours?: number;
  readonly fee: number;
}

export interface TariffDocument {
  readonly id: string;
  readonly market: string;
  readonly currency: string;
  readonly timeZone: string;
  readonly roundingIncrement: number;
  readonly billing: {
    readonly unitMinutes: number;
    readonly minimumMinutes: number;
    readonly maximumMinutes: number;
    readonly unitsPerDailyRate: number;
  };
  /** "±HH:MM": business day D runs from D 00:00 + offset to D+1 00:00 + offset, local wall time. */
  readonly businessDayOffset: string;
  readonly weekendDays: readonly Weekday[];
  /** "YYYY-MM-DD" business dates priced as WEEKEND. */
  readonly holidays: readonly string[];
  /** Inclusive ranges of business dates priced as WEEKEND. */
  readonly peakSeasons: readonly { readonly from: string; readonly to: string }[];
  readonly timeBands: readonly TimeBand[];
  readonly dailyCap: { readonly windowHours: number };
  readonly longRentalDiscounts: readonly { readonly minHours: number; readonly percent: number }[];
  /** Member tier name (case-sensitive) → percent off. */
  readonly memberDiscounts: Readonly<Record<string, number>>;
  /** Absent: the market offers no delivery and a quote asking for it is refused. */
  readonly delivery?: readonly DeliveryTier[];
  readonly lateReturn: {
    readonly graceMinutes: number;
    readonly flatFee: number;
    readonly surchargeFromMinutes: number;
    readonly surchargeMultiplier: number;
  };
  readonly earlyReturn: { readonly minMinutes: number; readonly maxMinutes: number; readonly creditPercent: number };
  readonly carModels: readonly CarModel[];
  /** RFC 3339 instant from which this version may be used; default: its publication time. */
  readonly effectiveFrom?: string;
}

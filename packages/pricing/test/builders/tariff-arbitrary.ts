import fc from "fast-check";
import type { CarModel, TariffDocument, TimeBand, Weekday } from "../../src/domain/tariff.js";
import { CAR_CLASSES, WEEKDAYS } from "../../src/domain/tariff.js";
import { referenceTariff } from "./tariff-builder.js";

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** Up to three non-overlapping bands; the last may wrap midnight. */
const timeBands: fc.Arbitrary<TimeBand[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 1439 }), { minLength: 0, maxLength: 6 })
  .chain((edges) => {
    const sorted = [...edges].sort((a, b) => a - b);
    const pairs: [number, number][] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) pairs.push([sorted[i] as number, sorted[i + 1] as number]);
    return fc.tuple(
      fc.constant(pairs),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 3, maxLength: 3 }),
    );
  })
  .map(([pairs, wrapLast, percents]) =>
    pairs.map(([from, to], i) => {
      // Wrapping the last band swaps its ends: it then covers the night around midnight instead.
      const [a, b] = wrapLast && i === pairs.length - 1 && pairs.length === 1 ? [to, from] : [from, to];
      return { name: `band-${i}`, from: hhmm(a), to: hhmm(b), percent: percents[i] ?? 100 };
    }),
  );

const offset = fc.integer({ min: -720, max: 720 }).map((m) => `${m < 0 ? "-" : "+"}${hhmm(Math.abs(m))}`);

/** A random valid tariff: zones with and without DST (and odd offsets), any grid that divides an hour. */
export function arbitraryTariff(): fc.Arbitrary<TariffDocument> {
  return fc
    .record({
      timeZone: fc.constantFrom(
        "Asia/Seoul",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "UTC",
      ),
      increment: fc.constantFrom(1, 10, 100),
      unitMinutes: fc.constantFrom(5, 10, 15, 20, 30, 60),
      unitsPerDailyRate: fc.integer({ min: 1, max: 300 }),
      minimumUnits: fc.integer({ min: 1, max: 6 }),
      businessDayOffset: offset,
      weekendDays: fc.subarray([...WEEKDAYS] as Weekday[]),
      holidays: fc.uniqueArray(fc.integer({ min: 0, max: 90 }), { maxLength: 8 }),
      timeBands,
      windowHours: fc.integer({ min: 1, max: 48 }),
      longRental: fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 3 }),
      memberPercent: fc.integer({ min: 0, max: 100 }),
      rates: fc.tuple(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 50_000 })),
      perKm: fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 })),
      carClass: fc.constantFrom(...CAR_CLASSES),
    })
    .map((r) => {
      const base = referenceTariff();
      const car: CarModel = {
        id: "car",
        name: "Car",
        class: r.carClass,
        fuel: "GASOLINE",
        dailyRate: { weekday: r.rates[0] * r.increment, weekend: r.rates[1] * r.increment },
        distanceRates: [{ upToKm: 100, perKm: r.perKm[0] }, { perKm: r.perKm[1] }],
      };
      const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n)).toISOString().slice(0, 10);
      return {
        ...base,
        timeZone: r.timeZone,
        roundingIncrement: r.increment,
        billing: {
          unitMinutes: r.unitMinutes,
          minimumMinutes: r.minimumUnits * r.unitMinutes,
          maximumMinutes: 43_200,
          unitsPerDailyRate: r.unitsPerDailyRate,
        },
        businessDayOffset: r.businessDayOffset,
        weekendDays: r.weekendDays,
        holidays: r.holidays.map(day),
        peakSeasons: [{ from: day(40), to: day(45) }],
        timeBands: r.timeBands,
        dailyCap: { windowHours: r.windowHours },
        longRentalDiscounts: r.longRental.map((percent, i) => ({ minHours: (i + 1) * 24, percent })),
        memberDiscounts: { GOLD: r.memberPercent },
        delivery: [{ underHours: 24, fee: 100 * r.increment }, { fee: 0 }],
        lateReturn: { ...base.lateReturn, flatFee: 100 * r.increment },
        carModels: [car],
      };
    });
}

/** Instants where some zone of `arbitraryTariff` changes its offset: periods often start near one. */
const OFFSET_CHANGES = [
  "2026-10-25T01:00:00Z",
  "2026-11-01T06:00:00Z",
  "2027-03-14T07:00:00Z",
  "2027-03-28T01:00:00Z",
].map((iso) => new Date(iso).getTime() / 60_000);

/**
 * A period on the tariff's grid: half of them start uniformly in late Oct 2026 – Jan 2027, the other half
 * within two days before an offset change, where run boundaries are easiest to get wrong.
 */
export function arbitraryPeriod(
  unitMinutes: number,
  minimumMinutes: number,
  maxUnits = 600,
): fc.Arbitrary<{ startAt: Date; endAt: Date }> {
  const first = Date.UTC(2026, 9, 20) / 60_000;
  const uniform = fc.integer({ min: 0, max: 90 * 1440 }).map((m) => first + m);
  const nearChange = fc
    .tuple(fc.constantFrom(...OFFSET_CHANGES), fc.integer({ min: 0, max: 2 * 1440 }))
    .map(([change, before]) => change - before);
  return fc
    .tuple(fc.oneof(uniform, nearChange), fc.integer({ min: minimumMinutes / unitMinutes, max: maxUnits }))
    .map(([startMinute, units]) => {
      const start = Math.ceil(startMinute / unitMinutes) * unitMinutes;
      return { startAt: new Date(start * 60_000), endAt: new Date((start + units * unitMinutes) * 60_000) };
    });
}

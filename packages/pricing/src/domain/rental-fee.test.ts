import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryPeriod, arbitraryTariff } from "../../test/builders/tariff-arbitrary.js";
import { compileTariff, epochDayOf, minutesOfOffset, minutesOfTime } from "./compiled-tariff.js";
import { priceRental } from "./price-rental.js";
import { explainRentalFee, rentalFee } from "./rental-fee.js";
import type { TariffDocument } from "./tariff.js";
import { WEEKDAYS } from "./tariff.js";

/**
 * The rules of spec §3.2–§3.5 read literally: every slot priced on its own from Intl's wall time. Slow, and
 * obviously right; the run-based implementation must agree with it to the won.
 */
function slotBySlotRentalFee(doc: TariffDocument, startAt: Date, endAt: Date): number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: doc.timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  });
  const car = doc.carModels[0];
  if (car === undefined) throw new Error("no car");
  const inc = doc.roundingIncrement;
  const unitMs = doc.billing.unitMinutes * 60_000;
  const slots = (endAt.getTime() - startAt.getTime()) / unitMs;
  const perWindow = (doc.dailyCap.windowHours * 60) / doc.billing.unitMinutes;
  let total = 0;
  for (let w = 0; w * perWindow < slots; w++) {
    let sum = 0;
    let cap = 0;
    for (let i = w * perWindow; i < Math.min(slots, (w + 1) * perWindow); i++) {
      const at = startAt.getTime() + i * unitMs;
      const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, Number(part.value)]));
      const p = { year: 0, month: 0, day: 0, hour: 0, minute: 0, ...parts };
      const wallMinutes = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) / 60_000;
      const businessDay = Math.floor((wallMinutes - minutesOfOffset(doc.businessDayOffset)) / 1440);
      const weekday = WEEKDAYS[(((businessDay + 3) % 7) + 7) % 7] as (typeof WEEKDAYS)[number];
      const weekend =
        doc.weekendDays.includes(weekday) ||
        doc.holidays.some((h) => epochDayOf(h) === businessDay) ||
        doc.peakSeasons.some((s) => businessDay >= epochDayOf(s.from) && businessDay <= epochDayOf(s.to));
      const daily = weekend ? car.dailyRate.weekend : car.dailyRate.weekday;
      const unit = Math.floor(daily / doc.billing.unitsPerDailyRate / inc) * inc;
      const minuteOfDay = p.hour * 60 + p.minute;
      const band = doc.timeBands.find((b) => {
        const from = minutesOfTime(b.from);
        const to = minutesOfTime(b.to);
        return from < to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
      });
      sum += band === undefined ? unit : Math.floor((unit * band.percent) / 100 / inc) * inc;
      cap = Math.max(cap, daily);
    }
    total += Math.min(sum, cap);
  }
  return total;
}

const tariffAndPeriod = arbitraryTariff().chain((doc) =>
  fc.tuple(fc.constant(doc), arbitraryPeriod(doc.billing.unitMinutes, doc.billing.minimumMinutes)),
);

describe("rental fee — properties over random tariffs and periods", () => {
  it("equals the slot-by-slot reading of the rules", () => {
    fc.assert(
      fc.property(tariffAndPeriod, ([doc, { startAt, endAt }]) => {
        const tariff = compileTariff(doc);
        const car = tariff.carModels.get("car");
        if (car === undefined) return false;
        expect(rentalFee(tariff, car, startAt.getTime() / 60_000, endAt.getTime() / 60_000)).toBe(
          slotBySlotRentalFee(doc, startAt, endAt),
        );
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("prices full windows by their cap alone exactly as slot by slot would (the shortcut's premise)", () => {
    const arbitraryCappedTariff = arbitraryTariff().filter(
      (doc) => compileTariff(doc).carModels.get("car")?.fullWindowAlwaysCapped === true,
    );
    fc.assert(
      fc.property(
        arbitraryCappedTariff.chain((doc) =>
          fc.tuple(fc.constant(doc), arbitraryPeriod(doc.billing.unitMinutes, doc.billing.minimumMinutes, 3000)),
        ),
        ([doc, { startAt, endAt }]) => {
          const tariff = compileTariff(doc);
          const car = tariff.carModels.get("car");
          if (car === undefined) return false;
          const start = startAt.getTime() / 60_000;
          const end = endAt.getTime() / 60_000;
          // The explained path never takes the shortcut.
          expect(rentalFee(tariff, car, start, end)).toBe(explainRentalFee(tariff, car, start, end).fee);
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it("never puts a window above its cap, and the windows add up to the fee", () => {
    fc.assert(
      fc.property(tariffAndPeriod, ([doc, { startAt, endAt }]) => {
        const tariff = compileTariff(doc);
        const car = tariff.carModels.get("car");
        if (car === undefined) return false;
        const { fee, windows } = explainRentalFee(tariff, car, startAt.getTime() / 60_000, endAt.getTime() / 60_000);
        for (const window of windows) {
          expect(window.fee).toBeLessThanOrEqual(window.cap);
          expect(window.fee).toBe(Math.min(window.sum, window.cap));
          expect(window.slotGroups.reduce((s, g) => s + g.slotPrice * g.count, 0)).toBe(window.sum);
        }
        expect(windows.reduce((s, w) => s + w.fee, 0)).toBe(fee);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("never lowers the rental fee when endAt moves later", () => {
    fc.assert(
      fc.property(tariffAndPeriod, fc.integer({ min: 1, max: 300 }), ([doc, { startAt, endAt }], extraUnits) => {
        const tariff = compileTariff(doc);
        const car = tariff.carModels.get("car");
        if (car === undefined) return false;
        const start = startAt.getTime() / 60_000;
        const end = endAt.getTime() / 60_000;
        expect(rentalFee(tariff, car, start, end + extraUnits * tariff.unitMinutes)).toBeGreaterThanOrEqual(
          rentalFee(tariff, car, start, end),
        );
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every amount of a quote non-negative and a multiple of the rounding increment", () => {
    fc.assert(
      fc.property(
        tariffAndPeriod,
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        ([doc, { startAt, endAt }], member, delivery, estimatedKm) => {
          const tariff = compileTariff(doc);
          const car = tariff.carModels.get("car");
          if (car === undefined) return false;
          const result = priceRental(tariff, car, {
            startAt,
            endAt,
            memberTier: member ? "GOLD" : "",
            delivery,
            estimatedKm,
          });
          if (!result.ok) return result.error.code === "PRICING.INVALID_PERIOD";
          const q = result.value;
          const amounts = [
            q.rentalFee,
            q.longRentalDiscount,
            q.memberDiscount,
            q.couponDiscount,
            q.deliveryFee,
            q.distanceFeeEstimate,
            q.dueAtBooking,
            q.estimatedAfterReturn,
            q.totalEstimate,
          ];
          for (const amount of amounts) {
            expect(amount).toBeGreaterThanOrEqual(0);
            expect(Number.isSafeInteger(amount)).toBe(true);
            expect(amount % doc.roundingIncrement).toBe(0);
          }
          for (const line of q.lines) expect(Math.abs(line.amount) % doc.roundingIncrement).toBe(0);
          expect(q.lines.reduce((s, l) => s + l.amount, 0)).toBe(q.totalEstimate);
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

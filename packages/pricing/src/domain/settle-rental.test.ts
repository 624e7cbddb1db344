import { describe, expect, it } from "vitest";
import { compiled, seoul } from "../../test/builders/tariff-builder.js";
import { settleRental } from "./settle-rental.js";

const tariff = compiled();
const sonata = tariff.carModels.get("sonata-dn8");
if (sonata === undefined) throw new Error("fixture lacks the Sonata");

const workedExample = { startAt: seoul("2026-11-28 10:00"), endAt: seoul("2026-11-29 12:00") };
const weekdayNoon = { startAt: seoul("2026-11-24 10:00"), endAt: seoul("2026-11-24 12:00") };
const minutes = (n: number) => n * 60_000;
const after = (date: Date, ms: number) => new Date(date.getTime() + ms);

function settle(rental: { startAt: Date; endAt: Date }, returnedAt: Date, drivenKm = 0) {
  const result = settleRental(tariff, sonata as NonNullable<typeof sonata>, rental, returnedAt, drivenKm);
  if (!result.ok) throw new Error(`refused: ${result.error.code}`);
  return result.value;
}

describe("settleRental — late return (spec §4)", () => {
  it.each([
    ["1 second late", 1000, 0],
    ["9 minutes 59 seconds late (inside the grace period)", minutes(10) - 1000, 0],
    ["exactly 10 minutes late (the flat fee starts)", minutes(10), 10_000],
    ["29 minutes 59 seconds late (still the flat fee)", minutes(30) - 1000, 10_000],
    ["exactly 30 minutes late (flat fee + 2 × 3 slots)", minutes(30), 10_000 + 2 * 3 * 1140],
    ["30 minutes 1 second late (4 slots started)", minutes(30) + 1000, 10_000 + 2 * 4 * 1140],
    ["40 minutes late on a weekday noon rental (spec example)", minutes(40), 19_120],
  ])("charges %s: %i", (_name, lateMs, fee) => {
    const settlement = settle(weekdayNoon, after(weekdayNoon.endAt, lateMs));
    expect(settlement.lateReturnFee).toBe(fee);
    expect(settlement.dueAfterReturn).toBe(fee);
    expect(settlement.lines.map((l) => l.code)).toEqual(fee === 0 ? [] : ["LATE_RETURN_FEE"]);
  });

  it("prices the late slots without a cap: 25 hours late on a weekday", () => {
    // 150 slots from Tue 12:00: Wed 02:00–06:00 is late-night (24 × 790), Tue 19:00 starts Wed's business
    // day, still a weekday; the rest at 1,140.
    const settlement = settle(weekdayNoon, after(weekdayNoon.endAt, minutes(25 * 60)));
    expect(settlement.lateReturnFee).toBe(10_000 + 2 * (126 * 1140 + 24 * 790));
  });
});

describe("settleRental — early return (spec §4)", () => {
  it("credits half of what the unused hour would have cost: worked example returned Sun 11:00", () => {
    const settlement = settle(workedExample, seoul("2026-11-29 11:00"));
    expect(settlement.earlyReturnCredit).toBe(4770);
    expect(settlement.credits).toEqual([{ code: "EARLY_RETURN_CREDIT", label: "Early-return credit", amount: 4770 }]);
    expect(settlement.dueAfterReturn).toBe(0);
  });

  it("rounds the return up to the grid: 19 minutes early counts as 10", () => {
    expect(settle(weekdayNoon, seoul("2026-11-24 11:41")).earlyReturnCredit).toBe(570);
    expect(settle(weekdayNoon, seoul("2026-11-24 11:50")).earlyReturnCredit).toBe(570);
  });

  it("gives nothing below 10 minutes early", () => {
    expect(settle(weekdayNoon, after(seoul("2026-11-24 11:50"), 1000)).earlyReturnCredit).toBe(0);
  });

  it("credits exactly 600 minutes early and nothing beyond", () => {
    // R(Sat 10:00 → Sun 02:00) is capped at 95,700: (114,780 − 95,700) × 50 %
    expect(settle(workedExample, seoul("2026-11-29 02:00")).earlyReturnCredit).toBe(9540);
    expect(settle(workedExample, after(seoul("2026-11-29 02:00"), -1000)).earlyReturnCredit).toBe(0);
  });

  it("counts at least the minimum rental as used", () => {
    // returned at 10:05: used = max(10:10, 10:30) → (13,680 − 3,420) × 50 %
    expect(settle(weekdayNoon, seoul("2026-11-24 10:05")).earlyReturnCredit).toBe(5130);
  });

  it("refuses a return before the rental started", () => {
    const result = settleRental(tariff, sonata, weekdayNoon, seoul("2026-11-24 09:59"), 0);
    expect(result.ok ? "ok" : result.error.code).toBe("PRICING.INVALID_RETURN");
  });

  it("refuses a return more than 366 days after the end (it would be settled by hand)", () => {
    const result = settleRental(tariff, sonata, weekdayNoon, after(weekdayNoon.endAt, minutes(366 * 1440) + 1000), 0);
    expect(result.ok ? "ok" : result.error.code).toBe("PRICING.INVALID_RETURN");
    expect(settle(weekdayNoon, after(weekdayNoon.endAt, minutes(366 * 1440))).lateReturnFee).toBeGreaterThan(0);
  });

  it("accepts a return at the very start (an unused rental) as an early return outside the range", () => {
    expect(settle(weekdayNoon, weekdayNoon.startAt).earlyReturnCredit).toBe(5130);
  });
});

describe("settleRental — distance", () => {
  it("charges the driven km by tier and lists the late fee before the distance (the order of spec §4)", () => {
    const settlement = settle(weekdayNoon, after(weekdayNoon.endAt, minutes(40)), 120);
    expect(settlement.lines).toEqual([
      { code: "LATE_RETURN_FEE", label: "Late-return fee", amount: 19_120 },
      { code: "DISTANCE_FEE", label: "Distance fee (120 km)", amount: 25_520 },
    ]);
    expect(settlement.dueAfterReturn).toBe(44_640);
  });
});

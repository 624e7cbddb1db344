import { describe, expect, it } from "vitest";
import { aTariff, compiled } from "../../test/builders/tariff-builder.js";
import { priceRental } from "./price-rental.js";
import { zoneRules } from "./zone-rules.js";

// A Berlin tariff in euro cents: business days start at midnight, 60 € on weekdays and 72 € on weekends
// (unit 100 / 120 cents), and a "night" band of 02:00–03:00 at half price — the very hour that daylight
// saving time removes in March and repeats in October.
const berlin = compiled(
  aTariff({
    id: "de-standard",
    market: "de",
    currency: "EUR",
    timeZone: "Europe/Berlin",
    roundingIncrement: 1,
    businessDayOffset: "+00:00",
    holidays: [],
    peakSeasons: [],
    timeBands: [{ name: "night", from: "02:00", to: "03:00", percent: 50 }],
    longRentalDiscounts: [],
    carModels: [
      {
        id: "golf",
        name: "VW Golf",
        class: "COMPACT",
        fuel: "GASOLINE",
        dailyRate: { weekday: 6000, weekend: 7200 },
        distanceRates: [{ perKm: 25 }],
      },
    ],
  }),
);
const golf = berlin.carModels.get("golf");

function explain(startAt: string, endAt: string) {
  if (golf === undefined) throw new Error("no golf");
  const result = priceRental(berlin, golf, { startAt: new Date(startAt), endAt: new Date(endAt), explain: true });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("Europe/Berlin across daylight-saving changes", () => {
  it("knows the offsets on both sides of each change", () => {
    const zone = zoneRules("Europe/Berlin");
    const minute = (iso: string) => new Date(iso).getTime() / 60_000;
    expect(zone.offsetAt(minute("2026-03-29T00:59:00Z"))).toBe(60);
    expect(zone.offsetAt(minute("2026-03-29T01:00:00Z"))).toBe(120);
    expect(zone.offsetAt(minute("2026-10-25T00:59:00Z"))).toBe(120);
    expect(zone.offsetAt(minute("2026-10-25T01:00:00Z"))).toBe(60);
  });

  it("spring forward: Sun 29 March 00:00 → 06:00 local is 5 real hours, none of them in the missing 02:00 hour", () => {
    const quote = explain("2026-03-29T00:00:00+01:00", "2026-03-29T06:00:00+02:00");
    expect(quote.explanation?.[0]?.slotGroups).toEqual([
      { dayType: "WEEKEND", timeBand: "", slotPrice: 120, count: 30 },
    ]);
    expect(quote.rentalFee).toBe(3600);
  });

  it("fall back: Sun 25 October 00:00 → 06:00 local is 7 real hours, the 02:00 hour priced twice at night rate", () => {
    const quote = explain("2026-10-25T00:00:00+02:00", "2026-10-25T06:00:00+01:00");
    expect(quote.explanation?.[0]?.slotGroups).toEqual([
      { dayType: "WEEKEND", timeBand: "", slotPrice: 120, count: 30 },
      { dayType: "WEEKEND", timeBand: "night", slotPrice: 60, count: 12 },
    ]);
    expect(quote.rentalFee).toBe(30 * 120 + 12 * 60);
  });

  it("moves a band edge with the clock: Sun 29 March 00:00 CET → 08:00 CEST has its 05:00 hour at night rate", () => {
    const early = compiled({
      ...berlin.document,
      timeBands: [{ name: "dawn", from: "05:00", to: "06:00", percent: 50 }],
    });
    const car = early.carModels.get("golf");
    if (car === undefined) throw new Error("no golf");
    const result = priceRental(early, car, {
      startAt: new Date("2026-03-29T00:00:00+01:00"),
      endAt: new Date("2026-03-29T08:00:00+02:00"),
    });
    // 7 real hours: 6 slots of 05:00–06:00 CEST at 60, the other 36 at 120.
    expect(result.ok && result.value.rentalFee).toBe(6 * 60 + 36 * 120);
  });

  it("keeps cap windows 24 real hours long across the change: Sat 12:00 → Mon 12:00 in March", () => {
    const quote = explain("2026-03-28T12:00:00+01:00", "2026-03-30T12:00:00+02:00");
    // 47 real hours: window 0 ends Sun 13:00 local (24 h after Sat 12:00 CET), window 1 at Mon 12:00.
    expect(quote.explanation?.map((w) => w.endAt.toISOString())).toEqual([
      "2026-03-29T11:00:00.000Z",
      "2026-03-30T10:00:00.000Z",
    ]);
    expect(quote.explanation?.map((w) => w.fee)).toEqual([7200, 7200]);
  });
});

describe("zone rules", () => {
  it("has a single offset all year in Seoul", () => {
    const zone = zoneRules("Asia/Seoul");
    const minute = new Date("2026-06-01T00:00:00Z").getTime() / 60_000;
    expect(zone.offsetAt(minute)).toBe(540);
    expect(zone.offsetAt(minute + 200 * 1440)).toBe(540);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceTariff } from "../../test/builders/tariff-builder.js";
import type { TariffDocument } from "./tariff.js";
import { checkTariffRules } from "./tariff-rules.js";

type Draft<T> = { -readonly [K in keyof T]: Draft<T[K]> };

const publishedAt = new Date("2026-11-25T05:00:00Z");

/** The reference tariff of spec §2 after `change` was applied to a deep copy of it. */
function tariffWith(change: (draft: Draft<TariffDocument>) => void): TariffDocument {
  const draft = structuredClone(referenceTariff()) as Draft<TariffDocument>;
  change(draft);
  return draft;
}

function issuesOf(change: (draft: Draft<TariffDocument>) => void, at: Date = publishedAt) {
  return checkTariffRules(tariffWith(change), at);
}

function fieldsOf(change: (draft: Draft<TariffDocument>) => void, at?: Date): string[] {
  return issuesOf(change, at).map((issue) => issue.field);
}

/** The one car model of the reference tariff. */
function sonata(draft: Draft<TariffDocument>): Draft<TariffDocument["carModels"][number]> {
  const model = draft.carModels[0];
  if (model === undefined) throw new Error("the reference tariff has a car model");
  return model;
}

function band(from: string, to: string, name = `${from}-${to}`) {
  return { name, from, to, percent: 50 };
}

describe("checkTariffRules", () => {
  it("finds nothing wrong with the reference tariff of spec §2", () => {
    expect(checkTariffRules(referenceTariff(), publishedAt)).toEqual([]);
  });

  describe("limits that keep pricing exact and bounded", () => {
    it("refuses a maximum rental longer than 366 days", () => {
      expect(
        fieldsOf((d) => {
          d.billing.maximumMinutes = 527_050;
        }),
      ).toEqual(["billing.maximumMinutes"]);
      expect(
        fieldsOf((d) => {
          d.billing.maximumMinutes = 527_040;
        }),
      ).toEqual([]);
    });

    it("refuses daily rates so large that a rental or late-return fee could pass 2^53", () => {
      expect(
        fieldsOf((d) => {
          d.roundingIncrement = 1;
          d.billing.unitsPerDailyRate = 1;
          sonata(d).dailyRate.weekend = 1_000_000_000_000;
        }),
      ).toEqual(["carModels[0].dailyRate"]);
    });

    it("refuses a per-km price that 1,000,000 km would push past 2^53", () => {
      expect(
        fieldsOf((d) => {
          sonata(d).distanceRates = [{ perKm: 10_000_000_000 }];
        }),
      ).toEqual(["carModels[0].distanceRates[0].perKm"]);
    });
  });

  describe("amounts on the rounding grid", () => {
    it("refuses a daily rate that is not a multiple of the rounding increment, naming carModels[0].dailyRate.weekday", () => {
      expect(
        issuesOf((d) => {
          sonata(d).dailyRate.weekday = 68_905;
        }),
      ).toEqual([
        {
          field: "carModels[0].dailyRate.weekday",
          message: "must be a multiple of the rounding increment (10), got 68905",
        },
      ]);
    });

    it("refuses delivery fees and the late-return flat fee off the grid, naming each", () => {
      const fields = fieldsOf((d) => {
        d.roundingIncrement = 100;
        d.delivery = [{ underHours: 24, fee: 15_950 }, { fee: 0 }];
        d.lateReturn.flatFee = 10_010;
        sonata(d).dailyRate = { weekday: 68_900, weekend: 95_700 };
      });
      expect(fields).toEqual(["delivery[0].fee", "lateReturn.flatFee"]);
    });

    it("does not ask per-km prices to sit on the grid, because the distance fee is rounded as a whole", () => {
      expect(
        issuesOf((d) => {
          sonata(d).distanceRates = [{ upToKm: 100, perKm: 225 }, { perKm: 176 }];
        }),
      ).toEqual([]);
    });
  });

  describe("the billing grid", () => {
    it("refuses a unit that does not divide 60, naming billing.unitMinutes", () => {
      expect(
        fieldsOf((d) => {
          d.billing.unitMinutes = 7;
        }),
      ).toEqual(["billing.unitMinutes"]);
    });

    it("accepts every unit that divides an hour", () => {
      for (const unitMinutes of [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60]) {
        const issues = issuesOf((d) => {
          d.billing = { unitMinutes, minimumMinutes: 60, maximumMinutes: 43_200, unitsPerDailyRate: 60 };
        });
        expect(issues, `unitMinutes ${unitMinutes}`).toEqual([]);
      }
    });

    it("refuses minimum and maximum minutes off the unit grid, naming both", () => {
      const issues = issuesOf((d) => {
        d.billing.minimumMinutes = 35;
        d.billing.maximumMinutes = 43_205;
      });
      expect(issues).toEqual([
        { field: "billing.minimumMinutes", message: "must be a multiple of billing.unitMinutes (10), got 35" },
        { field: "billing.maximumMinutes", message: "must be a multiple of billing.unitMinutes (10), got 43205" },
      ]);
    });

    it("refuses a minimum longer than the maximum, naming billing.minimumMinutes", () => {
      expect(
        issuesOf((d) => {
          d.billing.minimumMinutes = 600;
          d.billing.maximumMinutes = 300;
        }),
      ).toEqual([
        { field: "billing.minimumMinutes", message: "must not be greater than billing.maximumMinutes (300), got 600" },
      ]);
    });
  });

  describe("tiers", () => {
    it("refuses long-rental tiers that do not strictly ascend in minHours, naming the tier out of order", () => {
      expect(
        fieldsOf((d) => {
          d.longRentalDiscounts = [
            { minHours: 72, percent: 20 },
            { minHours: 24, percent: 10 },
            { minHours: 24, percent: 15 },
          ];
        }),
      ).toEqual(["longRentalDiscounts[1].minHours", "longRentalDiscounts[2].minHours"]);
    });

    it("refuses delivery tiers that do not strictly ascend in underHours, naming delivery[1].underHours", () => {
      const issues = issuesOf((d) => {
        d.delivery = [{ underHours: 24, fee: 15_900 }, { underHours: 12, fee: 9_900 }, { fee: 0 }];
      });
      expect(issues).toEqual([
        {
          field: "delivery[1].underHours",
          message:
            "must be greater than 24, the underHours of the tier before (tiers go in strictly ascending underHours), got 12",
        },
      ]);
    });

    it("refuses delivery whose last tier has an underHours, because nothing would price longer rentals", () => {
      expect(
        fieldsOf((d) => {
          d.delivery = [{ underHours: 24, fee: 15_900 }];
        }),
      ).toEqual(["delivery[0].underHours"]);
    });

    it("refuses an open delivery tier that is not the last one, naming it", () => {
      expect(
        fieldsOf((d) => {
          d.delivery = [{ fee: 0 }, { underHours: 24, fee: 15_900 }, { fee: 0 }];
        }),
      ).toEqual(["delivery[0].underHours"]);
    });

    it("refuses an empty delivery list, naming delivery", () => {
      expect(
        fieldsOf((d) => {
          d.delivery = [];
        }),
      ).toEqual(["delivery"]);
    });

    it("accepts a tariff without delivery at all", () => {
      expect(
        issuesOf((d) => {
          delete d.delivery;
        }),
      ).toEqual([]);
    });

    it("refuses distance tiers that do not strictly ascend in upToKm, naming carModels[0].distanceRates[1].upToKm", () => {
      expect(
        fieldsOf((d) => {
          sonata(d).distanceRates = [{ upToKm: 100, perKm: 220 }, { upToKm: 100, perKm: 200 }, { perKm: 176 }];
        }),
      ).toEqual(["carModels[0].distanceRates[1].upToKm"]);
    });

    it("refuses distance tiers without a final open tier, naming the last tier's upToKm", () => {
      expect(
        fieldsOf((d) => {
          sonata(d).distanceRates = [{ upToKm: 100, perKm: 220 }];
        }),
      ).toEqual(["carModels[0].distanceRates[0].upToKm"]);
    });

    it("refuses two open distance tiers, naming the first", () => {
      expect(
        fieldsOf((d) => {
          sonata(d).distanceRates = [{ perKm: 220 }, { perKm: 176 }];
        }),
      ).toEqual(["carModels[0].distanceRates[0].upToKm"]);
    });
  });

  describe("time bands", () => {
    it("refuses a band whose from equals its to, naming timeBands[0]", () => {
      const issues = issuesOf((d) => {
        d.timeBands = [band("05:00", "05:00")];
      });
      expect(issues).toHaveLength(1);
      expect(issues[0]?.field).toBe("timeBands[0]");
      expect(issues[0]?.message).toContain('from and to are both "05:00"');
    });

    it("refuses overlapping bands, naming the later one and the band it overlaps", () => {
      const issues = issuesOf((d) => {
        d.timeBands = [band("02:00", "06:00", "late-night"), band("05:00", "08:00", "dawn")];
      });
      expect(issues).toEqual([
        {
          field: "timeBands[1]",
          message: "overlaps timeBands[0] (late-night, 02:00–06:00): a moment of the day can be in one band only",
        },
      ]);
    });

    it("refuses a band past midnight that overlaps one after midnight", () => {
      expect(
        fieldsOf((d) => {
          d.timeBands = [band("02:00", "06:00"), band("22:00", "03:00")];
        }),
      ).toEqual(["timeBands[1]"]);
    });

    it("refuses two bands that both wrap past midnight", () => {
      expect(
        fieldsOf((d) => {
          d.timeBands = [band("23:00", "01:00"), band("23:30", "00:30")];
        }),
      ).toEqual(["timeBands[1]"]);
    });

    it("accepts bands that touch, since to is excluded, including one that ends at midnight", () => {
      expect(
        issuesOf((d) => {
          d.timeBands = [
            band("02:00", "06:00"),
            band("06:00", "09:00"),
            band("22:00", "00:00"),
            band("00:00", "02:00"),
          ];
        }),
      ).toEqual([]);
    });

    it("accepts a wrapping band next to a daytime one", () => {
      expect(
        issuesOf((d) => {
          d.timeBands = [band("22:00", "06:00"), band("06:00", "22:00")];
        }),
      ).toEqual([]);
    });

    it("names every band a later band overlaps", () => {
      const issues = issuesOf((d) => {
        d.timeBands = [band("01:00", "02:00"), band("03:00", "04:00"), band("00:00", "05:00")];
      });
      expect(issues.map((i) => [i.field, i.message.slice(0, 22)])).toEqual([
        ["timeBands[2]", "overlaps timeBands[0] "],
        ["timeBands[2]", "overlaps timeBands[1] "],
      ]);
    });
    it("names every band that overlaps another, and only true overlaps (checked against every pair)", () => {
      const time = fc.integer({ min: 0, max: 47 }).map((half) => {
        const minutes = half * 30;
        return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
      });
      const bandArb = fc.tuple(time, time).filter(([from, to]) => from !== to);
      fc.assert(
        fc.property(fc.array(bandArb, { maxLength: 6 }), (pairs) => {
          const bands = pairs.map(([from, to]) => band(from, to));
          const reported = issuesOf((d) => {
            d.timeBands = bands;
          }).map((issue) => {
            const i = Number(/^overlaps timeBands\[(\d+)\]/.exec(issue.message)?.[1]);
            const j = Number(/^timeBands\[(\d+)\]$/.exec(issue.field)?.[1]);
            return [i, j] as const;
          });
          const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
          const covers = (b: { from: string; to: string } | undefined, m: number) => {
            if (b === undefined) return false;
            const [from, to] = [minutes(b.from), minutes(b.to)];
            return from < to ? m >= from && m < to : m >= from || m < to;
          };
          // On a 30-minute grid, two bands overlap exactly when they share a half-hour slot.
          const overlap = (a: number, b: number) =>
            Array.from({ length: 48 }, (_, k) => k * 30).some((m) => covers(bands[a], m) && covers(bands[b], m));
          for (const [i, j] of reported) expect(i < j && overlap(i, j)).toBe(true);
          const involved = new Set(reported.flat());
          bands.forEach((_, a) => {
            expect(involved.has(a)).toBe(bands.some((__, b) => a !== b && overlap(a, b)));
          });
        }),
      );
    });
  });

  describe("car models", () => {
    it("refuses a car model id used twice, naming the second carModels[1].id", () => {
      const issues = issuesOf((d) => {
        d.carModels.push(structuredClone(sonata(d)));
      });
      expect(issues).toEqual([
        {
          field: "carModels[1].id",
          message: '"sonata-dn8" is already the id of carModels[0]; car model ids must be unique',
        },
      ]);
    });
  });

  describe("time zone and currency", () => {
    it("refuses an unknown time zone, naming timeZone", () => {
      expect(
        issuesOf((d) => {
          d.timeZone = "Asia/Gotham";
        }),
      ).toEqual([{ field: "timeZone", message: '"Asia/Gotham" is not a known IANA time zone, e.g. Asia/Seoul' }]);
    });

    it("accepts IANA aliases such as UTC, Etc/UTC and Asia/Calcutta", () => {
      for (const timeZone of ["UTC", "Etc/UTC", "Asia/Calcutta", "Asia/Kolkata", "Asia/Kuala_Lumpur", "Etc/GMT-9"]) {
        expect(
          issuesOf((d) => {
            d.timeZone = timeZone;
          }),
          timeZone,
        ).toEqual([]);
      }
    });

    it("refuses a fixed offset in place of a time zone name", () => {
      expect(
        fieldsOf((d) => {
          d.timeZone = "+09:00";
        }),
      ).toEqual(["timeZone"]);
    });

    it("refuses a time zone written in the wrong case, saying how to write it", () => {
      expect(
        issuesOf((d) => {
          d.timeZone = "asia/seoul";
        }),
      ).toEqual([{ field: "timeZone", message: 'write the time zone as "Asia/Seoul", not "asia/seoul"' }]);
    });

    it("refuses a currency ISO 4217 does not have in use, naming currency", () => {
      for (const currency of ["KRX", "XXX", "DEM"]) {
        expect(
          fieldsOf((d) => {
            d.currency = currency;
          }),
          currency,
        ).toEqual(["currency"]);
      }
    });

    it("accepts the currencies of the markets we run", () => {
      for (const currency of ["KRW", "MYR", "USD", "JPY"]) {
        expect(
          issuesOf((d) => {
            d.currency = currency;
          }),
        ).toEqual([]);
      }
    });
  });

  describe("late and early return", () => {
    it("refuses a grace period longer than the start of the surcharge, naming lateReturn.graceMinutes", () => {
      expect(
        issuesOf((d) => {
          d.lateReturn.graceMinutes = 40;
        }),
      ).toEqual([
        {
          field: "lateReturn.graceMinutes",
          message: "must not be greater than lateReturn.surchargeFromMinutes (30), got 40",
        },
      ]);
    });

    it("accepts a grace period equal to the start of the surcharge (no flat-fee-only stretch)", () => {
      expect(
        issuesOf((d) => {
          d.lateReturn.graceMinutes = 30;
        }),
      ).toEqual([]);
    });

    it("refuses an early-return minimum above its maximum, naming earlyReturn.minMinutes", () => {
      expect(
        fieldsOf((d) => {
          d.earlyReturn.minMinutes = 700;
        }),
      ).toEqual(["earlyReturn.minMinutes"]);
    });
  });

  describe("dates", () => {
    it("refuses a holiday that is not in the calendar, naming holidays[1]", () => {
      expect(
        issuesOf((d) => {
          d.holidays = ["2026-12-25", "2027-02-29"];
        }),
      ).toEqual([{ field: "holidays[1]", message: '"2027-02-29" is not a date in the calendar' }]);
    });

    it("accepts February 29th in a leap year", () => {
      expect(
        issuesOf((d) => {
          d.holidays = ["2028-02-29"];
        }),
      ).toEqual([]);
    });

    it("refuses a peak season ending before it starts, naming peakSeasons[0].from", () => {
      expect(
        issuesOf((d) => {
          d.peakSeasons = [{ from: "2026-08-09", to: "2026-07-25" }];
        }),
      ).toEqual([
        { field: "peakSeasons[0].from", message: "must not be after peakSeasons[0].to (2026-07-25), got 2026-08-09" },
      ]);
    });

    it("accepts a one-day peak season", () => {
      expect(
        issuesOf((d) => {
          d.peakSeasons = [{ from: "2026-08-15", to: "2026-08-15" }];
        }),
      ).toEqual([]);
    });

    it("refuses peak-season dates that are not in the calendar, naming each end", () => {
      expect(
        fieldsOf((d) => {
          d.peakSeasons = [{ from: "2026-04-31", to: "2026-06-31" }];
        }),
      ).toEqual(["peakSeasons[0].from", "peakSeasons[0].to"]);
    });
  });

  describe("effectiveFrom", () => {
    it("refuses an effectiveFrom earlier than the moment of publication, naming effectiveFrom", () => {
      const issues = issuesOf((d) => {
        d.effectiveFrom = "2026-11-25T13:59:59+09:00";
      });
      expect(issues).toEqual([
        {
          field: "effectiveFrom",
          message:
            "2026-11-25T13:59:59+09:00 is earlier than the moment of publication (2026-11-25T05:00:00.000Z): a new version cannot take effect in the past",
        },
      ]);
    });

    it("accepts an effectiveFrom at the very moment of publication, whatever offset it is written in", () => {
      for (const effectiveFrom of [
        "2026-11-25T14:00:00+09:00",
        "2026-11-25T05:00:00Z",
        "2026-11-25T00:00:00.000-05:00",
      ]) {
        expect(
          issuesOf((d) => {
            d.effectiveFrom = effectiveFrom;
          }),
          effectiveFrom,
        ).toEqual([]);
      }
    });

    it("accepts an effectiveFrom in the future", () => {
      expect(
        issuesOf((d) => {
          d.effectiveFrom = "2027-01-01T00:00:00+09:00";
        }),
      ).toEqual([]);
    });

    it("refuses an effectiveFrom that is not an RFC 3339 instant", () => {
      for (const effectiveFrom of ["2027-01-01", "2027-02-30T00:00:00Z", "2027-01-01T00:00:00", "next monday"]) {
        expect(
          fieldsOf((d) => {
            d.effectiveFrom = effectiveFrom;
          }),
          effectiveFrom,
        ).toEqual(["effectiveFrom"]);
      }
    });
  });

  it("reports every problem of a document at once, in the order of its fields", () => {
    const fields = fieldsOf((d) => {
      d.currency = "ABC";
      d.billing.unitMinutes = 7;
      d.timeBands = [band("05:00", "05:00")];
      d.lateReturn.flatFee = 10_001;
      sonata(d).dailyRate.weekend = 95_701;
      d.effectiveFrom = "2020-01-01T00:00:00Z";
    });
    expect(fields).toEqual([
      "currency",
      "billing.unitMinutes",
      "timeBands[0]",
      "lateReturn.flatFee",
      "carModels[0].dailyRate.weekend",
      "effectiveFrom",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { FakeClock, InMemorySettlements, published, RecordedQuotes, testTokens } from "../../test/builders/fakes.js";
import { aTariff, referenceTariff, seoul } from "../../test/builders/tariff-builder.js";
import type { Coupon } from "../domain/coupon.js";
import { CouponBook } from "./coupon-book.js";
import { QUOTE_VALIDITY_MS, quoteRental } from "./quote-rental.js";
import { settleQuote } from "./settle-quote.js";
import { TariffCatalog } from "./tariff-catalog.js";

function setup() {
  const catalog = new TariffCatalog();
  catalog.add([published(referenceTariff())]);
  const clock = new FakeClock(new Date("2026-11-25T03:00:00Z"));
  const recorder = new RecordedQuotes();
  const coupons = new CouponBook();
  const tokens = testTokens();
  const settlements = new InMemorySettlements();
  let n = 0;
  const quoteDeps = {
    catalog,
    coupons,
    tokens,
    recorder,
    clock,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
  };
  const settleDeps = { catalog, tokens, settlements, clock };
  return { catalog, clock, recorder, coupons, tokens, settlements, quoteDeps, settleDeps };
}

const worked = {
  market: "kr",
  carModelId: "sonata-dn8",
  startAt: seoul("2026-11-28 10:00"),
  endAt: seoul("2026-11-29 12:00"),
  estimatedKm: 120,
};

function quoted(deps: ReturnType<typeof setup>["quoteDeps"], request = worked) {
  const result = quoteRental(deps, request);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("quoteRental", () => {
  it("quotes the worked example on the version in effect, signs it and hands it to the recorder", () => {
    const { quoteDeps, recorder, clock } = setup();
    const quote = quoted(quoteDeps);
    expect(quote).toMatchObject({
      tariffId: "kr-standard",
      tariffVersion: 1,
      currency: "KRW",
      dueAtBooking: 103_310,
      totalEstimate: 128_830,
      carClass: "MIDSIZE",
    });
    expect(quote.expiresAt.getTime() - clock.now().getTime()).toBe(QUOTE_VALIDITY_MS);
    expect(quote.token).toMatch(/^v1\.k1\./);
    expect(recorder.quotes).toEqual([quote]);
  });

  it("uses the newest version whose effectiveFrom has passed, and switches when the clock reaches the next", () => {
    const { quoteDeps, catalog, clock } = setup();
    const dearer = aTariff({
      carModels: referenceTariff().carModels.map((m) => ({ ...m, dailyRate: { weekday: 72_000, weekend: 99_000 } })),
    });
    catalog.add([published(dearer, 2, new Date("2026-12-01T00:00:00Z"))]);
    expect(quoted(quoteDeps).tariffVersion).toBe(1);
    clock.set(new Date("2026-12-01T00:00:00Z"));
    const later = quoted(quoteDeps);
    expect(later.tariffVersion).toBe(2);
    expect(later.rentalFee).toBe(99_000 + 12 * 1650);
  });

  it("prefers the higher version when two take effect at the same instant", () => {
    const { quoteDeps, catalog } = setup();
    catalog.add([published(aTariff({ memberDiscounts: { PASSPORT: 40 } }), 2, new Date("2026-01-01T00:00:00Z"))]);
    expect(quoted(quoteDeps).tariffVersion).toBe(2);
  });

  it.each([
    ["market", { market: "" }, "PRICING.INVALID_REQUEST", "market"],
    ["car model", { carModelId: "" }, "PRICING.INVALID_REQUEST", "car_model_id"],
    ["start", { startAt: new Date(Number.NaN) }, "PRICING.INVALID_REQUEST", "start_at"],
    ["km", { estimatedKm: 2_000_000 }, "PRICING.INVALID_REQUEST", "estimated_km"],
    ["market without tariff", { market: "jp" }, "PRICING.TARIFF_NOT_FOUND", "market"],
    ["unknown car model", { carModelId: "model-t" }, "PRICING.CAR_MODEL_NOT_FOUND", "car_model_id"],
  ])("refuses a bad %s and records nothing", (_name, change, code, field) => {
    const { quoteDeps, recorder } = setup();
    const result = quoteRental(quoteDeps, { ...worked, ...change });
    expect(result.ok ? "ok" : [result.error.code, result.error.issues[0]?.field]).toEqual([code, field]);
    expect(recorder.quotes).toHaveLength(0);
  });

  it("finds a coupon whatever the case of its code, in its own market only", () => {
    const { quoteDeps, coupons } = setup();
    const coupon: Coupon = {
      code: "WELCOME10",
      market: "kr",
      kind: "PERCENT",
      percent: 10,
      maxDiscount: 0,
      validFrom: new Date("2026-11-01T00:00:00Z"),
      validUntil: new Date("2026-12-01T00:00:00Z"),
      minMinutes: 0,
      carClasses: [],
    };
    coupons.put(coupon);
    expect(quoted(quoteDeps, { ...worked, couponCode: "welcome10" } as typeof worked).couponDiscount).toBe(10_330);
    coupons.replaceAll([{ ...coupon, market: "my" }]);
    const result = quoteRental(quoteDeps, { ...worked, couponCode: "WELCOME10" } as typeof worked);
    expect(result.ok ? "ok" : result.error.code).toBe("PRICING.COUPON_NOT_FOUND");
  });
});

describe("settleQuote", () => {
  it("settles the worked example returned at Sun 11:00 with 120 km: 25,520 due and a 4,770 credit", async () => {
    const { quoteDeps, settleDeps } = setup();
    const quote = quoted(quoteDeps);
    const result = await settleQuote(settleDeps, {
      token: quote.token,
      returnedAt: seoul("2026-11-29 11:00"),
      drivenKm: 120,
    });
    expect(result.ok && result.value).toMatchObject({
      quoteId: quote.quoteId,
      dueAfterReturn: 25_520,
      lines: [{ code: "DISTANCE_FEE", amount: 25_520 }],
      credits: [{ code: "EARLY_RETURN_CREDIT", amount: 4770 }],
    });
  });

  it("settles on the quote's tariff version even after a new one takes effect (price lock)", async () => {
    const { quoteDeps, settleDeps, catalog, clock } = setup();
    const quote = quoted(quoteDeps);
    catalog.add([
      published(
        aTariff({ lateReturn: { graceMinutes: 0, flatFee: 50_000, surchargeFromMinutes: 30, surchargeMultiplier: 3 } }),
        2,
        new Date("2026-11-26T00:00:00Z"),
      ),
    ]);
    clock.set(new Date("2026-11-29T04:00:00Z"));
    const result = await settleQuote(settleDeps, {
      token: quote.token,
      returnedAt: new Date(worked.endAt.getTime() + 15 * 60_000),
      drivenKm: 0,
    });
    expect(result.ok && result.value.dueAfterReturn).toBe(10_000);
  });

  it("returns the recorded settlement when the same token is settled again with the same inputs", async () => {
    const { quoteDeps, settleDeps, clock } = setup();
    const quote = quoted(quoteDeps);
    const request = { token: quote.token, returnedAt: seoul("2026-11-29 12:40"), drivenKm: 80 };
    const first = await settleQuote(settleDeps, request);
    clock.set(new Date("2026-11-30T00:00:00Z"));
    const second = await settleQuote(settleDeps, request);
    expect(second).toEqual(first);
  });

  it("refuses settling the same token again with other inputs: ALREADY_SETTLED, the record unchanged", async () => {
    const { quoteDeps, settleDeps, settlements } = setup();
    const quote = quoted(quoteDeps);
    await settleQuote(settleDeps, { token: quote.token, returnedAt: seoul("2026-11-29 12:00"), drivenKm: 80 });
    const again = await settleQuote(settleDeps, {
      token: quote.token,
      returnedAt: seoul("2026-11-29 12:00"),
      drivenKm: 81,
    });
    expect(again.ok ? "ok" : again.error.code).toBe("PRICING.ALREADY_SETTLED");
    expect(settlements.byQuoteId.get(quote.quoteId)?.drivenKm).toBe(80);
  });

  it.each([
    ["tampered", (t: string) => t.replace(/\.([A-Za-z0-9_-])/, (_m, c: string) => `.${c === "A" ? "B" : "A"}`)],
    [
      "tampered in the payload",
      (t: string) => {
        const [v, kid, payload, mac] = t.split(".");
        return [v, kid, `${payload?.slice(0, -2)}${payload?.endsWith("A") ? "B" : "A"}${payload?.slice(-1)}`, mac].join(
          ".",
        );
      },
    ],
    ["truncated", (t: string) => t.slice(0, -5)],
    ["not a token", () => "hello"],
  ])("refuses a %s token with BAD_QUOTE_TOKEN and records nothing", async (_name, alter) => {
    const { quoteDeps, settleDeps, settlements } = setup();
    const quote = quoted(quoteDeps);
    const result = await settleQuote(settleDeps, { token: alter(quote.token), returnedAt: worked.endAt, drivenKm: 0 });
    expect(result.ok ? "ok" : result.error.code).toBe("PRICING.BAD_QUOTE_TOKEN");
    expect(settlements.byQuoteId.size).toBe(0);
  });

  it("refuses a token signed with a key this service does not have, and accepts one of a retired-but-kept key", async () => {
    const { quoteDeps, settleDeps, settlements } = setup();
    const foreign = quoted({ ...quoteDeps, tokens: testTokens("k9") });
    const refused = await settleQuote(settleDeps, { token: foreign.token, returnedAt: worked.endAt, drivenKm: 0 });
    expect(refused.ok ? "ok" : refused.error.code).toBe("PRICING.BAD_QUOTE_TOKEN");
    expect(settlements.byQuoteId.size).toBe(0);

    const oldKeyQuote = quoted({ ...quoteDeps, tokens: testTokens("k1") });
    const rotated = await settleQuote(
      { ...settleDeps, tokens: testTokens("k2", "k1") },
      { token: oldKeyQuote.token, returnedAt: worked.endAt, drivenKm: 0 },
    );
    expect(rotated.ok).toBe(true);
  });

  it("refuses a return before the start and records nothing", async () => {
    const { quoteDeps, settleDeps, settlements } = setup();
    const quote = quoted(quoteDeps);
    const result = await settleQuote(settleDeps, {
      token: quote.token,
      returnedAt: seoul("2026-11-28 09:00"),
      drivenKm: 0,
    });
    expect(result.ok ? "ok" : result.error.code).toBe("PRICING.INVALID_RETURN");
    expect(settlements.byQuoteId.size).toBe(0);
  });
});

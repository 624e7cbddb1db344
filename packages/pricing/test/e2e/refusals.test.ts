import { createHmac } from "node:crypto";
import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bearer, call, timestamp } from "../support/pricing-client.js";
import {
  countRows,
  createPricingTestDatabase,
  type ExpectedRefusal,
  expectRefusal,
  KR_TARIFF_YAML,
  krVariant,
  named,
  type PricingUnderTest,
  type QuoteMessage,
  seoul,
  sonataOf,
  startPricingUnderTest,
  testClock,
  WRONG_TOKEN,
  workedExample,
} from "./pricing-service-under-test.js";

// Every kind of invalid input, through the API: each must come back with its own status and PRICING.* reason
// (spec §8), never INTERNAL or UNKNOWN. After every test the server must have logged no unexpected failure.
const NOW = "2026-11-25T09:00:00.000Z";
const WORKED_START = "2026-11-28T01:00:00Z"; // Sat 10:00 in Seoul

/** A coupon of market kr valid for the worked example unless `changes` say otherwise. */
function coupon(changes: Record<string, unknown>): Record<string, unknown> {
  return {
    code: "E2E",
    market: "kr",
    kind: "PERCENT",
    percent: 10,
    validFrom: timestamp("2026-11-01T00:00:00Z"),
    validUntil: timestamp("2027-01-01T00:00:00Z"),
    ...changes,
  };
}

describe.each(databasesUnderTest())("Refusals through the API, on %s", (kind) => {
  let database: TestDatabase;
  let service: PricingUnderTest;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    service = await startPricingUnderTest({ database, clock: testClock(NOW) });
    await service.publish(KR_TARIFF_YAML);
    // Market jp: the same rules without `delivery`.
    await service.publish(
      krVariant((doc) => {
        doc.id = "jp-e2e";
        doc.market = "jp";
        delete doc.delivery;
      }),
    );
    for (const refused of [
      coupon({ code: "FROM-DECEMBER", validFrom: timestamp("2026-12-01T00:00:00Z") }),
      // valid_until is exclusive: a rental starting exactly then is outside the window.
      coupon({ code: "ENDED", validUntil: timestamp(WORKED_START) }),
      coupon({ code: "TWO-DAYS", minMinutes: 2_880 }),
      coupon({ code: "SUV-ONLY", carClasses: ["SUV", "VAN"] }),
      coupon({ code: "ENDED-TWO-DAYS", validUntil: timestamp("2026-11-02T00:00:00Z"), minMinutes: 2_880 }),
      coupon({ code: "JP-ONLY", market: "jp" }),
    ]) {
      await service.putCoupon(refused);
    }
  });
  afterEach(() => {
    expect(service.errorLogs()).toEqual([]);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.close();
  });

  describe("Quote", () => {
    const INVALID_REQUEST = { status: "INVALID_ARGUMENT", reason: "PRICING.INVALID_REQUEST" } as const;
    const INVALID_PERIOD = { status: "INVALID_ARGUMENT", reason: "PRICING.INVALID_PERIOD" } as const;
    type Row = { when: string; changes: Record<string, unknown> } & ExpectedRefusal;
    const rows: Row[] = [
      { when: "market is empty", changes: { market: "" }, ...INVALID_REQUEST, field: "market" },
      { when: "car_model_id is empty", changes: { carModelId: "" }, ...INVALID_REQUEST, field: "car_model_id" },
      { when: "start_at is missing", changes: { startAt: undefined }, ...INVALID_REQUEST, field: "start_at" },
      { when: "end_at is missing", changes: { endAt: undefined }, ...INVALID_REQUEST, field: "end_at" },
      {
        when: "start_at is beyond what a date can hold (10^15 s)",
        changes: { startAt: { seconds: 1e15, nanos: 0 } },
        ...INVALID_REQUEST,
        field: "start_at",
      },
      {
        when: "everything is missing, market first",
        changes: { market: "", carModelId: "", startAt: undefined, endAt: undefined },
        ...INVALID_REQUEST,
        field: "market",
      },
      {
        when: "estimated_km is above 1,000,000",
        changes: { estimatedKm: 1_000_001 },
        ...INVALID_REQUEST,
        field: "estimated_km",
      },
      {
        when: "start_at is off the 10-minute grid",
        changes: { startAt: seoul("2026-11-28T10:05") },
        ...INVALID_PERIOD,
        field: "start_at",
      },
      {
        when: "end_at has seconds",
        changes: { endAt: seoul("2026-11-29T12:00:30") },
        ...INVALID_PERIOD,
        field: "end_at",
      },
      {
        when: "end_at has milliseconds",
        changes: { endAt: timestamp("2026-11-29T03:00:00.500Z") },
        ...INVALID_PERIOD,
        field: "end_at",
      },
      {
        when: "the rental is shorter than 30 minutes",
        changes: { endAt: seoul("2026-11-28T10:20") },
        ...INVALID_PERIOD,
        field: "end_at",
      },
      {
        when: "the rental is longer than 43,200 minutes",
        changes: { endAt: seoul("2026-12-28T10:10") },
        ...INVALID_PERIOD,
        field: "end_at",
      },
      {
        when: "end_at is before start_at",
        changes: { startAt: seoul("2026-11-29T12:00"), endAt: seoul("2026-11-28T10:00") },
        ...INVALID_PERIOD,
      },
      {
        when: "end_at equals start_at",
        changes: { endAt: seoul("2026-11-28T10:00") },
        ...INVALID_PERIOD,
      },
      {
        when: "the market has no tariff",
        changes: { market: "xx" },
        status: "NOT_FOUND",
        reason: "PRICING.TARIFF_NOT_FOUND",
        field: "market",
      },
      {
        when: "the car model is not in the tariff",
        changes: { carModelId: "pony" },
        status: "NOT_FOUND",
        reason: "PRICING.CAR_MODEL_NOT_FOUND",
        field: "car_model_id",
      },
      {
        when: "the car model is unknown and the period invalid, the lookup first",
        changes: { carModelId: "pony", endAt: seoul("2026-11-28T10:05") },
        status: "NOT_FOUND",
        reason: "PRICING.CAR_MODEL_NOT_FOUND",
      },
      {
        when: "the member tier does not exist",
        changes: { memberTier: "GOLD" },
        status: "INVALID_ARGUMENT",
        reason: "PRICING.UNKNOWN_MEMBER_TIER",
        field: "member_tier",
      },
      {
        when: "the member tier is cased differently (tiers are case-sensitive)",
        changes: { memberTier: "passport" },
        status: "INVALID_ARGUMENT",
        reason: "PRICING.UNKNOWN_MEMBER_TIER",
        field: "member_tier",
      },
      {
        when: "the period is invalid and the member tier unknown, the period first",
        changes: { memberTier: "GOLD", endAt: seoul("2026-11-28T10:20") },
        ...INVALID_PERIOD,
      },
      {
        when: "the coupon does not exist",
        changes: { couponCode: "NO-SUCH-CODE" },
        status: "NOT_FOUND",
        reason: "PRICING.COUPON_NOT_FOUND",
        field: "coupon_code",
      },
      {
        when: "the coupon exists only in another market",
        changes: { couponCode: "jp-only" },
        status: "NOT_FOUND",
        reason: "PRICING.COUPON_NOT_FOUND",
        field: "coupon_code",
      },
      {
        when: "the member tier and the coupon are both unknown, the tier first",
        changes: { memberTier: "GOLD", couponCode: "NO-SUCH-CODE" },
        status: "INVALID_ARGUMENT",
        reason: "PRICING.UNKNOWN_MEMBER_TIER",
      },
      {
        when: "the coupon is valid only for rentals from December",
        changes: { couponCode: "FROM-DECEMBER" },
        status: "FAILED_PRECONDITION",
        reason: "PRICING.COUPON_NOT_YET_VALID",
        field: "coupon_code",
      },
      {
        when: "the coupon's validity ends when the rental starts",
        changes: { couponCode: "ended" },
        status: "FAILED_PRECONDITION",
        reason: "PRICING.COUPON_EXPIRED",
        field: "coupon_code",
      },
      {
        when: "the coupon needs a rental of two days",
        changes: { couponCode: "TWO-DAYS" },
        status: "FAILED_PRECONDITION",
        reason: "PRICING.COUPON_MIN_DURATION",
        field: "coupon_code",
      },
      {
        when: "the coupon is for SUVs and vans and the Sonata is MIDSIZE",
        changes: { couponCode: "SUV-ONLY" },
        status: "FAILED_PRECONDITION",
        reason: "PRICING.COUPON_CAR_CLASS",
        field: "coupon_code",
      },
      {
        when: "the coupon has expired and needs two days, expiry first",
        changes: { couponCode: "ENDED-TWO-DAYS" },
        status: "FAILED_PRECONDITION",
        reason: "PRICING.COUPON_EXPIRED",
      },
      {
        when: "delivery is asked in a market whose tariff has no delivery tiers",
        changes: { market: "jp", delivery: true },
        status: "FAILED_PRECONDITION",
        reason: "PRICING.DELIVERY_UNAVAILABLE",
        field: "delivery",
      },
      {
        when: "the coupon is unknown and delivery unavailable, the coupon first",
        changes: { market: "jp", delivery: true, couponCode: "NO-SUCH-CODE" },
        status: "NOT_FOUND",
        reason: "PRICING.COUPON_NOT_FOUND",
      },
    ];

    it.each(named(rows, (r) => `When ${r.when}, then Quote answers ${r.status} ${r.reason}`))(
      "%s",
      async (_name, { changes, ...expected }) => {
        await expectRefusal(service.quote(workedExample(changes)), expected);
      },
    );

    it("When the refused requests are fixed, then the same server quotes them (the refusals were about the input)", async () => {
      const quote = await service.quote(workedExample({ market: "jp", couponCode: "jp-only" }));

      expect(quote.tariffId).toBe("jp-e2e");
      expect(quote.lines.find((line) => line.code === "COUPON_DISCOUNT")?.amount).toBe(-10_330);
    });
  });

  describe("Settle", () => {
    let genuine: QuoteMessage;

    beforeAll(async () => {
      genuine = await service.quote(workedExample());
    });

    /** The token's four dot-separated parts: `v1`, key id, payload, MAC (quote-token.ts). */
    const partsOf = (token: string) => token.split(".") as [string, string, string, string];
    const signWith = (secret: string, signed: string) =>
      `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
    const flipCharAt = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === "A" ? "B" : "A"}${text.slice(at + 1)}`;

    const BAD_TOKEN = { status: "INVALID_ARGUMENT", reason: "PRICING.BAD_QUOTE_TOKEN", field: "token" } as const;
    type TokenRow = { when: string; token: (genuine: string) => string };
    const tokenRows: TokenRow[] = [
      { when: "the token is garbage", token: () => "not-a-quote-token" },
      { when: "the token is cut short", token: (t) => t.slice(0, -12) },
      { when: "the token lost its MAC", token: (t) => t.slice(0, t.lastIndexOf(".")) },
      {
        when: "one character of the token's payload was changed",
        token: (t) => {
          const [version, kid, payload, mac] = partsOf(t);
          return [version, kid, flipCharAt(payload, Math.floor(payload.length / 2)), mac].join(".");
        },
      },
      {
        when: "the amounts in the token were rewritten, keeping its MAC",
        token: (t) => {
          const [version, kid, payload, mac] = partsOf(t);
          const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown[];
          const cheaper = claims.map((claim) => (claim === 114_780 || claim === 103_310 ? 10 : claim));
          return [version, kid, Buffer.from(JSON.stringify(cheaper)).toString("base64url"), mac].join(".");
        },
      },
      {
        when: "the token is signed with another secret under the server's key id",
        token: (t) => {
          const [version, kid, payload] = partsOf(t);
          return signWith("someone-elses-secret-0123456789", `${version}.${kid}.${payload}`);
        },
      },
      {
        when: "the token is signed by a key the server does not know",
        token: (t) => {
          const [version, , payload] = partsOf(t);
          return signWith("retired-key-secret-0123456789", `${version}.retired.${payload}`);
        },
      },
      { when: "the token is 5,000 characters long", token: (t) => t + "A".repeat(5_000) },
    ];

    it.each(
      named(
        tokenRows,
        (r) => `When ${r.when}, then Settle answers INVALID_ARGUMENT PRICING.BAD_QUOTE_TOKEN and records nothing`,
      ),
    )("%s", async (_name, { token }) => {
      const before = await countRows(database, "settlements");

      await expectRefusal(
        service.settle({ token: token(genuine.token), returnedAt: seoul("2026-11-29T12:00"), drivenKm: 120 }),
        BAD_TOKEN,
      );

      expect(await countRows(database, "settlements")).toBe(before);
    });

    type RequestRow = { when: string; request: (token: string) => Record<string, unknown> } & ExpectedRefusal;
    const requestRows: RequestRow[] = [
      {
        when: "the token is missing",
        request: () => ({ returnedAt: seoul("2026-11-29T12:00") }),
        status: "INVALID_ARGUMENT",
        reason: "PRICING.INVALID_REQUEST",
        field: "token",
      },
      {
        when: "returned_at is missing",
        request: (token) => ({ token, drivenKm: 120 }),
        status: "INVALID_ARGUMENT",
        reason: "PRICING.INVALID_REQUEST",
        field: "returned_at",
      },
      {
        when: "driven_km is above 1,000,000",
        request: (token) => ({ token, returnedAt: seoul("2026-11-29T12:00"), drivenKm: 1_000_001 }),
        status: "INVALID_ARGUMENT",
        reason: "PRICING.INVALID_REQUEST",
        field: "driven_km",
      },
      {
        when: "returned_at is before the rental's start",
        request: (token) => ({ token, returnedAt: seoul("2026-11-28T09:59:59") }),
        status: "INVALID_ARGUMENT",
        reason: "PRICING.INVALID_RETURN",
        field: "returned_at",
      },
      {
        when: "returned_at is more than 366 days after the rental's end",
        request: (token) => ({ token, returnedAt: seoul("2027-12-01T12:00") }),
        status: "INVALID_ARGUMENT",
        reason: "PRICING.INVALID_RETURN",
        field: "returned_at",
      },
    ];

    it.each(
      named(requestRows, (r) => `When ${r.when}, then Settle answers ${r.status} ${r.reason} and records nothing`),
    )("%s", async (_name, { request, ...expected }) => {
      const before = await countRows(database, "settlements");

      await expectRefusal(service.settle(request(genuine.token)), expected);

      expect(await countRows(database, "settlements")).toBe(before);
    });

    it("When the refusals are over, then the genuine token still settles once", async () => {
      const settlement = await service.settle({
        token: genuine.token,
        returnedAt: seoul("2026-11-29T11:00"),
        drivenKm: 120,
      });

      expect(settlement.dueAfterReturn).toBe(25_520);
      expect(await countRows(database, "settlements", genuine.quoteId)).toBe(1);
    });
  });

  describe("PublishTariff, ListTariffVersions, GetTariffVersion", () => {
    const INVALID_TARIFF = { status: "INVALID_ARGUMENT", reason: "PRICING.INVALID_TARIFF" } as const;
    type Row = { when: string; document: () => string; mentions: string[] } & ExpectedRefusal;
    const rows: Row[] = [
      {
        when: "the document has an unknown key and lacks lateReturn",
        document: () =>
          krVariant((doc) => {
            doc.colour = "red";
            delete doc.lateReturn;
          }),
        ...INVALID_TARIFF,
        mentions: ["2 problems", "colour", "lateReturn"],
      },
      {
        when: "a daily rate is not a multiple of 10 and the time zone does not exist",
        document: () =>
          krVariant((doc) => {
            sonataOf(doc).dailyRate.weekday = 68_905;
            doc.timeZone = "Asia/Atlantis";
          }),
        ...INVALID_TARIFF,
        mentions: ["2 problems", "carModels[6].dailyRate.weekday", "timeZone"],
      },
      {
        when: "effectiveFrom is before the moment of publication",
        document: () =>
          krVariant((doc) => {
            doc.effectiveFrom = "2026-11-25T08:59:59Z";
          }),
        ...INVALID_TARIFF,
        field: "effectiveFrom",
        mentions: ["effectiveFrom"],
      },
      {
        when: "the document is not YAML",
        document: () => "id: kr-standard\nmarket: [kr\n",
        ...INVALID_TARIFF,
        field: "(document)",
        mentions: [],
      },
      {
        when: "the document is empty",
        document: () => "",
        ...INVALID_TARIFF,
        field: "(document)",
        mentions: [],
      },
      {
        when: "the document is a list, not a mapping",
        document: () => "[1, 2, 3]",
        ...INVALID_TARIFF,
        field: "(document)",
        mentions: [],
      },
      {
        when: "a document of market kr comes under another tariff id",
        document: () =>
          krVariant((doc) => {
            doc.id = "kr-premium";
          }),
        status: "FAILED_PRECONDITION",
        reason: "PRICING.MARKET_TAKEN",
        field: "market",
        mentions: ["kr-standard"],
      },
      {
        when: "tariff kr-standard comes with another market",
        document: () =>
          krVariant((doc) => {
            doc.market = "kr2";
          }),
        ...INVALID_TARIFF,
        field: "market",
        mentions: [],
      },
    ];

    it.each(
      named(rows, (r) => `When ${r.when}, then PublishTariff answers ${r.status} ${r.reason} and publishes nothing`),
    )("%s", async (_name, { document, mentions, ...expected }) => {
      const before = await countRows(database, "tariff_versions");

      const error = await expectRefusal(service.publish(document()), expected);

      for (const text of mentions) expect(error.details).toContain(text);
      expect(await countRows(database, "tariff_versions")).toBe(before);
    });

    it.each(
      [
        {
          when: "ListTariffVersions names an unknown tariff",
          method: "ListTariffVersions",
          request: { tariffId: "nope" },
          field: "tariff_id",
        },
        {
          when: "GetTariffVersion names an unknown tariff",
          method: "GetTariffVersion",
          request: { tariffId: "nope" },
          field: "tariff_id",
        },
        {
          when: "GetTariffVersion names a version not published",
          method: "GetTariffVersion",
          request: { tariffId: "kr-standard", version: 9 },
          field: "version",
        },
      ].map((r) => [`When ${r.when}, then it answers NOT_FOUND PRICING.TARIFF_NOT_FOUND`, r] as const),
    )("%s", async (_name, { method, request, field }) => {
      await expectRefusal(service.admin(method, request), {
        status: "NOT_FOUND",
        reason: "PRICING.TARIFF_NOT_FOUND",
        field,
      });
    });
  });

  describe("PutCoupon", () => {
    type Row = { when: string; coupon: Record<string, unknown>; field: string };
    const rows: Row[] = [
      { when: "the kind is lower case", coupon: coupon({ kind: "percent" }), field: "kind" },
      { when: "the kind is missing", coupon: coupon({ kind: "" }), field: "kind" },
      { when: "the kind is unknown", coupon: coupon({ kind: "BOGO" }), field: "kind" },
      { when: "a PERCENT coupon takes 0 %", coupon: coupon({ percent: 0 }), field: "percent" },
      { when: "a PERCENT coupon takes 101 %", coupon: coupon({ percent: 101 }), field: "percent" },
      { when: "a PERCENT coupon also has an amount", coupon: coupon({ amount: 1_000 }), field: "amount" },
      { when: "max_discount is not a multiple of 10", coupon: coupon({ maxDiscount: 15 }), field: "max_discount" },
      { when: "max_discount is negative", coupon: coupon({ maxDiscount: -10 }), field: "max_discount" },
      { when: "a FIXED coupon takes 0", coupon: coupon({ kind: "FIXED", percent: 0, amount: 0 }), field: "amount" },
      {
        when: "a FIXED amount is not a multiple of 10",
        coupon: coupon({ kind: "FIXED", percent: 0, amount: 3_005 }),
        field: "amount",
      },
      {
        when: "a FIXED amount is above 10^12",
        coupon: coupon({ kind: "FIXED", percent: 0, amount: 1_000_000_000_010 }),
        field: "amount",
      },
      {
        when: "valid_until equals valid_from",
        coupon: coupon({ validUntil: timestamp("2026-11-01T00:00:00Z") }),
        field: "valid_until",
      },
      {
        when: "valid_until is before valid_from",
        coupon: coupon({ validUntil: timestamp("2026-10-01T00:00:00Z") }),
        field: "valid_until",
      },
      { when: "valid_from is missing", coupon: coupon({ validFrom: undefined }), field: "valid_from" },
      { when: "valid_until is missing", coupon: coupon({ validUntil: undefined }), field: "valid_until" },
      { when: "a car class is unknown", coupon: coupon({ carClasses: ["SUV", "TRUCK"] }), field: "car_classes[1]" },
      { when: "a car class is listed twice", coupon: coupon({ carClasses: ["SUV", "SUV"] }), field: "car_classes[1]" },
      { when: "the code is empty", coupon: coupon({ code: "" }), field: "code" },
      { when: "the code has a space", coupon: coupon({ code: "WELCOME 10" }), field: "code" },
      { when: "the market is empty", coupon: coupon({ market: "" }), field: "market" },
    ];

    it.each(
      named(
        rows,
        (r) => `When ${r.when}, then PutCoupon answers INVALID_ARGUMENT PRICING.INVALID_COUPON naming ${r.field}`,
      ),
    )("%s", async (_name, { coupon: submitted, field }) => {
      const before = await countRows(database, "coupon_revisions");

      await expectRefusal(service.putCoupon(submitted), {
        status: "INVALID_ARGUMENT",
        reason: "PRICING.INVALID_COUPON",
        field,
      });

      expect(await countRows(database, "coupon_revisions")).toBe(before);
    });

    it("When a coupon is put for a market without a tariff, then PutCoupon answers NOT_FOUND PRICING.TARIFF_NOT_FOUND", async () => {
      await expectRefusal(service.putCoupon(coupon({ market: "zz" })), {
        status: "NOT_FOUND",
        reason: "PRICING.TARIFF_NOT_FOUND",
        field: "market",
      });
    });
  });

  describe("Admin access", () => {
    const calls: [string, object][] = [
      ["PublishTariff", { document: KR_TARIFF_YAML }],
      ["ListTariffVersions", { tariffId: "kr-standard" }],
      ["GetTariffVersion", { tariffId: "kr-standard" }],
      ["PutCoupon", coupon({ code: "SNEAKY" })],
    ];
    const credentials: [string, () => grpc.Metadata][] = [
      ["no token", () => new grpc.Metadata()],
      ["a wrong token", () => bearer(WRONG_TOKEN)],
      [
        "the admin token under another scheme",
        () => {
          const metadata = new grpc.Metadata();
          metadata.set("authorization", `Basic ${Buffer.from("ops:e2e").toString("base64")}`);
          return metadata;
        },
      ],
    ];
    const rows = calls.flatMap(([method, request]) =>
      credentials.map(([given, metadata]) => ({ method, request, given, metadata })),
    );

    it.each(
      named(
        rows,
        (r) => `When ${r.method} is called with ${r.given}, then it answers UNAUTHENTICATED PRICING.UNAUTHENTICATED`,
      ),
    )("%s", async (_name, { method, request, metadata }) => {
      const error = await expectRefusal(call(service.clients.admin, method, request, metadata()), {
        status: "UNAUTHENTICATED",
        reason: "PRICING.UNAUTHENTICATED",
        field: "authorization",
      });

      expect(error.details).not.toContain(WRONG_TOKEN);
    });
  });
});

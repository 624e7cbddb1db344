import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import protobuf from "protobufjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bearer, PRICING_PROTO_PATH } from "../support/pricing-client.js";
import {
  ADMIN_TOKEN,
  countRows,
  createPricingTestDatabase,
  expectRefusal,
  KR_TARIFF_YAML,
  named,
  type PricingUnderTest,
  startPricingUnderTest,
  testClock,
} from "./pricing-service-under-test.js";
import { rawUnaryCall, wire } from "./raw-protobuf.js";

// Requests a generated or proto-loader client never sends: bytes that are not protobuf, strings that are not
// UTF-8, int64 values beyond what the service can hold exactly. Each is the caller's fault, so the answer
// must be INVALID_ARGUMENT PRICING.INVALID_REQUEST, never INTERNAL (grpc-js's answer to a throwing decoder).
const QUOTE = "/carfare.pricing.v1.PricingService/Quote";
const SETTLE = "/carfare.pricing.v1.PricingService/Settle";
const PUBLISH = "/carfare.pricing.v1.TariffAdminService/PublishTariff";
const LIST = "/carfare.pricing.v1.TariffAdminService/ListTariffVersions";
const GET = "/carfare.pricing.v1.TariffAdminService/GetTariffVersion";
const PUT_COUPON = "/carfare.pricing.v1.TariffAdminService/PutCoupon";

const START = new Date("2026-11-28T01:00:00Z"); // Sat 10:00 in Seoul
const END = new Date("2026-11-29T03:00:00Z"); // Sun 12:00

/** QuoteRequest of the worked example, field by field (pricing.proto), with `memberTier` as raw bytes. */
function quoteRequest(memberTier: Buffer, extra: Buffer[] = []): Buffer {
  return Buffer.concat([
    wire.string(1, "kr"),
    wire.string(2, "sonata-dn8"),
    wire.timestamp(3, START),
    wire.timestamp(4, END),
    wire.bytes(5, memberTier),
    ...extra,
  ]);
}

/** A PERCENT 10 % coupon of market kr (Coupon, pricing.proto) with `maxDiscount` as given. */
function couponMessage(code: string, maxDiscount: bigint): Buffer {
  return Buffer.concat([
    wire.string(1, code),
    wire.string(2, "kr"),
    wire.string(3, "PERCENT"),
    wire.varint(4, 10),
    wire.varint(5, maxDiscount),
    wire.timestamp(7, new Date("2026-11-01T00:00:00Z")),
    wire.timestamp(8, new Date("2027-01-01T00:00:00Z")),
  ]);
}

const INVALID_UTF8 = Buffer.from([0xc3, 0x28]); // a two-byte lead followed by an ASCII byte
const TWO_TO_THE_62 = 2n ** 62n;

describe.each(databasesUnderTest())("Malformed requests on the wire, on %s", (kind) => {
  let database: TestDatabase;
  let service: PricingUnderTest;
  let Quote: protobuf.Type;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    service = await startPricingUnderTest({ database, clock: testClock("2026-11-25T09:00:00Z") });
    await service.publish(KR_TARIFF_YAML);
    Quote = protobuf.loadSync(PRICING_PROTO_PATH).lookupType("carfare.pricing.v1.Quote");
  });
  afterEach(() => {
    expect(service.errorLogs()).toEqual([]);
  });
  afterAll(async () => {
    await service?.stop();
    await database?.close();
  });

  it("When a hand-encoded QuoteRequest is well formed, then it is priced (the encoding below is right)", async () => {
    const response = await rawUnaryCall(service.address, QUOTE, quoteRequest(Buffer.from("PASSPORT")));

    const quote = Quote.toObject(Quote.decode(response), { longs: Number }) as { dueAtBooking: number };
    expect(quote.dueAtBooking).toBe(51_660);
  });

  it("When a QuoteRequest carries a field the contract does not have, then it is ignored", async () => {
    const response = await rawUnaryCall(
      service.address,
      QUOTE,
      quoteRequest(Buffer.from("PASSPORT"), [wire.varint(99, 7), wire.string(100, "from a newer client")]),
    );

    expect((Quote.toObject(Quote.decode(response), { longs: Number }) as { dueAtBooking: number }).dueAtBooking).toBe(
      51_660,
    );
  });

  it("When a hand-encoded Coupon is well formed, then it is stored (the encoding below is right)", async () => {
    const response = await rawUnaryCall(
      service.address,
      PUT_COUPON,
      couponMessage("RAW-OK", 20_000n),
      bearer(ADMIN_TOKEN),
    );

    expect(response.length).toBeGreaterThan(0);
    expect(await countRows(database, "coupons")).toBe(1);
  });

  const garbage: [string, Buffer][] = [
    ["eleven 0xff bytes (a varint longer than ten bytes)", Buffer.alloc(11, 0xff)],
    ["a field announcing 16 bytes and ending after 2", Buffer.from([0x0a, 0x10, 0x6b, 0x72])],
    ["a tag with wire type 7", Buffer.from([0x0f, 0x01])],
  ];
  const garbageRows = [QUOTE, SETTLE, PUBLISH, LIST, GET, PUT_COUPON].flatMap((path) =>
    garbage.map(([what, bytes]) => ({ path, what, bytes })),
  );

  it.each(
    named(
      garbageRows,
      (r) => `When ${r.path} receives ${r.what}, then it answers INVALID_ARGUMENT PRICING.INVALID_REQUEST`,
    ),
  )("%s", async (_name, { path, bytes }) => {
    const error = await expectRefusal(rawUnaryCall(service.address, path, bytes, bearer(ADMIN_TOKEN)), {
      status: "INVALID_ARGUMENT",
      reason: "PRICING.INVALID_REQUEST",
    });

    expect(error.details).toContain("could not be decoded");
  });

  // The generated decoders stop at a tag of field 0 or a stray end-group without an error, dropping every
  // field after it — here the PASSPORT tier, which would quote 103,310 instead of 51,660. Both tags are
  // illegal at the top level of a message; the service refuses them before decoding.
  it.each(
    named(
      [
        { what: "a tag of field 0", tag: Buffer.from([0x00]) },
        { what: "a stray end-group tag", tag: Buffer.from([0x0c]) },
      ],
      (r) =>
        `When a QuoteRequest holds ${r.what} before member_tier, then Quote answers INVALID_ARGUMENT PRICING.INVALID_REQUEST rather than dropping the fields after it`,
    ),
  )("%s", async (_name, { tag }) => {
    const body = Buffer.concat([
      wire.string(1, "kr"),
      wire.string(2, "sonata-dn8"),
      wire.timestamp(3, START),
      wire.timestamp(4, END),
      tag,
      wire.string(5, "PASSPORT"),
    ]);

    await expectRefusal(rawUnaryCall(service.address, QUOTE, body), {
      status: "INVALID_ARGUMENT",
      reason: "PRICING.INVALID_REQUEST",
    });
  });

  // Lenient decoding would turn invalid UTF-8 into U+FFFD: a QuoteRequest would get UNKNOWN_MEMBER_TIER for
  // "\uFFFD(" and, worse, a tariff document with a broken byte would be published with the mangled text.
  it("When a QuoteRequest's member_tier is not UTF-8, then Quote answers INVALID_ARGUMENT PRICING.INVALID_REQUEST", async () => {
    await expectRefusal(rawUnaryCall(service.address, QUOTE, quoteRequest(INVALID_UTF8)), {
      status: "INVALID_ARGUMENT",
      reason: "PRICING.INVALID_REQUEST",
    });
  });

  it("When a tariff document is not UTF-8, then PublishTariff answers INVALID_ARGUMENT PRICING.INVALID_REQUEST and publishes nothing", async () => {
    const text = Buffer.from(KR_TARIFF_YAML.replace("name: Sonata DN8", "name: Sonata DN8 XX"), "utf8");
    const at = text.indexOf("DN8 XX") + 4;
    INVALID_UTF8.copy(text, at); // "Sonata DN8 \xc3(" : what a Latin-1 or truncated upload looks like
    const before = await countRows(database, "tariff_versions");

    await expectRefusal(rawUnaryCall(service.address, PUBLISH, wire.bytes(1, text), bearer(ADMIN_TOKEN)), {
      status: "INVALID_ARGUMENT",
      reason: "PRICING.INVALID_REQUEST",
    });

    expect(await countRows(database, "tariff_versions")).toBe(before);
  });

  it("When a QuoteRequest's start_at is 2^62 seconds, then Quote answers INVALID_ARGUMENT PRICING.INVALID_REQUEST", async () => {
    const body = Buffer.concat([
      wire.string(1, "kr"),
      wire.string(2, "sonata-dn8"),
      wire.timestamp(3, TWO_TO_THE_62),
      wire.timestamp(4, END),
    ]);

    await expectRefusal(rawUnaryCall(service.address, QUOTE, body), {
      status: "INVALID_ARGUMENT",
      reason: "PRICING.INVALID_REQUEST",
    });
  });

  it.each(
    named(
      [
        { what: "2^62", value: TWO_TO_THE_62 },
        { what: "2^53 (one past the largest exact number)", value: 2n ** 53n + 1n },
        { what: "-2^62", value: -TWO_TO_THE_62 },
      ],
      (r) =>
        `When a Coupon's int64 max_discount is ${r.what}, then PutCoupon answers INVALID_ARGUMENT PRICING.INVALID_REQUEST`,
    ),
  )("%s", async (_name, { value }) => {
    const before = await countRows(database, "coupon_revisions");

    await expectRefusal(
      rawUnaryCall(service.address, PUT_COUPON, couponMessage("RAW-HUGE", value), bearer(ADMIN_TOKEN)),
      { status: "INVALID_ARGUMENT", reason: "PRICING.INVALID_REQUEST" },
    );

    expect(await countRows(database, "coupon_revisions")).toBe(before);
  });
});

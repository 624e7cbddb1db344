import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Quote } from "./gen/carfare/pricing/v1/pricing.js";
import { encodeQuote } from "./quote-encoding.js";

const instant = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2100-01-01T00:00:00Z"),
  noInvalidDate: true,
});
// Any safe integer, small and large, negative (ten-byte varints) included.
const amount = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.maxSafeInteger(),
  fc.maxSafeNat().map((n) => -n),
);
// Any UTF-16 text, lone surrogates included: both encoders write them as U+FFFD.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
);
const line = fc.record({ code: fc.string(), label: text, amount });
const quote = fc.record({
  quoteId: fc.uuid(),
  tariffId: text,
  tariffVersion: fc.nat({ max: 2 ** 32 - 1 }),
  currency: fc.string({ maxLength: 3 }),
  lines: fc.array(line, { maxLength: 6 }),
  dueAtBooking: amount,
  estimatedAfterReturn: amount,
  totalEstimate: amount,
  expiresAt: fc.option(instant, { nil: undefined }),
  token: fc.oneof(fc.string({ maxLength: 400 }), fc.string({ minLength: 100, maxLength: 20_000 })),
  explanation: fc.array(
    fc.record({
      startAt: fc.option(instant, { nil: undefined }),
      endAt: fc.option(instant, { nil: undefined }),
      slotGroups: fc.array(
        fc.record({
          dayType: fc.constantFrom("WEEKDAY", "WEEKEND"),
          timeBand: text,
          slotPrice: amount,
          count: fc.nat({ max: 2 ** 32 - 1 }),
        }),
        { maxLength: 4 },
      ),
      sum: amount,
      cap: amount,
      fee: amount,
    }),
    { maxLength: 3 },
  ),
});

describe("encodeQuote", () => {
  it("writes exactly the bytes of the generated encoder, for any quote", () => {
    fc.assert(
      fc.property(quote, (q) => {
        expect(encodeQuote(q)).toEqual(Buffer.from(Quote.encode(q).finish()));
      }),
      { numRuns: 1000 },
    );
  });
});

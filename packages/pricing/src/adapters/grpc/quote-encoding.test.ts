import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Quote } from "./gen/carfare/pricing/v1/pricing.js";
import { encodeQuote } from "./quote-encoding.js";

const instant = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2100-01-01T00:00:00Z"),
  noInvalidDate: true,
});
const amount = fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 });
const line = fc.record({ code: fc.string(), label: fc.string(), amount });
const quote = fc.record({
  quoteId: fc.uuid(),
  tariffId: fc.string(),
  tariffVersion: fc.nat({ max: 2 ** 32 - 1 }),
  currency: fc.string({ maxLength: 3 }),
  lines: fc.array(line, { maxLength: 6 }),
  dueAtBooking: amount,
  estimatedAfterReturn: amount,
  totalEstimate: amount,
  expiresAt: fc.option(instant, { nil: undefined }),
  token: fc.string({ maxLength: 400 }),
  explanation: fc.array(
    fc.record({
      startAt: fc.option(instant, { nil: undefined }),
      endAt: fc.option(instant, { nil: undefined }),
      slotGroups: fc.array(
        fc.record({
          dayType: fc.constantFrom("WEEKDAY", "WEEKEND"),
          timeBand: fc.string(),
          slotPrice: amount,
          count: fc.nat({ max: 5000 }),
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
      { numRuns: 500 },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WaiverQuote } from "../../application/quote-waiver-options.js";
import type { WaiverOption } from "../../domain/quote-waiver.js";
import { waiverQuoteText } from "./representations.js";
import { WaiverQuote as WaiverQuoteSchema } from "./schemas.js";

// Any code point, any UTF-16 code unit alone (lone surrogates, which JSON.stringify escapes), and text made of
// what JSON escapes and its neighbours.
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '"',
      "\\",
      "/",
      "\n",
      "\u0000",
      "\u001f",
      "\u007f",
      "\u2028",
      "\ud800",
      "\udc00",
      "😀",
      "é",
      "a",
    ),
    maxLength: 12,
  }),
);
const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, 1e21));

/** Every key of `T`, optional ones too: a field added to the domain type must be given an arbitrary here. */
type EveryKey<T> = { [K in keyof Required<T>]: fc.Arbitrary<unknown> };

const anyOption = fc.record(
  {
    productCode: anyText,
    name: anyText,
    selfPayCap: anyNumber,
    fee: anyNumber,
    eligible: fc.boolean(),
    ineligibleReason: fc.oneof(fc.constantFrom("DRIVER_TOO_YOUNG", "LICENSE_TOO_NEW"), anyText),
  } satisfies EveryKey<WaiverOption>,
  { requiredKeys: ["productCode", "name", "fee", "eligible"] },
);

const anyQuote = fc.record({
  policyId: anyText,
  policyVersion: anyNumber,
  currency: anyText,
  options: fc.array(anyOption, { maxLength: 8 }),
} satisfies EveryKey<WaiverQuote>) as fc.Arbitrary<WaiverQuote>;

/** The representation as a plain object, the way every other response is built: the oracle of the test. */
function waiverQuoteJson(quote: WaiverQuote): Record<string, unknown> {
  return {
    policyId: quote.policyId,
    policyVersion: quote.policyVersion,
    currency: quote.currency,
    options: quote.options.map((option) => ({
      productCode: option.productCode,
      name: option.name,
      ...(option.selfPayCap === undefined ? {} : { selfPayCap: option.selfPayCap }),
      fee: option.fee,
      eligible: option.eligible,
      ...(option.ineligibleReason === undefined ? {} : { ineligibleReason: option.ineligibleReason }),
    })),
  };
}

describe("waiverQuoteText", () => {
  it("writes exactly what JSON.stringify writes of the waiver quote's representation, for any quote and any text", () => {
    fc.assert(
      fc.property(anyQuote, (quote) => {
        expect(waiverQuoteText(quote)).toBe(JSON.stringify(waiverQuoteJson(quote)));
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps every field of the documented response, optional ones included", () => {
    const quote: WaiverQuote = {
      policyId: "kr-waiver",
      policyVersion: 3,
      currency: "KRW",
      options: [
        { productCode: "CAP_300K", name: "Self-pay up to 300,000", selfPayCap: 300_000, fee: 12_000, eligible: true },
        {
          productCode: "CAP_0",
          name: "No self-pay",
          fee: 21_600,
          eligible: false,
          ineligibleReason: "DRIVER_TOO_YOUNG",
        },
      ],
    };
    const sent = JSON.parse(waiverQuoteText(quote));
    expect(sent).toEqual(quote);
    expect(Object.keys(sent).sort()).toEqual(Object.keys(WaiverQuoteSchema.properties).sort());
    expect(Object.keys({ ...sent.options[0], ...sent.options[1] }).sort()).toEqual(
      Object.keys(WaiverQuoteSchema.properties.options.items.properties).sort(),
    );
  });
});

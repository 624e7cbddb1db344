import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  mayHoldRefusedValue,
  parseJsonBody,
  parseJsonText,
  parseJsonTextWithReviver,
  RefusedValue,
} from "./request-body.js";

/**
 * What a parse gave, as text comparable exactly: key order kept, -0 told from 0, a refused value by its
 * reason, a failure by its error's class and message.
 */
function outcome(parse: () => unknown): string {
  let value: unknown;
  try {
    value = parse();
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RefusedValue) return { refused: v.reason };
    return Object.is(v, -0) ? "-0 (the number)" : v;
  });
}

/** Text as it comes out of the strict UTF-8 decoder: no lone surrogates. */
const wellFormed = (text: string) => new TextDecoder().decode(Buffer.from(text, "utf8"));

// JSON texts rich in what the fast path must not miss: every refused kind of value, near misses of each,
// escapes of all sorts, deep nesting, and corruption.
const numberText = fc.oneof(
  fc.constantFrom("0", "-0", "-0.0", "-0.5", "-0e3", "0e0", "-00", "1e400", "-1e400", "1E400", "-1e-400", "1e-400"),
  fc.constantFrom("5e-324", "-5e-324", "2e-324", "1.7976931348623157e308", "1.8e308", "12000", "-1", "-10", "1.5"),
  fc.integer({ min: 290, max: 320 }).map((n) => `${"9".repeat(n)}`),
  fc.integer({ min: 290, max: 320 }).map((n) => `-1${"0".repeat(n)}.5`),
  fc.double().filter(Number.isFinite).map(String),
  fc.integer().map(String),
);
const stringText = fc.oneof(
  fc.string({ unit: "binary" }).map((s) => JSON.stringify(s)),
  fc
    .array(
      fc.constantFrom(
        "a",
        "-0",
        "1e5",
        "\\u0000",
        "\\ud800",
        "\\udfff",
        "\\ud83d\\ude00",
        "\\u0041",
        "\\\\u0000",
        "\\\\",
        "\\n",
        '\\"',
        "é",
        "😀",
        "\\/",
        "\u0000",
      ),
      { maxLength: 6 },
    )
    .map((parts) => `"${parts.join("")}"`),
);
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    numberText,
    stringText,
    fc.constantFrom("true", "false", "null"),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
    fc
      .array(fc.tuple(stringText, tie("value")), { maxLength: 4 })
      .map((members) => `{${members.map(([key, value]) => `${key}: ${value}`).join(", ")}}`),
  ),
})).value;
const deeplyNested = fc
  .tuple(fc.oneof(fc.integer({ min: 250, max: 260 }), fc.integer({ min: 4000, max: 8000 })), fc.boolean(), numberText)
  .map(([depth, arrays, inner]) =>
    arrays
      ? `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`
      : `${'{"a":'.repeat(depth)}${inner}${"}".repeat(depth)}`,
  );
const corrupted = fc
  .tuple(jsonText, fc.nat(), fc.constantFrom("", "]", "}", "[", "{", '"', "\\", "-", "e", ",", ":", "x", "-0"))
  .map(([text, at, insert]) => {
    const i = at % (text.length + 1);
    return `${text.slice(0, i)}${insert}${text.slice(i + 1)}`;
  });

describe("parseJsonText", () => {
  it("gives exactly what the reviver gives, for any text (the fast path is a shortcut, not a change)", () => {
    fc.assert(
      fc.property(fc.oneof(jsonText, deeplyNested, corrupted, fc.string({ unit: "binary" })), (raw) => {
        const text = wellFormed(raw);
        expect(outcome(() => parseJsonText(text))).toBe(outcome(() => parseJsonTextWithReviver(text)));
      }),
      { numRuns: 3000 },
    );
  });

  it("sees every refused value the reviver would refuse", () => {
    fc.assert(
      fc.property(jsonText, (raw) => {
        const text = wellFormed(raw);
        if (outcome(() => parseJsonTextWithReviver(text)).includes('{"refused":'))
          expect(mayHoldRefusedValue(text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['{"dailyRate": -0}', "-0"],
    ['{"dailyRate": -0.0}', "-0.0"],
    ['{"dailyRate": -1e-400}', "an underflow to -0"],
    ['{"dailyRate": 1e400}', "an overflow"],
    [`{"dailyRate": ${"9".repeat(309)}}`, "309 digits"],
    ['{"rentalId": "a\\u0000b"}', "an escaped NUL"],
    ['{"rentalId": "\\ud800"}', "a lone surrogate"],
  ])("When a body holds %s (%s), then it takes the reviver's path", (text) => {
    expect(mayHoldRefusedValue(text)).toBe(true);
    expect(outcome(() => parseJsonText(text))).toContain('{"refused":');
  });

  it.each([
    '{"market":"kr","carClass":"MIDSIZE","startAt":"2026-11-28T10:00:00+09:00","endAt":"2026-11-29T12:00:00+09:00","driverAge":30,"licenseYears":5}',
    '{"occurredAt": "2026-01-05T09:00:00-05:00", "description": "-0 and 1e5 inside text", "dailyRate": 95700}',
    '{"exclusions": ["RACING"], "repairCost": 1200000, "faultPercent": 100, "ok": true, "no": false, "x": null}',
    '{"rentalId": "a\\\\u0000 is an escaped backslash, then u0000", "n": -12.5}',
  ])("When a body holds nothing refused (%s), then JSON.parse alone reads it", (text) => {
    expect(mayHoldRefusedValue(text)).toBe(false);
    expect(parseJsonText(text)).toEqual(JSON.parse(text));
  });
});

describe("parseJsonBody", () => {
  it("reads bytes as before: not UTF-8, empty, not JSON, refused values", () => {
    expect(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]), "application/json")).toThrow(/not valid UTF-8/);
    expect(parseJsonBody(Buffer.from(" \n "), "application/json")).toBeUndefined();
    expect(() => parseJsonBody(Buffer.from("{"), "application/json")).toThrow(/not valid JSON/);
    const body = parseJsonBody(Buffer.from('{"a": -0, "b": 1}'), "application/json; charset=utf-8") as Record<
      string,
      unknown
    >;
    expect(body.a).toBeInstanceOf(RefusedValue);
    expect(body.b).toBe(1);
  });
});

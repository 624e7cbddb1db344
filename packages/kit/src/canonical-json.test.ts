import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";

describe("canonicalJson", () => {
  it("sorts the keys of every object, at every depth, and keeps the order of lists", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 1] })).toBe('{"a":[{"c":3,"d":2},1],"b":1}');
  });

  it("is equal for JSON-equal bodies whatever their key order and whitespace", () => {
    const one = JSON.parse('{ "rentalId": "r-1", "dailyRate": 95700, "market": "kr" }');
    const other = JSON.parse('{"market":"kr","rentalId":"r-1",\n  "dailyRate": 95700.0}');
    expect(canonicalJson(one)).toBe(canonicalJson(other));
  });

  it("tells apart bodies that differ in any value", () => {
    expect(canonicalJson({ a: 1, b: [1, 2] })).not.toBe(canonicalJson({ a: 1, b: [2, 1] }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
  });

  it("keeps a __proto__ key of a parsed body as a key", () => {
    const body = JSON.parse('{"__proto__": {"x": 1}, "a": 1}');
    expect(canonicalJson(body)).toBe('{"__proto__":{"x":1},"a":1}');
  });

  it("gives the same text for any reordering of the same data", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffled = JSON.parse(JSON.stringify(value), (_key, inner: unknown) =>
          typeof inner === "object" && inner !== null && !Array.isArray(inner)
            ? Object.fromEntries(Object.entries(inner).reverse())
            : inner,
        );
        expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
      }),
    );
  });
});

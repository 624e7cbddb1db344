/**
 * A value's JSON with the keys of every object sorted: equal for JSON-equal values whatever their key order
 * or whitespace. It is the request fingerprint that idempotent creation compares (spec §5).
 *
 * @example canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== "object" || inner === null || Array.isArray(inner)) return inner;
    // fromEntries defines each key as data, so even a "__proto__" key of a parsed body stays a key.
    const object = inner as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, object[key]]),
    );
  });
}

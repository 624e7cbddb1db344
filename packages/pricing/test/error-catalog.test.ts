import { readFileSync } from "node:fs";
import { DomainError } from "@carfare/kit";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { STATUS_OF_CODE } from "../src/adapters/grpc/error-mapping.js";
import * as errors from "../src/domain/pricing-errors.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** The README's error table: code → gRPC status name. */
const catalog = new Map(
  [...readme.matchAll(/^\|\s*`(PRICING\.[A-Z_]+)`\s*\|\s*([A-Z_]+)\s*\|/gm)].map((m) => [
    m[1] as string,
    m[2] as string,
  ]),
);

/** Every code the domain can raise, read off the error classes themselves. */
const domainCodes = Object.values(errors)
  .filter((value) => typeof value === "function" && value.prototype instanceof DomainError)
  .map((ErrorClass) => new (ErrorClass as new (message: string) => DomainError)("x").code);

describe("the README's error-code catalog", () => {
  it("lists every code the pricing domain raises, and the one for our own failures", () => {
    expect([...catalog.keys()].sort()).toEqual([...domainCodes, "PRICING.INTERNAL"].sort());
  });

  it("gives each code the status the gRPC adapter actually sends", () => {
    for (const code of domainCodes) {
      expect(catalog.get(code), code).toBe(status[STATUS_OF_CODE[code] as number]);
    }
  });

  it("has a gRPC status for every domain code in the adapter's mapping", () => {
    expect(Object.keys(STATUS_OF_CODE).sort()).toEqual([...domainCodes].sort());
  });
});

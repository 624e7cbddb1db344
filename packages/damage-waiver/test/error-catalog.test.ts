import { readFileSync } from "node:fs";
import { DomainError } from "@carfare/kit";
import { describe, expect, it } from "vitest";
import { STATUS_OF_CODE, TRANSPORT_STATUS_OF_CODE } from "../src/adapters/http/problem.js";
import * as errors from "../src/domain/waiver-errors.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** The README's damage-waiver error table: code → HTTP status. */
const catalog = new Map(
  [...readme.matchAll(/^\|\s*`(WAIVER\.[A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1] as string, Number(m[2])]),
);

const domainCodes = Object.values(errors)
  .filter((value) => typeof value === "function" && value.prototype instanceof DomainError)
  .map((ErrorClass) => new (ErrorClass as new (message: string) => DomainError)("x").code);
const adapterStatuses: Record<string, number> = { ...STATUS_OF_CODE, ...TRANSPORT_STATUS_OF_CODE };

describe("the README's damage-waiver error catalog", () => {
  it("lists every code the domain raises and every code the HTTP adapter adds", () => {
    expect([...catalog.keys()].sort()).toEqual(
      [...new Set([...domainCodes, ...Object.keys(TRANSPORT_STATUS_OF_CODE)])].sort(),
    );
  });

  it("gives each code the status the adapter actually sends", () => {
    for (const [code, status] of catalog) expect(status, code).toBe(adapterStatuses[code]);
  });
});

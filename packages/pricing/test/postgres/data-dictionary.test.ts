import { readFileSync } from "node:fs";
import { createTestDatabase, type DictionaryTable, missingComments, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The script is the one place that lists the contexts and lays the document out; the test reuses it.
import {
  contextMigrations,
  dataDictionaryFile,
  dataDictionaryMarkdown,
  dictionaryTables,
} from "../../../../scripts/write-data-dictionary.js";

describe("the data dictionary (docs/data-dictionary.md)", () => {
  let database: TestDatabase;
  let tables: DictionaryTable[];

  beforeAll(async () => {
    database = await createTestDatabase("pglite", contextMigrations);
    tables = await dictionaryTables(database.db);
  });
  afterAll(() => database.close());

  it("covers the tables of schema pricing", () => {
    expect(tables.filter((t) => t.schema === "pricing").map((t) => t.name)).toEqual([
      "coupon_revisions",
      "coupons",
      "quote_lines",
      "quotes",
      "settlement_lines",
      "settlements",
      "tariff_car_models",
      "tariff_versions",
      "tariffs",
    ]);
  });

  it("covers the tables of schema waiver", () => {
    expect(tables.filter((t) => t.schema === "waiver").map((t) => t.name)).toEqual([
      "incident_events",
      "incidents",
      "policies",
      "policy_prices",
      "policy_products",
      "policy_versions",
    ]);
  });

  it("covers no other schema", () => {
    expect([...new Set(tables.map((t) => t.schema))]).toEqual(["pricing", "waiver"]);
  });

  it("has a comment on every table and column (add COMMENT ON in a migration)", () => {
    expect(missingComments(tables)).toEqual([]);
  });

  it("is current (regenerate with `npx tsx scripts/write-data-dictionary.ts`)", () => {
    expect(readFileSync(dataDictionaryFile, "utf8")).toBe(dataDictionaryMarkdown(tables));
  });
});

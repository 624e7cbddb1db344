import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresSettlementRepository } from "../../src/adapters/postgres/settlement.repository.js";
import { aSettlement, countRows, createPricingDatabase, emptyPricingTables } from "./pricing-test-data.js";

describe.each(databasesUnderTest())("PostgresSettlementRepository on %s", (kind) => {
  let database: TestDatabase;
  let settlements: PostgresSettlementRepository;

  beforeAll(async () => {
    database = await createPricingDatabase(kind);
    settlements = new PostgresSettlementRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(() => emptyPricingTables(database));

  it("records a settlement whose quote is not recorded yet, and finds it with its lines and credits", async () => {
    const settlement = aSettlement();

    const outcome = await settlements.insertOnce(settlement);

    expect(outcome).toEqual({ kind: "inserted", settlement });
    expect(await settlements.findByQuoteId(settlement.quoteId)).toEqual(settlement);
    expect(await countRows(database, "settlement_lines")).toBe(2);
  });

  it("returns the recorded settlement, rebuilt from its rows, when the quote is settled again", async () => {
    const first = aSettlement();
    await settlements.insertOnce(first);

    const outcome = await settlements.insertOnce({ ...first, drivenKm: 300, settledAt: new Date() });

    expect(outcome).toEqual({ kind: "exists", settlement: first });
    expect(await countRows(database, "settlements")).toBe(1);
  });

  it("records one settlement when the same quote is settled twice at once", async () => {
    const settlement = aSettlement();
    const other = { ...settlement, drivenKm: 10, lines: [], credits: [], dueAfterReturn: 0 };

    const outcomes = await Promise.all([settlements.insertOnce(settlement), settlements.insertOnce(other)]);

    const inserted = outcomes.find((o) => o.kind === "inserted");
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["exists", "inserted"]);
    expect(outcomes.map((o) => o.settlement)).toEqual([inserted?.settlement, inserted?.settlement]);
    expect(await countRows(database, "settlements")).toBe(1);
    expect(await settlements.findByQuoteId(settlement.quoteId)).toEqual(inserted?.settlement);
  });

  it("records a settlement with nothing due and no credit", async () => {
    const settlement = aSettlement({ drivenKm: 0, lines: [], credits: [], dueAfterReturn: 0 });

    await settlements.insertOnce(settlement);

    expect(await settlements.findByQuoteId(settlement.quoteId)).toEqual(settlement);
  });

  it("finds nothing for a quote that was never settled", async () => {
    expect(await settlements.findByQuoteId("00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });
});

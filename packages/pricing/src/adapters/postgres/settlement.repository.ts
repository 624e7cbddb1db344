import type { Database } from "@carfare/kit";
import { asc, eq } from "drizzle-orm";
import type { SettlementInsertOutcome, SettlementRepository } from "../../application/ports.js";
import type { PriceLine, Settlement } from "../../domain/quote.js";
import { type SettlementLineRow, type SettlementRow, settlementLines, settlements } from "./settlement.table.js";

/**
 * Settlements in `pricing.settlements` and `pricing.settlement_lines`, at most one per quote.
 * `quote_id` is the primary key; no foreign key to `pricing.quotes`, whose rows are written in batches and may
 * come later.
 */
export class PostgresSettlementRepository implements SettlementRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records the settlement unless its quote is already settled, in one transaction. When two calls race for
   * the same quote, the second waits on the primary key until the first commits, then inserts nothing and
   * returns the first one's settlement.
   */
  async insertOnce(settlement: Settlement): Promise<SettlementInsertOutcome> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(settlements)
        .values(settlementToRow(settlement))
        .onConflictDoNothing({ target: settlements.quoteId })
        .returning({ quoteId: settlements.quoteId });
      if (inserted.length > 0) {
        const lines = settlementToLineRows(settlement);
        if (lines.length > 0) await tx.insert(settlementLines).values(lines);
        return { kind: "inserted", settlement };
      }
      const recorded = await findSettlement(tx, settlement.quoteId);
      if (recorded === undefined) throw new Error(`settlement of quote ${settlement.quoteId} vanished`);
      return { kind: "exists", settlement: recorded };
    });
  }

  findByQuoteId(quoteId: string): Promise<Settlement | undefined> {
    return findSettlement(this.db, quoteId);
  }
}

type Executor = Pick<Database, "select">;

async function findSettlement(db: Executor, quoteId: string): Promise<Settlement | undefined> {
  const [row] = await db.select().from(settlements).where(eq(settlements.quoteId, quoteId));
  if (row === undefined) return undefined;
  const lines = await db
    .select()
    .from(settlementLines)
    .where(eq(settlementLines.quoteId, quoteId))
    .orderBy(asc(settlementLines.lineNo));
  return rowsToSettlement(row, lines);
}

function settlementToRow(settlement: Settlement): SettlementRow {
  return {
    quoteId: settlement.quoteId,
    settledAt: settlement.settledAt,
    market: settlement.market,
    tariffId: settlement.tariffId,
    tariffVersion: settlement.tariffVersion,
    currency: settlement.currency,
    returnedAt: settlement.returnedAt,
    drivenKm: settlement.drivenKm,
    dueAfterReturn: settlement.dueAfterReturn,
  };
}

/** Charges first, then credits, numbered from 1 in that order. */
function settlementToLineRows(settlement: Settlement): SettlementLineRow[] {
  const line = (kind: "CHARGE" | "CREDIT", priceLine: PriceLine, index: number): SettlementLineRow => ({
    quoteId: settlement.quoteId,
    lineNo: index + 1,
    kind,
    code: priceLine.code,
    label: priceLine.label,
    amount: priceLine.amount,
    currency: settlement.currency,
  });
  return [
    ...settlement.lines.map((priceLine, i) => line("CHARGE", priceLine, i)),
    ...settlement.credits.map((priceLine, i) => line("CREDIT", priceLine, settlement.lines.length + i)),
  ];
}

function rowsToSettlement(row: SettlementRow, lines: readonly SettlementLineRow[]): Settlement {
  const priceLine = <C extends string>(line: SettlementLineRow): PriceLine<C> => ({
    code: line.code as C,
    label: line.label,
    amount: line.amount,
  });
  return {
    quoteId: row.quoteId,
    market: row.market,
    tariffId: row.tariffId,
    tariffVersion: row.tariffVersion,
    currency: row.currency,
    returnedAt: row.returnedAt,
    drivenKm: row.drivenKm,
    lines: lines
      .filter((line) => line.kind === "CHARGE")
      .map((line) => priceLine<"DISTANCE_FEE" | "LATE_RETURN_FEE">(line)),
    credits: lines.filter((line) => line.kind === "CREDIT").map((line) => priceLine<"EARLY_RETURN_CREDIT">(line)),
    dueAfterReturn: row.dueAfterReturn,
    settledAt: row.settledAt,
  };
}

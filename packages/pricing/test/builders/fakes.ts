import type {
  Clock,
  PublishedTariff,
  QuoteRecorder,
  SettlementInsertOutcome,
  SettlementRepository,
} from "../../src/application/ports.js";
import { QuoteTokens } from "../../src/application/quote-token.js";
import type { Quote, Settlement } from "../../src/domain/quote.js";
import type { TariffDocument } from "../../src/domain/tariff.js";

/** A clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return this.current;
  }
  set(at: Date): void {
    this.current = at;
  }
}

export class RecordedQuotes implements QuoteRecorder {
  readonly quotes: Quote[] = [];
  record(quote: Quote): void {
    this.quotes.push(quote);
  }
}

export class InMemorySettlements implements SettlementRepository {
  readonly byQuoteId = new Map<string, Settlement>();
  async insertOnce(settlement: Settlement): Promise<SettlementInsertOutcome> {
    const existing = this.byQuoteId.get(settlement.quoteId);
    if (existing !== undefined) return { kind: "exists", settlement: existing };
    this.byQuoteId.set(settlement.quoteId, settlement);
    return { kind: "inserted", settlement };
  }
  async findByQuoteId(quoteId: string): Promise<Settlement | undefined> {
    return this.byQuoteId.get(quoteId);
  }
}

export function testTokens(...kids: string[]): QuoteTokens {
  return new QuoteTokens(
    (kids.length === 0 ? ["k1"] : kids).map((kid) => ({ kid, secret: Buffer.from(`secret-of-${kid}-for-tests`) })),
  );
}

export function published(
  document: TariffDocument,
  version = 1,
  effectiveFrom = new Date("2026-01-01T00:00:00Z"),
): PublishedTariff {
  return {
    tariffId: document.id,
    version,
    market: document.market,
    document,
    publishedAt: effectiveFrom,
    publishedBy: "test",
    effectiveFrom,
  };
}

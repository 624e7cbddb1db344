import { err, ok, type Result } from "@carfare/kit";
import {
  AlreadySettledError,
  BadQuoteTokenError,
  type InvalidRequestError,
  type InvalidReturnError,
} from "../domain/pricing-errors.js";
import type { Settlement } from "../domain/quote.js";
import { settleRental } from "../domain/settle-rental.js";
import type { Clock, SettlementRepository } from "./ports.js";
import type { QuoteTokens } from "./quote-token.js";
import { checkDistance, missingField } from "./request-checks.js";
import type { TariffCatalog } from "./tariff-catalog.js";

export interface SettleRequest {
  readonly token: string;
  readonly returnedAt: Date;
  readonly drivenKm: number;
}

export interface SettleQuoteDeps {
  readonly catalog: TariffCatalog;
  readonly tokens: QuoteTokens;
  readonly settlements: SettlementRepository;
  readonly clock: Clock;
}

export type SettleRefusal = InvalidRequestError | BadQuoteTokenError | InvalidReturnError | AlreadySettledError;

/**
 * Settle use case (spec §4): verifies the token, prices the return on the quote's own tariff version (price
 * lock) and records the settlement once. Settling again with the same inputs returns what was recorded.
 */
export async function settleQuote(
  deps: SettleQuoteDeps,
  request: SettleRequest,
): Promise<Result<Settlement, SettleRefusal>> {
  const missing = missingField(request, ["token", "returnedAt"]);
  if (missing !== undefined) return err(missing);
  const badKm = checkDistance("driven_km", request.drivenKm);
  if (badKm !== undefined) return err(badKm);

  const claims = deps.tokens.verify(request.token);
  const entry = claims === undefined ? undefined : deps.catalog.version(claims.tariffId, claims.tariffVersion);
  const car = entry?.tariff.carModels.get(claims?.carModelId ?? "");
  if (claims === undefined || entry === undefined || car === undefined) {
    return err(
      new BadQuoteTokenError("the quote token is not one this service issued, or it was altered", [
        { field: "token", message: "invalid token" },
      ]),
    );
  }

  const amounts = settleRental(entry.tariff, car, claims, request.returnedAt, request.drivenKm);
  if (!amounts.ok) return amounts;

  const settlement: Settlement = {
    quoteId: claims.quoteId,
    market: claims.market,
    tariffId: claims.tariffId,
    tariffVersion: claims.tariffVersion,
    currency: claims.currency,
    returnedAt: request.returnedAt,
    drivenKm: request.drivenKm,
    lines: amounts.value.lines,
    credits: amounts.value.credits,
    dueAfterReturn: amounts.value.dueAfterReturn,
    settledAt: deps.clock.now(),
  };
  const outcome = await deps.settlements.insertOnce(settlement);
  if (outcome.kind === "inserted") return ok(outcome.settlement);
  const recorded = outcome.settlement;
  if (recorded.returnedAt.getTime() === request.returnedAt.getTime() && recorded.drivenKm === request.drivenKm)
    return ok(recorded);
  return err(
    new AlreadySettledError(
      `quote ${claims.quoteId} was settled at ${recorded.settledAt.toISOString()} with other inputs (returned_at ${recorded.returnedAt.toISOString()}, driven_km ${recorded.drivenKm})`,
      [{ field: "token", message: "already settled" }],
    ),
  );
}

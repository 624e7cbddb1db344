import { type AccessTokens, type DomainError, err, ok, type Result } from "@carfare/kit";
import type { ServerUnaryCall } from "@grpc/grpc-js";
import { type QuoteRentalDeps, quoteRental } from "../../application/quote-rental.js";
import { type SettleQuoteDeps, settleQuote } from "../../application/settle-quote.js";
import { UnauthenticatedError } from "../../domain/pricing-errors.js";
import type { PriceLine, Quote, Settlement } from "../../domain/quote.js";
import type * as pb from "./gen/carfare/pricing/v1/pricing.js";
import { IGNORE_PRICING, type PricingObserver } from "./pricing-metrics.js";
import { type CallContext, unary } from "./unary-handler.js";

export interface PricingServiceDeps {
  readonly quote: QuoteRentalDeps;
  readonly settle: SettleQuoteDeps;
  /** When not empty, callers must present one of these tokens (DESIGN.md "Access"). */
  readonly serviceTokens: AccessTokens;
  readonly onBug: (error: unknown, call: ServerUnaryCall<unknown, unknown>) => void;
  /** Told of every quote, settlement and refusal (the business counters); default: nobody. */
  readonly observer?: PricingObserver;
}

/** The PricingService handlers: protobuf in, use case, protobuf out. */
export function createPricingService(deps: PricingServiceDeps): pb.PricingServiceServer {
  const observer = deps.observer ?? IGNORE_PRICING;
  const refused = (error: DomainError) => observer.refused(error.code);
  return {
    quote: unary<pb.QuoteRequest, pb.Quote>(
      (request, context) => {
        const caller = authorizeService(deps.serviceTokens, context);
        if (!caller.ok) return caller;
        const result = quoteRental(deps.quote, {
          market: request.market,
          carModelId: request.carModelId,
          startAt: request.startAt as Date,
          endAt: request.endAt as Date,
          memberTier: request.memberTier,
          couponCode: request.couponCode,
          delivery: request.delivery,
          estimatedKm: request.estimatedKm,
          explain: request.explain,
        });
        if (!result.ok) return result;
        observer.quoted(result.value);
        return ok(quoteToProto(result.value));
      },
      deps.onBug,
      refused,
    ),

    settle: unary<pb.SettleRequest, pb.Settlement>(
      async (request, context) => {
        const caller = authorizeService(deps.serviceTokens, context);
        if (!caller.ok) return caller;
        const result = await settleQuote(deps.settle, {
          token: request.token,
          returnedAt: request.returnedAt as Date,
          drivenKm: request.drivenKm,
        });
        if (!result.ok) return result;
        observer.settled(result.value);
        return ok(settlementToProto(result.value));
      },
      deps.onBug,
      refused,
    ),
  };
}

function authorizeService(tokens: AccessTokens, context: CallContext): Result<string, UnauthenticatedError> {
  if (tokens.isEmpty) return ok("anonymous");
  const name = tokens.authenticate(context.metadata.get("authorization")[0]?.toString());
  return name === undefined
    ? err(
        new UnauthenticatedError("a service token is required: authorization: Bearer <token>", [
          { field: "authorization", message: "missing or wrong token" },
        ]),
      )
    : ok(name);
}

function linesToProto(lines: readonly PriceLine[]): pb.PriceLine[] {
  return lines.map((l) => ({ code: l.code, label: l.label, amount: l.amount }));
}

export function quoteToProto(quote: Quote): pb.Quote {
  return {
    quoteId: quote.quoteId,
    tariffId: quote.tariffId,
    tariffVersion: quote.tariffVersion,
    currency: quote.currency,
    lines: linesToProto(quote.lines),
    dueAtBooking: quote.dueAtBooking,
    estimatedAfterReturn: quote.estimatedAfterReturn,
    totalEstimate: quote.totalEstimate,
    expiresAt: quote.expiresAt,
    token: quote.token,
    explanation: (quote.explanation ?? []).map((w) => ({
      startAt: w.startAt,
      endAt: w.endAt,
      slotGroups: w.slotGroups.map((g) => ({
        dayType: g.dayType,
        timeBand: g.timeBand,
        slotPrice: g.slotPrice,
        count: g.count,
      })),
      sum: w.sum,
      cap: w.cap,
      fee: w.fee,
    })),
  };
}

export function settlementToProto(settlement: Settlement): pb.Settlement {
  return {
    quoteId: settlement.quoteId,
    currency: settlement.currency,
    lines: linesToProto(settlement.lines),
    dueAfterReturn: settlement.dueAfterReturn,
    credits: linesToProto(settlement.credits),
  };
}

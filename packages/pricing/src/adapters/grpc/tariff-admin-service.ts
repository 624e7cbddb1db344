import { type AccessTokens, type DomainError, err, ok, type Result } from "@carfare/kit";
import type { ServerUnaryCall } from "@grpc/grpc-js";
import type { PublishedTariff } from "../../application/ports.js";
import { type PublishTariffDeps, publishTariff } from "../../application/publish-tariff.js";
import { type PutCouponDeps, putCoupon } from "../../application/put-coupon.js";
import { getTariffVersion, listTariffVersions } from "../../application/read-tariff-versions.js";
import type { TariffCatalog } from "../../application/tariff-catalog.js";
import type { Coupon } from "../../domain/coupon.js";
import { UnauthenticatedError } from "../../domain/pricing-errors.js";
import type * as pb from "./gen/carfare/pricing/v1/pricing.js";
import { IGNORE_PRICING, type PricingObserver } from "./pricing-metrics.js";
import { type CallContext, unary } from "./unary-handler.js";

export interface TariffAdminServiceDeps {
  readonly publish: PublishTariffDeps;
  readonly putCoupon: PutCouponDeps;
  readonly catalog: TariffCatalog;
  /** With no admin token configured the admin API refuses everything (DESIGN.md "Access"). */
  readonly adminTokens: AccessTokens;
  readonly onBug: (error: unknown, call: ServerUnaryCall<unknown, unknown>) => void;
  /** Told of every refusal (the business counters); default: nobody. */
  readonly observer?: PricingObserver;
}

/** The TariffAdminService handlers; every call needs an admin token, whose name is recorded. */
export function createTariffAdminService(deps: TariffAdminServiceDeps): pb.TariffAdminServiceServer {
  const admin = (context: CallContext) => authorizeAdmin(deps.adminTokens, context);
  const observer = deps.observer ?? IGNORE_PRICING;
  const refused = (error: DomainError) => observer.refused(error.code);
  return {
    publishTariff: unary<pb.PublishTariffRequest, pb.TariffVersion>(
      async (request, context) => {
        const caller = admin(context);
        if (!caller.ok) return caller;
        const result = await publishTariff(deps.publish, request.document, caller.value);
        return result.ok ? ok(versionToProto(result.value.tariff)) : result;
      },
      deps.onBug,
      refused,
    ),

    listTariffVersions: unary<pb.ListTariffVersionsRequest, pb.ListTariffVersionsResponse>(
      (request, context) => {
        const caller = admin(context);
        if (!caller.ok) return caller;
        const result = listTariffVersions(deps.catalog, request.tariffId);
        return result.ok ? ok({ versions: result.value.map(versionToProto) }) : result;
      },
      deps.onBug,
      refused,
    ),

    getTariffVersion: unary<pb.GetTariffVersionRequest, pb.TariffDocument>(
      (request, context) => {
        const caller = admin(context);
        if (!caller.ok) return caller;
        const result = getTariffVersion(deps.catalog, request.tariffId, request.version);
        return result.ok
          ? ok({ version: versionToProto(result.value), document: JSON.stringify(result.value.document, null, 2) })
          : result;
      },
      deps.onBug,
      refused,
    ),

    putCoupon: unary<pb.Coupon, pb.Coupon>(
      async (request, context) => {
        const caller = admin(context);
        if (!caller.ok) return caller;
        const result = await putCoupon(
          deps.putCoupon,
          {
            code: request.code,
            market: request.market,
            kind: request.kind,
            percent: request.percent,
            maxDiscount: request.maxDiscount,
            amount: request.amount,
            validFrom: request.validFrom,
            validUntil: request.validUntil,
            minMinutes: request.minMinutes,
            carClasses: request.carClasses,
          },
          caller.value,
        );
        return result.ok ? ok(couponToProto(result.value)) : result;
      },
      deps.onBug,
      refused,
    ),
  };
}

function authorizeAdmin(tokens: AccessTokens, context: CallContext): Result<string, UnauthenticatedError> {
  const name = tokens.authenticate(context.metadata.get("authorization")[0]?.toString());
  if (name !== undefined) return ok(name);
  const why = tokens.isEmpty
    ? "no admin token is configured (CARFARE_ADMIN_TOKENS), so admin calls are refused"
    : "an admin token is required: authorization: Bearer <token>";
  return err(new UnauthenticatedError(why, [{ field: "authorization", message: "missing or wrong token" }]));
}

export function versionToProto(tariff: PublishedTariff): pb.TariffVersion {
  return {
    tariffId: tariff.tariffId,
    version: tariff.version,
    market: tariff.market,
    publishedAt: tariff.publishedAt,
    publishedBy: tariff.publishedBy,
    effectiveFrom: tariff.effectiveFrom,
  };
}

function couponToProto(coupon: Coupon): pb.Coupon {
  return {
    code: coupon.code,
    market: coupon.market,
    kind: coupon.kind,
    percent: coupon.kind === "PERCENT" ? coupon.percent : 0,
    maxDiscount: coupon.kind === "PERCENT" ? coupon.maxDiscount : 0,
    amount: coupon.kind === "FIXED" ? coupon.amount : 0,
    validFrom: coupon.validFrom,
    validUntil: coupon.validUntil,
    minMinutes: coupon.minMinutes,
    carClasses: [...coupon.carClasses],
  };
}

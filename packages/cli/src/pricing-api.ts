import { errorInfoOf, pricingProto } from "@carfare/pricing";
import type * as pb from "@carfare/pricing/proto";
import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import type { CarfareConfig } from "./config.js";
import { readDemoAdminToken } from "./demo-secrets.js";

/** Where the CLI finds the pricing service and the token it presents. */
export interface ApiOptions {
  readonly server?: string;
  readonly token?: string;
}

/** A refusal or failure reported by the service, printed as `CODE: message`. */
export class ApiError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/** The pricing service's gRPC clients, called with promises and with the token set once. */
export async function connectPricing(config: CarfareConfig, options: ApiOptions) {
  const address = options.server ?? `127.0.0.1:${config.pricingPort}`;
  const token = options.token ?? process.env.CARFARE_ADMIN_TOKEN ?? (await readDemoAdminToken(config.dataDir));
  const metadata = new Metadata();
  if (token !== undefined && token !== "") metadata.set("authorization", `Bearer ${token}`);
  const channel = credentials.createInsecure();
  const pricing = new pricingProto.PricingServiceClient(address, channel);
  const admin = new pricingProto.TariffAdminServiceClient(address, channel);

  const call = <Req, Res>(client: object, method: unknown, request: Req): Promise<Res> =>
    new Promise((resolve, reject) => {
      (method as Unary<Req, Res>).call(client, request, metadata, (error, response) => {
        if (error === null) resolve(response);
        else reject(toApiError(error, address));
      });
    });

  return {
    address,
    quote: (r: pb.QuoteRequest) => call<pb.QuoteRequest, pb.Quote>(pricing, pricing.quote, r),
    settle: (r: pb.SettleRequest) => call<pb.SettleRequest, pb.Settlement>(pricing, pricing.settle, r),
    publishTariff: (r: pb.PublishTariffRequest) =>
      call<pb.PublishTariffRequest, pb.TariffVersion>(admin, admin.publishTariff, r),
    listTariffVersions: (r: pb.ListTariffVersionsRequest) =>
      call<pb.ListTariffVersionsRequest, pb.ListTariffVersionsResponse>(admin, admin.listTariffVersions, r),
    getTariffVersion: (r: pb.GetTariffVersionRequest) =>
      call<pb.GetTariffVersionRequest, pb.TariffDocument>(admin, admin.getTariffVersion, r),
    putCoupon: (r: pb.Coupon) => call<pb.Coupon, pb.Coupon>(admin, admin.putCoupon, r),
    close() {
      pricing.close();
      admin.close();
    },
  };
}

export type PricingApi = Awaited<ReturnType<typeof connectPricing>>;

function toApiError(error: ServiceError, address: string): ApiError {
  const info = errorInfoOf(error);
  if (info !== undefined) return new ApiError(info.reason, error.details);
  if (error.code === 14) {
    return new ApiError(
      "UNAVAILABLE",
      `cannot reach the pricing service at ${address}: is \`carfare serve\` running? (${error.details})`,
    );
  }
  return new ApiError(`GRPC_${error.code}`, error.details || error.message);
}

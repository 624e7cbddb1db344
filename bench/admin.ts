import { pricingProto } from "@carfare/pricing";
import { credentials, Metadata } from "@grpc/grpc-js";

/** The admin token the bench's pricing servers accept (CARFARE_ADMIN_TOKENS format `name:token`). */
export const BENCH_ADMIN_TOKENS = "bench:bench-admin-token-not-a-secret";
const TOKEN = BENCH_ADMIN_TOKENS.slice(BENCH_ADMIN_TOKENS.indexOf(":") + 1);

/** Publishes a tariff document the way an operator does: TariffAdminService/PublishTariff with a grpc-js client. */
export function publishTariff(port: number, document: string): Promise<pricingProto.TariffVersion> {
  const client = new pricingProto.TariffAdminServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${TOKEN}`);
  return new Promise<pricingProto.TariffVersion>((resolve, reject) => {
    client.publishTariff({ document }, metadata, (error, version) => (error ? reject(error) : resolve(version)));
  }).finally(() => client.close());
}

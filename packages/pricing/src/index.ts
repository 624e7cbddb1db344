export * as pricingProto from "./adapters/grpc/gen/carfare/pricing/v1/pricing.js";
export { errorInfoOf } from "./adapters/grpc/grpc-status.js";
export { pricingMigrations } from "./adapters/postgres/pricing-migrations.js";
export type { PublishedTariff } from "./application/ports.js";
export { parseQuoteKeys, type QuoteKey } from "./application/quote-token.js";
export { type PricingServiceOptions, type RunningPricingService, seedTariffs, startPricingService } from "./main.js";

import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "../support/health-client.js";
import { fileByFilename, fileContainingSymbol, listServices } from "../support/reflection-client.js";
import {
  createPricingTestDatabase,
  type PricingUnderTest,
  startPricingUnderTest,
  testClock,
} from "./pricing-service-under-test.js";

const PRICING = "carfare.pricing.v1.PricingService";
const ADMIN = "carfare.pricing.v1.TariffAdminService";

describe.each(databasesUnderTest())("Health and reflection of the running service, on %s", (kind) => {
  let database: TestDatabase;
  let service: PricingUnderTest;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    service = await startPricingUnderTest({ database, clock: testClock("2026-11-25T09:00:00Z") });
  });
  afterAll(async () => {
    await service?.stop();
    await database?.close();
  });

  it("When a probe checks the server and each service, then they are SERVING", async () => {
    expect(await checkHealth(service.address, "")).toBe("SERVING");
    expect(await checkHealth(service.address, PRICING)).toBe("SERVING");
    expect(await checkHealth(service.address, ADMIN)).toBe("SERVING");
  });

  it("When reflection is asked for the services, then pricing, tariff admin, health and reflection are listed", async () => {
    expect(await listServices(service.address)).toEqual(
      expect.arrayContaining([PRICING, ADMIN, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"]),
    );
  });

  it("When reflection is asked for carfare.pricing.v1.Quote, then it returns pricing.proto with the contract's field numbers", async () => {
    const [file] = await fileContainingSymbol(service.address, "carfare.pricing.v1.Quote");

    expect(file?.name).toBe("carfare/pricing/v1/pricing.proto");
    expect(file?.package).toBe("carfare.pricing.v1");
    const quote = file?.messageType?.find((m) => m.name === "Quote");
    expect(quote?.field?.map((f) => [f.name, f.number])).toEqual([
      ["quote_id", 1],
      ["tariff_id", 2],
      ["tariff_version", 3],
      ["currency", 4],
      ["lines", 5],
      ["due_at_booking", 6],
      ["estimated_after_return", 7],
      ["total_estimate", 8],
      ["expires_at", 9],
      ["token", 10],
      ["explanation", 11],
    ]);
    expect(file?.service?.map((s) => s.name)).toEqual(["PricingService", "TariffAdminService"]);
  });

  it("When a client fetches pricing.proto's import by file name, then the Timestamp descriptor is served", async () => {
    const [file] = await fileContainingSymbol(service.address, "carfare.pricing.v1.QuoteRequest");
    expect(file?.dependency).toEqual(["google/protobuf/timestamp.proto"]);

    const [timestampFile] = await fileByFilename(service.address, "google/protobuf/timestamp.proto");

    expect(timestampFile?.messageType?.map((m) => m.name)).toEqual(["Timestamp"]);
  });
});

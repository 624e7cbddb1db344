import { type ServerUnaryCall, type sendUnaryData, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "../../../test/support/health-client.js";
import {
  call,
  callError,
  createPricingClients,
  dateOf,
  errorInfoOf,
  type PricingClients,
  timestamp,
} from "../../../test/support/pricing-client.js";
import { fileByFilename, fileContainingSymbol, listServices } from "../../../test/support/reflection-client.js";
import {
  type PricingServiceServer,
  PricingServiceService,
  type Settlement,
  type SettleRequest,
  type TariffAdminServiceServer,
  TariffAdminServiceService,
} from "./gen/carfare/pricing/v1/pricing.js";
import { type GrpcServerHandle, startGrpcServer } from "./grpc-server.js";
import { grpcError } from "./grpc-status.js";

// These tests cover the server plumbing (binding, health, reflection, error details, shutdown) with
// handlers written for the test; the real pricing handlers are tested with the pricing adapter.
const PRICING = "carfare.pricing.v1.PricingService";
const ADMIN = "carfare.pricing.v1.TariffAdminService";

const refuse = (_call: unknown, callback: sendUnaryData<never>) =>
  callback(grpcError(status.UNAUTHENTICATED, "PRICING.UNAUTHENTICATED", "no admin token"));

const pricing: PricingServiceServer = {
  quote: (_call, callback) =>
    callback(
      grpcError(status.INVALID_ARGUMENT, "PRICING.INVALID_PERIOD", "end_at is not on the 10-minute grid", {
        field: "end_at",
      }),
    ),
  // Echoes amounts a person can check, to show int64 and Timestamp values cross the wire exactly.
  settle: (call: ServerUnaryCall<SettleRequest, Settlement>, callback: sendUnaryData<Settlement>) =>
    callback(null, {
      quoteId: `returned ${call.request.returnedAt?.toISOString()}`,
      currency: "KRW",
      lines: [
        { code: "DISTANCE_FEE", label: "Distance", amount: 25_520 },
        { code: "LATE_RETURN_FEE", label: "Late return", amount: 1_000_000_000_000 },
      ],
      dueAfterReturn: 1_000_000_025_520,
      credits: [{ code: "EARLY_RETURN_CREDIT", label: "Early return", amount: 4_770 }],
    }),
};
const admin: TariffAdminServiceServer = {
  publishTariff: refuse,
  listTariffVersions: refuse,
  putCoupon: refuse,
  getTariffVersion: refuse,
};

describe("startGrpcServer", () => {
  let server: GrpcServerHandle;
  let address: string;
  let clients: PricingClients;

  beforeAll(async () => {
    server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      services: [
        { definition: PricingServiceService, implementation: pricing },
        { definition: TariffAdminServiceService, implementation: admin },
      ],
    });
    address = `127.0.0.1:${server.port}`;
    clients = createPricingClients(address);
  });
  afterAll(async () => {
    clients.close();
    await server.shutdown(1_000);
  });

  it("binds the free port it was given 0 for", () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it("rejects when the port is taken", async () => {
    await expect(startGrpcServer({ host: "127.0.0.1", port: server.port, services: [] })).rejects.toThrow();
  });

  it("reports SERVING for the server and each service", async () => {
    expect(await checkHealth(address)).toBe("SERVING");
    expect(await checkHealth(address, PRICING)).toBe("SERVING");
    expect(await checkHealth(address, ADMIN)).toBe("SERVING");
    expect(await checkHealth(address, "no.such.Service")).toBe("SERVICE_UNKNOWN");
  });

  it("When draining (setServing(false)), then health reports NOT_SERVING, and SERVING again after", async () => {
    server.setServing(false);
    expect(await checkHealth(address)).toBe("NOT_SERVING");
    expect(await checkHealth(address, PRICING)).toBe("NOT_SERVING");
    server.setServing(true);
    expect(await checkHealth(address, PRICING)).toBe("SERVING");
  });

  it("lists the pricing, admin, health and reflection services through reflection", async () => {
    expect(await listServices(address)).toEqual([
      PRICING,
      ADMIN,
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
  });

  it("resolves carfare.pricing.v1.PricingService to pricing.proto as buf built it, with its methods", async () => {
    const [file] = await fileContainingSymbol(address, PRICING);
    expect(file?.name).toBe("carfare/pricing/v1/pricing.proto");
    expect(file?.package).toBe("carfare.pricing.v1");
    const service = file?.service?.find((s) => s.name === "PricingService");
    expect(service?.method?.map((m) => [m.name, m.inputType, m.outputType])).toEqual([
      ["Quote", ".carfare.pricing.v1.QuoteRequest", ".carfare.pricing.v1.Quote"],
      ["Settle", ".carfare.pricing.v1.SettleRequest", ".carfare.pricing.v1.Settlement"],
    ]);
  });

  it("serves the imports a linking client (grpcurl) fetches by file name", async () => {
    const [file] = await fileContainingSymbol(address, "carfare.pricing.v1.QuoteRequest");
    expect(file?.dependency).toEqual(["google/protobuf/timestamp.proto"]);
    const [timestampFile] = await fileByFilename(address, "google/protobuf/timestamp.proto");
    expect(timestampFile?.messageType?.map((m) => m.name)).toEqual(["Timestamp"]);
    await expect(fileContainingSymbol(address, "no.such.Symbol")).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it("When a handler refuses, then the client gets the status, the code first in the message and an ErrorInfo", async () => {
    const err = await callError(
      call(clients.pricing, "Quote", {
        market: "kr",
        carModelId: "sonata-dn8",
        startAt: timestamp("2026-11-28T01:00:00Z"),
        endAt: timestamp("2026-11-29T03:05:00Z"),
      }),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe("PRICING.INVALID_PERIOD: end_at is not on the 10-minute grid");
    expect(errorInfoOf(err)).toEqual({
      reason: "PRICING.INVALID_PERIOD",
      domain: "pricing.carfare",
      metadata: { field: "end_at" },
    });
  });

  it("sends the error details of the admin service too", async () => {
    const err = await callError(call(clients.admin, "ListTariffVersions", { tariffId: "kr-standard" }));
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(err.details.startsWith("PRICING.UNAUTHENTICATED: ")).toBe(true);
    expect(errorInfoOf(err)?.reason).toBe("PRICING.UNAUTHENTICATED");
  });

  it("carries int64 amounts and Timestamps exactly between generated server and .proto-loaded client", async () => {
    const settlement = await call<{
      quoteId: string;
      lines: { code: string; amount: number }[];
      dueAfterReturn: number;
      credits: { amount: number }[];
    }>(clients.pricing, "Settle", {
      token: "t",
      returnedAt: timestamp("2026-11-29T02:00:00.250Z"),
      drivenKm: 120,
    });
    expect(settlement.quoteId).toBe("returned 2026-11-29T02:00:00.250Z");
    expect(settlement.lines.map((l) => [l.code, l.amount])).toEqual([
      ["DISTANCE_FEE", 25_520],
      ["LATE_RETURN_FEE", 1_000_000_000_000],
    ]);
    expect(settlement.dueAfterReturn).toBe(1_000_000_025_520);
    expect(settlement.credits[0]?.amount).toBe(4_770);
    expect(dateOf(timestamp("2026-11-29T02:00:00.250Z"))?.toISOString()).toBe("2026-11-29T02:00:00.250Z");
  });
});

describe("GrpcServerHandle.shutdown", () => {
  it("lets a call in flight finish within the grace period, then refuses new calls", async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const callStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      services: [
        {
          definition: PricingServiceService,
          implementation: {
            ...pricing,
            settle: (call: ServerUnaryCall<SettleRequest, Settlement>, callback: sendUnaryData<Settlement>) => {
              started();
              void released.then(() => pricing.settle(call, callback));
            },
          } satisfies PricingServiceServer,
        },
      ],
    });
    const address = `127.0.0.1:${server.port}`;
    const clients = createPricingClients(address);
    try {
      const inFlight = call<{ dueAfterReturn: number }>(clients.pricing, "Settle", { token: "t" });
      await callStarted;
      const stopped = server.shutdown(5_000);
      setTimeout(release, 100);
      expect((await inFlight).dueAfterReturn).toBe(1_000_000_025_520);
      await stopped;
      const refused = await callError(
        call(clients.pricing, "Settle", { token: "t" }, undefined, { deadline: Date.now() + 2_000 }),
      );
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(refused.code);
    } finally {
      clients.close();
    }
  });

  it("While draining, then a health probe never hears SERVING: NOT_SERVING, or refused as new calls are", async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const callStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      services: [
        {
          definition: PricingServiceService,
          implementation: {
            ...pricing,
            settle: (call: ServerUnaryCall<SettleRequest, Settlement>, callback: sendUnaryData<Settlement>) => {
              started();
              void released.then(() => pricing.settle(call, callback));
            },
          } satisfies PricingServiceServer,
        },
      ],
    });
    const address = `127.0.0.1:${server.port}`;
    const clients = createPricingClients(address);
    try {
      const inFlight = call<{ dueAfterReturn: number }>(clients.pricing, "Settle", { token: "t" });
      await callStarted;
      const stopped = server.shutdown(5_000);
      const probe = await checkHealth(address).catch((err: { code?: number }) => `refused (${status[err.code ?? 2]})`);
      expect(["NOT_SERVING", "refused (UNAVAILABLE)"]).toContain(probe);
      release();
      expect((await inFlight).dueAfterReturn).toBe(1_000_000_025_520);
      await stopped;
    } finally {
      clients.close();
    }
  });

  it("During the drain delay, then health reports NOT_SERVING while new calls are still answered; after it, they are refused", async () => {
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      services: [{ definition: PricingServiceService, implementation: pricing }],
    });
    const address = `127.0.0.1:${server.port}`;
    const clients = createPricingClients(address);
    try {
      expect(await checkHealth(address)).toBe("SERVING");
      const began = Date.now();
      const stopped = server.shutdown(5_000, 1_000);

      expect(await checkHealth(address)).toBe("NOT_SERVING");
      expect(await checkHealth(address, PRICING)).toBe("NOT_SERVING");
      const answered = await call<{ dueAfterReturn: number }>(clients.pricing, "Settle", { token: "t" });
      // Answered, so before the server stopped taking calls (after that, new calls are refused: below).
      expect(answered.dueAfterReturn).toBe(1_000_000_025_520);

      await stopped;
      expect(Date.now() - began).toBeGreaterThanOrEqual(1_000);
      const refused = await callError(
        call(clients.pricing, "Settle", { token: "t" }, undefined, { deadline: Date.now() + 2_000 }),
      );
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(refused.code);
    } finally {
      clients.close();
    }
  });

  it("cancels a call still running when the grace period ends", async () => {
    let started: () => void = () => {};
    const callStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      services: [
        {
          definition: PricingServiceService,
          implementation: { ...pricing, settle: () => started() } satisfies PricingServiceServer,
        },
      ],
    });
    const clients = createPricingClients(`127.0.0.1:${server.port}`);
    try {
      const hanging = callError(call(clients.pricing, "Settle", { token: "t" }));
      await callStarted;
      const began = Date.now();
      await server.shutdown(200);
      expect(Date.now() - began).toBeLessThan(2_000);
      expect([status.CANCELLED, status.UNAVAILABLE]).toContain((await hanging).code);
    } finally {
      clients.close();
    }
  });
});

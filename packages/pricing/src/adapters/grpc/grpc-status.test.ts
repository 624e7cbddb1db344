import { Metadata, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Status } from "./gen/google/rpc/status.js";
import { ERROR_DOMAIN, errorInfoOf, grpcError, STATUS_DETAILS_KEY } from "./grpc-status.js";

describe("grpcError", () => {
  const err = grpcError(status.INVALID_ARGUMENT, "PRICING.INVALID_PERIOD", "end_at is not on the 10-minute grid", {
    field: "end_at",
  });

  it("carries the status code and puts the error code at the start of the message", () => {
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe("PRICING.INVALID_PERIOD: end_at is not on the 10-minute grid");
    expect(err.message).toBe(err.details);
    expect(err).toBeInstanceOf(Error);
  });

  it("puts a google.rpc.Status with the same code and message in grpc-status-details-bin", () => {
    const [raw] = err.metadata.get(STATUS_DETAILS_KEY);
    expect(Buffer.isBuffer(raw)).toBe(true);
    const decoded = Status.decode(raw as Buffer);
    expect(decoded.code).toBe(status.INVALID_ARGUMENT);
    expect(decoded.message).toBe(err.details);
    expect(decoded.details.map((any) => any.typeUrl)).toEqual(["type.googleapis.com/google.rpc.ErrorInfo"]);
  });

  it("holds an ErrorInfo with the code as reason, the pricing domain and the metadata", () => {
    expect(errorInfoOf(err)).toEqual({
      reason: "PRICING.INVALID_PERIOD",
      domain: ERROR_DOMAIN,
      metadata: { field: "end_at" },
    });
    expect(ERROR_DOMAIN).toBe("pricing.carfare");
  });

  it("has an empty ErrorInfo metadata when none is given", () => {
    expect(errorInfoOf(grpcError(status.NOT_FOUND, "PRICING.TARIFF_NOT_FOUND", "no tariff for market xx"))).toEqual({
      reason: "PRICING.TARIFF_NOT_FOUND",
      domain: "pricing.carfare",
      metadata: {},
    });
  });
});

describe("errorInfoOf", () => {
  it("returns undefined for an error without status details", () => {
    expect(errorInfoOf({ metadata: new Metadata() })).toBeUndefined();
  });
});

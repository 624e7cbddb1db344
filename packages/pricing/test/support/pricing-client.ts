/**
 * A standard gRPC client for end-to-end tests, built the way another team would build one: loaded at run
 * time from `proto/carfare/pricing/v1/pricing.proto` with @grpc/proto-loader, never from the server's own
 * generated code, and decoding error details with protobufjs from google-proto-files' `google/rpc` protos.
 *
 * Messages are plain objects with camelCase fields (`carModelId`), int64 as JS numbers, Timestamps as
 * `{ seconds, nanos }` (see `timestamp`/`dateOf`), defaults filled in on responses.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";

const require = createRequire(import.meta.url);

/** The contract file, as other teams consume it. */
export const PRICING_PROTO_PATH = fileURLToPath(
  new URL("../../../../proto/carfare/pricing/v1/pricing.proto", import.meta.url),
);

/** int64 as Number (money is always < 2^53), enums as strings, defaults filled in, oneofs named. */
export const CLIENT_LOADER_OPTIONS: protoLoader.Options = {
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** A loaded client: grpc-js gives untyped method access, which is what a dynamic client is. */
export type GrpcClient = grpc.Client;

export interface PricingClients {
  /** carfare.pricing.v1.PricingService */
  readonly pricing: GrpcClient;
  /** carfare.pricing.v1.TariffAdminService */
  readonly admin: GrpcClient;
  /** Closes both channels. */
  close(): void;
}

type ClientConstructor = new (address: string, credentials: grpc.ChannelCredentials) => GrpcClient;

let pricingPackage: Record<string, ClientConstructor> | undefined;

function loadPricingPackage(): Record<string, ClientConstructor> {
  if (pricingPackage === undefined) {
    const definition = protoLoader.loadSync(PRICING_PROTO_PATH, CLIENT_LOADER_OPTIONS);
    const root = grpc.loadPackageDefinition(definition) as unknown as {
      carfare: { pricing: { v1: Record<string, ClientConstructor> } };
    };
    pricingPackage = root.carfare.pricing.v1;
  }
  return pricingPackage;
}

/** Clients of both services at `address` (`127.0.0.1:<port>`), over an insecure channel. */
export function createPricingClients(address: string): PricingClients {
  const v1 = loadPricingPackage();
  const credentials = grpc.credentials.createInsecure();
  const Pricing = v1.PricingService as ClientConstructor;
  const Admin = v1.TariffAdminService as ClientConstructor;
  const pricing = new Pricing(address, credentials);
  const admin = new Admin(address, credentials);
  return {
    pricing,
    admin,
    close: () => {
      pricing.close();
      admin.close();
    },
  };
}

/** `authorization: Bearer <token>` metadata for the admin and service APIs. */
export function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response: unknown) => void,
) => grpc.ClientUnaryCall;

/**
 * Calls the unary `method` (as named in the .proto, e.g. `Quote`) and resolves with the response, or
 * rejects with the grpc-js `ServiceError` (`code`, `details`, `metadata`). Deadline: 10 s unless given.
 *
 * @example const quote = await call<Quote>(clients.pricing, "Quote", { market: "kr", ... });
 */
export function call<Response = Record<string, unknown>>(
  client: GrpcClient,
  method: string,
  request: object,
  metadata: grpc.Metadata = new grpc.Metadata(),
  options: grpc.CallOptions = {},
): Promise<Response> {
  const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
  if (typeof fn !== "function") return Promise.reject(new Error(`no method ${method} on this client`));
  return new Promise((resolve, reject) => {
    fn.call(client, request, metadata, { deadline: Date.now() + 10_000, ...options }, (err, response) =>
      err ? reject(err) : resolve(response as Response),
    );
  });
}

/** Awaits `promise`, expecting it to fail with a gRPC error, and returns that error. */
export async function callError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error && "code" in err && "metadata" in err) return err as grpc.ServiceError;
    throw err;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** google.protobuf.Timestamp as proto-loader takes it. */
export function timestamp(at: Date | string): { seconds: number; nanos: number } {
  const ms = new Date(at).getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** A Timestamp of a response (seconds arrive as a Number with `longs: Number`) as a Date; null when unset. */
export function dateOf(ts: { seconds: number | string; nanos: number } | null | undefined): Date | null {
  return ts ? new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000)) : null;
}

/** The `google.rpc.ErrorInfo` carried by a gRPC error. */
export interface DecodedErrorInfo {
  readonly reason: string;
  readonly domain: string;
  readonly metadata: Readonly<Record<string, string>>;
}

let rpcTypes: { status: protobuf.Type; errorInfo: protobuf.Type } | undefined;

function loadRpcTypes(): { status: protobuf.Type; errorInfo: protobuf.Type } {
  if (rpcTypes === undefined) {
    const rpcDir = join(dirname(require.resolve("google-proto-files/package.json")), "google/rpc");
    const root = new protobuf.Root().loadSync([join(rpcDir, "status.proto"), join(rpcDir, "error_details.proto")], {
      keepCase: true,
    });
    rpcTypes = { status: root.lookupType("google.rpc.Status"), errorInfo: root.lookupType("google.rpc.ErrorInfo") };
  }
  return rpcTypes;
}

/**
 * Decodes the `google.rpc.ErrorInfo` from an error's `grpc-status-details-bin` trailer; undefined when the
 * error has no such trailer or no ErrorInfo in it.
 */
export function errorInfoOf(err: { metadata?: grpc.Metadata }): DecodedErrorInfo | undefined {
  const raw = err.metadata?.get("grpc-status-details-bin")[0];
  if (!Buffer.isBuffer(raw)) return undefined;
  const { status, errorInfo } = loadRpcTypes();
  const decoded = status.toObject(status.decode(raw)) as { details?: { type_url: string; value: Uint8Array }[] };
  const any = decoded.details?.find((d) => d.type_url === "type.googleapis.com/google.rpc.ErrorInfo");
  if (any === undefined) return undefined;
  const info = errorInfo.toObject(errorInfo.decode(any.value), { defaults: true }) as DecodedErrorInfo;
  return { reason: info.reason, domain: info.domain, metadata: { ...info.metadata } };
}

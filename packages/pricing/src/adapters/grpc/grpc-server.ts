import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";

const require = createRequire(import.meta.url);

/**
 * The buf image of our contract (`npm run generate`), which server reflection serves. Resolved from the
 * package root, which is three levels above this module both as `src/adapters/grpc/grpc-server.ts` (tests)
 * and as `dist/adapters/grpc/grpc-server.js` (built). tsc does not copy it, so it stays in `src/…/gen` and a
 * deployment must ship that one file along with `dist` (the package's `exports` name it `./descriptor.binpb`).
 */
export const DESCRIPTOR_PATH = fileURLToPath(
  new URL("../../../src/adapters/grpc/gen/descriptor.binpb", import.meta.url),
);

/** A service to serve: a grpc-js definition (ts-proto's `XxxService`) and its handlers. */
export interface GrpcServiceRegistration {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  /** Bind address, e.g. `127.0.0.1`, `0.0.0.0` or `::`. */
  readonly host: string;
  /** Port to bind; 0 picks a free one (see `GrpcServerHandle.port`). */
  readonly port: number;
  readonly services: readonly GrpcServiceRegistration[];
  /** Default: insecure (TLS ends at the mesh / ingress). */
  readonly credentials?: grpc.ServerCredentials;
  /** Overrides of `DEFAULT_SERVER_OPTIONS` and any other grpc-js channel option. */
  readonly channelOptions?: grpc.ChannelOptions;
  /** The buf image reflection serves; default `DESCRIPTOR_PATH`. */
  readonly descriptorPath?: string;
}

export interface GrpcServerHandle {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  readonly server: grpc.Server;
  /** Reports every service (and the overall status "") SERVING or NOT_SERVING through grpc.health.v1. */
  setServing(serving: boolean): void;
  /**
   * Reports NOT_SERVING and, for `drainMs`, goes on serving new calls as well, so that health-checking
   * balancers and clients see it and move away before anything is refused; then stops taking calls, lets those
   * in flight finish for up to `graceMs`, and cancels what is left.
   */
  shutdown(graceMs?: number, drainMs?: number): Promise<void>;
}

/**
 * Production defaults. Requests are small (a quote request is under 1 KB; the largest message is a tariff
 * document of tens of KB), so 1 MiB in is ample and bounds memory per call. The server pings idle
 * connections every minute so dead peers behind NAT or load balancers are dropped, and it recycles
 * connections after ~5 minutes so long-lived clients rebalance onto new replicas after a scale-out.
 * Channelz stays on although we serve no channelz service: with `grpc.enable_channelz: 0`, grpc-js 1.14 does not
 * track the sessions it accepts, so `forceShutdown` no longer cancels the calls left when the grace period ends
 * (the shutdown test catches it). Off, it saved under 1 % of the Quote's CPU on the bench.
 */
export const DEFAULT_SERVER_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": 1024 * 1024,
  "grpc.max_send_message_length": 4 * 1024 * 1024,
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
  "grpc.max_connection_age_ms": 5 * 60_000,
  "grpc.max_connection_age_grace_ms": 30_000,
};

/**
 * Starts a gRPC server with the given services plus the standard health service (`grpc.health.v1.Health`,
 * every service and "" SERVING) and server reflection (v1 and v1alpha) over the buf image.
 *
 * @example
 * const server = await startGrpcServer({ host: "127.0.0.1", port: 0,
 *   services: [{ definition: PricingServiceService, implementation: pricingHandlers }] });
 * process.on("SIGTERM", () => server.shutdown(10_000));
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const serverOptions: grpc.ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...options.channelOptions };
  const server = new grpc.Server(serverOptions);

  const names = options.services.map(({ definition }) => serviceName(definition));
  for (const { definition, implementation } of options.services) server.addService(definition, implementation);

  const health = new HealthImplementation();
  const setServing = (serving: boolean): void => {
    for (const name of ["", ...names]) health.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
  };
  setServing(true);
  health.addToServer(server);
  new ReflectionService(reflectedPackages(options.descriptorPath ?? DESCRIPTOR_PATH)).addToServer(server);

  const port = await new Promise<number>((done, fail) => {
    server.bindAsync(
      address(options.host, options.port),
      options.credentials ?? grpc.ServerCredentials.createInsecure(),
      (err, bound) => (err ? fail(err) : done(bound)),
    );
  }).catch((err: unknown) => {
    server.forceShutdown();
    throw err;
  });

  return {
    port,
    server,
    setServing,
    shutdown: async (graceMs = 10_000, drainMs = 0) => {
      setServing(false);
      if (drainMs > 0) await new Promise((wait) => setTimeout(wait, drainMs));
      return new Promise<void>((done) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          done();
        });
      });
    },
  };
}

/** "carfare.pricing.v1.PricingService" from a method path "/carfare.pricing.v1.PricingService/Quote". */
function serviceName(definition: grpc.ServiceDefinition): string {
  const path = Object.values(definition)[0]?.path;
  if (path === undefined) throw new Error("startGrpcServer: a service definition without methods");
  return path.slice(1, path.lastIndexOf("/"));
}

/**
 * What reflection describes: the files of our buf image exactly as buf built them, plus the health and
 * reflection protos so that `list` shows those services too.
 *
 * The image is not passed through `protoLoader.loadFileDescriptorSetFromBuffer`: that round trip through
 * protobufjs merges files per package and drops their `dependency` lists, and clients that link what they
 * download (grpcurl) then fail on `.google.protobuf.Timestamp` ("unresolvable reference").
 * ReflectionService reads nothing but `fileDescriptorProtos` from each entry, so the original files go in
 * as one entry.
 */
function reflectedPackages(descriptorPath: string): protoLoader.PackageDefinition {
  const healthRoot = resolve(dirname(healthProtoPath), "../..");
  const reflectionRoot = join(dirname(require.resolve("@grpc/reflection/package.json")), "build/proto");
  const image: protoLoader.EnumTypeDefinition = {
    format: "Protocol Buffer 3 EnumDescriptorProto",
    type: {},
    fileDescriptorProtos: imageFiles(readFileSync(descriptorPath)),
  };
  return {
    ...protoLoader.loadSync("health/v1/health.proto", { includeDirs: [healthRoot] }),
    ...protoLoader.loadSync(["grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"], {
      includeDirs: [reflectionRoot],
    }),
    "(buf image)": image,
  };
}

/** The serialized FileDescriptorProtos of a buf image / FileDescriptorSet (`repeated FileDescriptorProto file = 1`). */
function imageFiles(image: Uint8Array): Buffer[] {
  const reader = new BinaryReader(image);
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  if (files.length === 0) throw new Error("startGrpcServer: the descriptor image holds no files");
  return files;
}

/** `host:port`, with an IPv6 literal in brackets. */
function address(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

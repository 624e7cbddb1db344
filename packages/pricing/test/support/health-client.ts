/** A grpc.health.v1 client (the proto grpc-health-check ships), as Kubernetes' gRPC probes and grpc_health_probe use. */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";

/** What `Health/Check` answers; `SERVICE_UNKNOWN` is reported here for a NOT_FOUND reply. */
export type HealthStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

type HealthClient = grpc.Client & {
  Check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, response?: { status: HealthStatus }) => void,
  ): grpc.ClientUnaryCall;
};

let HealthClientClass: (new (address: string, credentials: grpc.ChannelCredentials) => HealthClient) | undefined;

/**
 * Asks `grpc.health.v1.Health/Check` at `address` for `service` ("" = the server as a whole).
 *
 * @example expect(await checkHealth(address, "carfare.pricing.v1.PricingService")).toBe("SERVING");
 */
export function checkHealth(address: string, service = ""): Promise<HealthStatus> {
  if (HealthClientClass === undefined) {
    const definition = protoLoader.loadSync(protoPath, { enums: String, defaults: true });
    const root = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { health: { v1: { Health: typeof HealthClientClass } } };
    };
    HealthClientClass = root.grpc.health.v1.Health;
  }
  const client = new (HealthClientClass as NonNullable<typeof HealthClientClass>)(
    address,
    grpc.credentials.createInsecure(),
  );
  return new Promise<HealthStatus>((resolve, reject) => {
    client.Check({ service }, { deadline: Date.now() + 10_000 }, (err, response) => {
      if (err?.code === grpc.status.NOT_FOUND) resolve("SERVICE_UNKNOWN");
      else if (err || !response) reject(err);
      else resolve(response.status);
    });
  }).finally(() => client.close());
}

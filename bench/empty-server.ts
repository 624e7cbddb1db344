import * as grpc from "@grpc/grpc-js";
import { callCounts, serveControl, settledMemory } from "./child-control.js";

/**
 * The baseline of the gRPC benchmark: a bare grpc-js server (default options, no interceptors, no health or
 * reflection) answering `carfare.pricing.v1.PricingService/Quote` with an empty message and status OK,
 * without even decoding the request. What is left is grpc-js and HTTP/2 themselves.
 *
 *   node --expose-gc --import tsx bench/empty-server.ts
 */
const QUOTE_PATH = "/carfare.pricing.v1.PricingService/Quote";
const EMPTY = Buffer.alloc(0);

const definition: grpc.ServiceDefinition = {
  quote: {
    path: QUOTE_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: () => EMPTY,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

const server = new grpc.Server();
server.addService(definition, {
  quote: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, EMPTY),
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

serveControl(
  { port },
  { stats: async () => ({ calls: await callCounts(server) }), memory: settledMemory },
  () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
);

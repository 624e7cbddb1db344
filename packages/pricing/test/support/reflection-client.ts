/**
 * A minimal gRPC server-reflection client (grpc.reflection.v1, what grpcurl speaks), loaded from the
 * reflection.proto that ships with @grpc/reflection. One bidi stream per question.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import descriptor from "protobufjs/ext/descriptor/index.js";

const require = createRequire(import.meta.url);

/** A file descriptor as reflection returns it, decoded (protobufjs `IFileDescriptorProto`). */
export type FileDescriptor = descriptor.IFileDescriptorProto;

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type ReflectionClient = grpc.Client & {
  ServerReflectionInfo(options?: grpc.CallOptions): grpc.ClientDuplexStream<object, ReflectionResponse>;
};
type ReflectionClientConstructor = new (address: string, credentials: grpc.ChannelCredentials) => ReflectionClient;

let ReflectionClientClass: ReflectionClientConstructor | undefined;

function reflectionClient(address: string): ReflectionClient {
  if (ReflectionClientClass === undefined) {
    const protoRoot = join(dirname(require.resolve("@grpc/reflection/package.json")), "build/proto");
    const definition = protoLoader.loadSync("grpc/reflection/v1/reflection.proto", {
      includeDirs: [protoRoot],
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const root = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: ReflectionClientConstructor } } };
    };
    ReflectionClientClass = root.grpc.reflection.v1.ServerReflection;
  }
  return new ReflectionClientClass(address, grpc.credentials.createInsecure());
}

function ask(address: string, request: object): Promise<ReflectionResponse> {
  const client = reflectionClient(address);
  return new Promise<ReflectionResponse>((resolve, reject) => {
    const stream = client.ServerReflectionInfo({ deadline: Date.now() + 10_000 });
    stream.once("data", (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.once("error", reject);
    stream.write(request);
  }).finally(() => client.close());
}

/** The fully qualified names of every service the server at `address` describes, sorted. */
export async function listServices(address: string): Promise<string[]> {
  const response = await ask(address, { listServices: "" });
  if (!response.listServicesResponse) throw new Error(`reflection: ${response.errorResponse?.errorMessage}`);
  return response.listServicesResponse.service.map((s) => s.name).sort();
}

function fileDescriptors(response: ReflectionResponse): FileDescriptor[] {
  if (!response.fileDescriptorResponse) {
    throw Object.assign(new Error(`reflection: ${response.errorResponse?.errorMessage}`), {
      code: response.errorResponse?.errorCode,
    });
  }
  return response.fileDescriptorResponse.fileDescriptorProto.map(
    (bytes) => descriptor.FileDescriptorProto.decode(bytes) as unknown as FileDescriptor,
  );
}

/**
 * The file defining `symbol` (e.g. `carfare.pricing.v1.PricingService`) and its dependencies, decoded. A
 * symbol the server does not know rejects with the reflection error (NOT_FOUND).
 */
export async function fileContainingSymbol(address: string, symbol: string): Promise<FileDescriptor[]> {
  return fileDescriptors(await ask(address, { fileContainingSymbol: symbol }));
}

/**
 * The file named `filename` (e.g. `google/protobuf/timestamp.proto`, as listed in another file's
 * `dependency`) and its dependencies, decoded: what grpcurl asks for each import.
 */
export async function fileByFilename(address: string, filename: string): Promise<FileDescriptor[]> {
  return fileDescriptors(await ask(address, { fileByFilename: filename }));
}

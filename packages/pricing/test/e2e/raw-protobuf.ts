/**
 * Requests a proto-loader client cannot send: bytes written by hand (protobuf wire format) and sent with a
 * plain `grpc.Client`, whose serializer passes them through untouched.
 */
import * as grpc from "@grpc/grpc-js";

const VARINT = 0;
const LENGTH_DELIMITED = 2;

function varint(value: bigint): Buffer {
  if (value < 0n) value = BigInt.asUintN(64, value); // int64 negatives are ten-byte two's complement
  const bytes: number[] = [];
  do {
    let byte = Number(value & 0x7fn);
    value >>= 7n;
    if (value > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0n);
  return Buffer.from(bytes);
}

function tag(field: number, wireType: number): Buffer {
  return varint(BigInt((field << 3) | wireType));
}

/** Encoders of single fields; a message is the concatenation of its fields (`Buffer.concat`). */
export const wire = {
  varint: (field: number, value: number | bigint): Buffer => Buffer.concat([tag(field, VARINT), varint(BigInt(value))]),
  bytes: (field: number, value: Buffer): Buffer =>
    Buffer.concat([tag(field, LENGTH_DELIMITED), varint(BigInt(value.length)), value]),
  string: (field: number, value: string): Buffer => wire.bytes(field, Buffer.from(value, "utf8")),
  /** A google.protobuf.Timestamp field of whole seconds. */
  timestamp: (field: number, at: Date | bigint): Buffer =>
    wire.bytes(field, wire.varint(1, typeof at === "bigint" ? at : BigInt(Math.floor(at.getTime() / 1000)))),
};

/**
 * Sends `body` as the request of the unary method at `path` (`/carfare.pricing.v1.PricingService/Quote`)
 * and resolves with the raw response bytes, or rejects with the grpc-js ServiceError.
 */
export function rawUnaryCall(
  address: string,
  path: string,
  body: Buffer,
  metadata: grpc.Metadata = new grpc.Metadata(),
): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      body,
      metadata,
      { deadline: Date.now() + 10_000 },
      (error, response) => (error ? reject(error) : resolve(response as Buffer)),
    );
  }).finally(() => client.close());
}

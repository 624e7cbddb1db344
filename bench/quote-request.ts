import { connect, constants } from "node:http2";
import { pricingProto } from "@carfare/pricing";

export const QUOTE_PATH = "/carfare.pricing.v1.PricingService/Quote";

/**
 * The worked example of spec/pricing.md §3 on kr.yaml: Sonata DN8, Sat 2026-11-28 10:00 → Sun 11-29 12:00
 * Seoul time, 120 km, no member tier or coupon. Hand-checked: due at booking 103,310 won, total estimate
 * 128,830 won.
 */
export const workedExample: pricingProto.QuoteRequest = {
  market: "kr",
  carModelId: "sonata-dn8",
  startAt: new Date("2026-11-28T10:00:00+09:00"),
  endAt: new Date("2026-11-29T12:00:00+09:00"),
  memberTier: "",
  couponCode: "",
  delivery: false,
  estimatedKm: 120,
  explain: false,
};
export const WORKED_EXAMPLE_DUE_AT_BOOKING = 103_310;
export const WORKED_EXAMPLE_TOTAL_ESTIMATE = 128_830;

/** A gRPC length-prefixed message: compressed flag 0, 4-byte big-endian length, the protobuf bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** The request body h2load posts: the worked example encoded by ts-proto, framed. */
export function quoteRequestBody(request: pricingProto.QuoteRequest = workedExample): Buffer {
  return grpcFrame(pricingProto.QuoteRequest.encode(request).finish());
}

export interface GrpcReply {
  readonly httpStatus: number;
  readonly grpcStatus: number | undefined;
  readonly grpcMessage: string | undefined;
  /** The response message without its 5-byte prefix (undefined when none came). */
  readonly message: Buffer | undefined;
}

/**
 * Posts `body` exactly as h2load does (h2c with prior knowledge, the same headers) and reads the answer,
 * trailers included — what h2load does not look at: it counts HTTP 200s, and gRPC sends 200 even for a
 * failed call, whose status is in the `grpc-status` trailer.
 */
export function postGrpc(port: number, body: Buffer, path = QUOTE_PATH): Promise<GrpcReply> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let httpStatus = 0;
    let grpcStatus: number | undefined;
    let grpcMessage: string | undefined;
    const chunks: Buffer[] = [];
    const readStatus = (headers: Record<string, unknown>) => {
      if (headers["grpc-status"] !== undefined) grpcStatus = Number(headers["grpc-status"]);
      if (headers["grpc-message"] !== undefined) grpcMessage = decodeURIComponent(String(headers["grpc-message"]));
    };
    stream.on("response", (headers) => {
      httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS]);
      readStatus(headers); // a trailers-only reply (an error) puts the status in the headers
    });
    stream.on("trailers", readStatus);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("end", () => {
      session.close();
      const all = Buffer.concat(chunks);
      const message = all.length >= 5 ? all.subarray(5, 5 + all.readUInt32BE(1)) : undefined;
      resolve({ httpStatus, grpcStatus, grpcMessage, message });
    });
    stream.end(body);
  });
}

/** One Quote with the bench's body; throws unless it is OK and carries the hand-checked amounts. */
export async function checkQuote(port: number, body: Buffer): Promise<pricingProto.Quote> {
  const reply = await postGrpc(port, body);
  if (reply.httpStatus !== 200 || reply.grpcStatus !== 0 || reply.message === undefined)
    throw new Error(
      `Quote failed: HTTP ${reply.httpStatus}, grpc-status ${reply.grpcStatus} ${reply.grpcMessage ?? ""}`.trim(),
    );
  const quote = pricingProto.Quote.decode(reply.message);
  if (quote.dueAtBooking !== WORKED_EXAMPLE_DUE_AT_BOOKING || quote.totalEstimate !== WORKED_EXAMPLE_TOTAL_ESTIMATE)
    throw new Error(
      `Quote answered ${quote.dueAtBooking} due / ${quote.totalEstimate} total, not the worked example's ` +
        `${WORKED_EXAMPLE_DUE_AT_BOOKING} / ${WORKED_EXAMPLE_TOTAL_ESTIMATE}`,
    );
  return quote;
}

/** One call to the empty server; throws unless it is OK with an empty message. */
export async function checkEmpty(port: number, body: Buffer): Promise<void> {
  const reply = await postGrpc(port, body);
  if (reply.httpStatus !== 200 || reply.grpcStatus !== 0 || reply.message?.length !== 0)
    throw new Error(`empty server: HTTP ${reply.httpStatus}, grpc-status ${reply.grpcStatus}`);
}

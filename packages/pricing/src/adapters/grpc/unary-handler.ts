import { BinaryReader, configureTextEncoding } from "@bufbuild/protobuf/wire";
import { DomainError, type Result } from "@carfare/kit";
import { type handleUnaryCall, type Metadata, type ServerUnaryCall, status } from "@grpc/grpc-js";
import { InvalidRequestError } from "../../domain/pricing-errors.js";
import { toGrpcError } from "./error-mapping.js";
import { grpcError } from "./grpc-status.js";

/** What a handler needs besides its request: the caller's metadata and who it authenticated as. */
export interface CallContext {
  readonly metadata: Metadata;
}

export type UnaryLogic<Req, Res> = (
  request: Req,
  context: CallContext,
) => Promise<Result<Res, DomainError>> | Result<Res, DomainError>;

/**
 * Adapts a use-case-shaped function to grpc-js: a refusal becomes its mapped status with ErrorInfo, and a
 * thrown error (a bug or an infrastructure failure) becomes INTERNAL without its details, which go to the
 * log instead — callers never see stack traces or SQL.
 */
export function unary<Req, Res>(
  logic: UnaryLogic<Req, Res>,
  onBug: (error: unknown, call: ServerUnaryCall<Req, Res>) => void,
  onRefusal: (error: DomainError) => void = () => {},
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const request = call.request as unknown;
    if (request instanceof UndecodableRequest) {
      refuse(new InvalidRequestError(`the request could not be decoded: ${request.reason}`));
      return;
    }
    let outcome: Promise<Result<Res, DomainError>> | Result<Res, DomainError>;
    try {
      outcome = logic(call.request, { metadata: call.metadata });
    } catch (error) {
      fail(error);
      return;
    }
    if (outcome instanceof Promise) outcome.then(reply, fail);
    else reply(outcome);

    function reply(result: Result<Res, DomainError>): void {
      if (result.ok) callback(null, result.value);
      else refuse(result.error);
    }
    function refuse(error: DomainError): void {
      onRefusal(error);
      callback(toGrpcError(error));
    }
    function fail(error: unknown): void {
      if (error instanceof DomainError) {
        refuse(error);
        return;
      }
      onBug(error, call);
      callback(
        grpcError(status.INTERNAL, "PRICING.INTERNAL", "the service failed to handle the request; it has been logged"),
      );
    }
  };
}

/**
 * Stands in for a request whose bytes did not decode (malformed protobuf, or an int64 beyond what the
 * service can represent exactly). grpc-js would answer INTERNAL for a throwing deserializer; we answer
 * INVALID_ARGUMENT, as the fault is the caller's.
 */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

interface MethodDefinitionLike {
  requestDeserialize: (bytes: Buffer) => unknown;
}

// The generated decoders read strings leniently, turning broken UTF-8 into U+FFFD, so a mangled tariff
// document would be published as is. Decode strictly instead: the decoder throws and the request is refused.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8 = new TextEncoder();
configureTextEncoding({
  encodeUtf8: (text) => utf8.encode(text),
  decodeUtf8: (bytes) => strictUtf8.decode(bytes),
  checkUtf8: (text) => {
    try {
      encodeURIComponent(text);
      return true;
    } catch {
      return false;
    }
  },
});

/**
 * Walks the top level of a message and throws on what the generated decoders would silently stop at: a tag
 * of field 0 or a stray end-group, after which they drop every remaining field (a member tier, say).
 */
function checkWireStructure(bytes: Uint8Array): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 0 || wireType === 4) throw new Error(`invalid tag: field ${field}, wire type ${wireType}`);
    reader.skip(wireType);
  }
}

/** A copy of a service definition whose request decoders never throw (see UndecodableRequest). */
export function withSafeDecoding<D extends Record<string, MethodDefinitionLike>>(definition: D): D {
  const safe: Record<string, MethodDefinitionLike> = {};
  for (const [name, method] of Object.entries(definition)) {
    safe[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          checkWireStructure(bytes);
          return method.requestDeserialize(bytes);
        } catch (error) {
          return new UndecodableRequest(error instanceof Error ? error.message : String(error));
        }
      },
    };
  }
  return safe as D;
}

import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  type CounterSeries,
  type HistogramSeries,
  LeanCounter,
  LeanHistogram,
  type Logger,
  type Registry,
} from "@carfare/kit";
import {
  type handleUnaryCall,
  Metadata,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";

/** The metadata key a caller may send to correlate our log lines with theirs; echoed in the response headers. */
export const REQUEST_ID_KEY = "x-request-id";

/**
 * go-grpc-prometheus writes `grpc_code` as Go's `codes.Code.String()` ("OK", "InvalidArgument", …), and the
 * community dashboards and alert rules match on those spellings, so we do too.
 */
const CODE_NAMES: readonly string[] = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

/** The go-grpc-prometheus name of a status code. */
export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}

/** Codes that mean the service failed, not the caller: logged at warn (the cause is logged by the handler). */
const SERVER_FAULTS: ReadonlySet<number> = new Set([status.UNKNOWN, status.INTERNAL, status.DATA_LOSS]);

/** Latency buckets in seconds: a quote takes well under a millisecond, a tariff publish tens of ms. */
export const HANDLING_BUCKETS = [
  0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** What the metrics need of a method definition. */
export interface MethodShape {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

interface MethodInstruments {
  readonly rpc: string;
  readonly started: CounterSeries;
  readonly seconds: HistogramSeries;
  /** `grpc_server_handled_total` series by status code, created on first use. */
  readonly handled: (CounterSeries | undefined)[];
  readonly labels: { grpc_type: string; grpc_service: string; grpc_method: string };
}

export interface CallTelemetryOptions {
  /** Where the RED metrics go; without one only the log lines are written. */
  readonly registry?: Registry;
  /** One line per call: debug when OK, info for a refusal, warn for a server fault. */
  readonly logger?: Logger;
  /** Method paths to prepare label children for up front (`/pkg.Service/Method`); others are added on first call. */
  readonly methods?: readonly MethodShape[];
}

/** Instruments the handlers of a service. */
export interface CallTelemetry {
  /** The same handlers, each recording its calls; `definition` gives every method's path and kind. */
  instrument<I extends UntypedServiceImplementation>(definition: ServiceDefinition, implementation: I): I;
}

/**
 * Records the go-grpc-prometheus RED metrics (`grpc_server_started_total`, `grpc_server_handled_total`,
 * `grpc_server_handling_seconds`) of every call of the instrumented services, gives every call a request id
 * (the caller's `x-request-id`, else a new UUID, put in the call's metadata for the handlers and echoed in
 * the response headers) and logs one line per call with its rpc, code and duration.
 *
 * It wraps the handlers rather than being a grpc-js server interceptor: with any interceptor configured,
 * grpc-js routes every event of every call through an extra intercepting layer, which cost about a fifth
 * of the Quote throughput on the bench (docs/decisions/004). The cost is that calls no handler sees — an
 * unknown method, the health and reflection services — are not counted. Label children are created once per
 * method (and code), so a call allocates no label objects.
 */
export function createCallTelemetry(options: CallTelemetryOptions): CallTelemetry {
  const { logger } = options;
  const metrics = options.registry === undefined ? undefined : registerRedMetrics(options.registry);
  const byPath = new Map<string, MethodInstruments>();

  const instrumentsOf = (method: MethodShape): MethodInstruments => {
    let found = byPath.get(method.path);
    if (found === undefined) {
      found = prepare(method, metrics);
      byPath.set(method.path, found);
    }
    return found;
  };
  for (const method of options.methods ?? []) instrumentsOf(method);

  const wrap = (method: MethodShape, handler: handleUnaryCall<unknown, unknown>): handleUnaryCall<unknown, unknown> => {
    const instruments = instrumentsOf(method);
    return (call, callback) => {
      const startedAt = performance.now();
      instruments.started.inc();
      const given = call.metadata.get(REQUEST_ID_KEY)[0];
      const requestId = typeof given === "string" && isUsableRequestId(given) ? given : randomUUID();
      call.metadata.set(REQUEST_ID_KEY, requestId);
      const headers = new Metadata();
      headers.set(REQUEST_ID_KEY, requestId);
      call.sendMetadata(headers);
      let done = false;

      const finish = (code: number, details: string | undefined): void => {
        if (done) return;
        done = true;
        const elapsedMs = performance.now() - startedAt;
        instruments.seconds.observe(elapsedMs / 1000);
        handledOf(instruments, code, metrics).inc();
        if (logger === undefined) return;
        const level = code === status.OK ? "debug" : SERVER_FAULTS.has(code) ? "warn" : "info";
        if (!logger.isLevelEnabled(level)) return;
        logger[level](
          {
            request_id: requestId,
            rpc: instruments.rpc,
            grpc_code: grpcCodeName(code),
            duration_ms: Math.round(elapsedMs * 1000) / 1000,
            ...(code === status.OK || details === undefined ? {} : { details }),
          },
          "grpc call",
        );
      };

      call.once("cancelled", () => finish(status.CANCELLED, "cancelled by the caller"));
      handler(call, (error, value, trailer, flags) => {
        if (error === null || error === undefined) finish(status.OK, undefined);
        else finish(error.code ?? status.UNKNOWN, error.details);
        callback(error, value, trailer, flags);
      });
    };
  };

  return {
    instrument(definition, implementation) {
      const instrumented: UntypedServiceImplementation = {};
      for (const [name, handler] of Object.entries(implementation)) {
        const method = definition[name];
        if (method === undefined || method.requestStream || method.responseStream)
          throw new Error(`createCallTelemetry: ${name} is not a unary method of the service`);
        instrumented[name] = wrap(method, handler as handleUnaryCall<unknown, unknown>);
      }
      return instrumented as typeof implementation;
    },
  };
}

/** A caller's request id is used as given when it is short printable ASCII (it goes into logs and headers). */
function isUsableRequestId(id: string): boolean {
  return id.length > 0 && id.length <= 128 && /^[\x21-\x7e]+$/.test(id);
}

type MethodLabel = "grpc_type" | "grpc_service" | "grpc_method";

interface RedMetrics {
  readonly started: LeanCounter<MethodLabel>;
  readonly handled: LeanCounter<MethodLabel | "grpc_code">;
  readonly seconds: LeanHistogram<MethodLabel>;
}

const NO_OP = { inc: () => {}, observe: () => {} };

/** The RED metrics, registered once per registry (a second server in the process shares them). */
function registerRedMetrics(registry: Registry): RedMetrics {
  const existing = registry.getSingleMetric("grpc_server_started_total");
  if (existing !== undefined) {
    return {
      started: existing as unknown as RedMetrics["started"],
      handled: registry.getSingleMetric("grpc_server_handled_total") as unknown as RedMetrics["handled"],
      seconds: registry.getSingleMetric("grpc_server_handling_seconds") as unknown as RedMetrics["seconds"],
    };
  }
  const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
  return {
    started: new LeanCounter({
      name: "grpc_server_started_total",
      help: "Total number of RPCs started on the server.",
      labelNames,
      registry,
    }),
    handled: new LeanCounter({
      name: "grpc_server_handled_total",
      help: "Total number of RPCs completed on the server, regardless of success or failure.",
      labelNames: [...labelNames, "grpc_code"],
      registry,
    }),
    seconds: new LeanHistogram({
      name: "grpc_server_handling_seconds",
      help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
      labelNames,
      buckets: HANDLING_BUCKETS,
      registry,
    }),
  };
}

function prepare(method: MethodShape, metrics: RedMetrics | undefined): MethodInstruments {
  const slash = method.path.lastIndexOf("/");
  const labels = {
    grpc_type: grpcType(method),
    grpc_service: method.path.slice(1, slash),
    grpc_method: method.path.slice(slash + 1),
  };
  const instruments: MethodInstruments = {
    rpc: method.path,
    labels,
    started: metrics?.started.child(labels) ?? NO_OP,
    seconds: metrics?.seconds.child(labels) ?? NO_OP,
    handled: [],
  };
  // OK exists at 0 from the start, so that rate() and increase() see the first call.
  handledOf(instruments, status.OK, metrics);
  return instruments;
}

function handledOf(instruments: MethodInstruments, code: number, metrics: RedMetrics | undefined): CounterSeries {
  let series = instruments.handled[code];
  if (series === undefined) {
    series = metrics?.handled.child({ ...instruments.labels, grpc_code: grpcCodeName(code) }) ?? NO_OP;
    instruments.handled[code] = series;
  }
  return series;
}

function grpcType(method: MethodShape): string {
  if (method.requestStream) return method.responseStream ? "bidi_stream" : "client_stream";
  return method.responseStream ? "server_stream" : "unary";
}

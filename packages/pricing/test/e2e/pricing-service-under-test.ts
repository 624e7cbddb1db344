/**
 * The pricing service as the end-to-end tests run it: the real composition root (`startPricingService`) on a
 * fresh migrated test database, bound to 127.0.0.1 on a free port, with a clock the test moves, and called
 * through the standard proto-loader client of `test/support` as another team would call it.
 *
 * Response types below are what that client delivers (camelCase, int64 as numbers, Timestamps as
 * `{ seconds, nanos }`); they are written from the .proto, not imported from the server's generated code.
 */
import { readFileSync } from "node:fs";
import {
  AccessTokens,
  createLogger,
  createTestDatabase,
  type DatabaseKind,
  queryRows,
  type Registry,
  type TestDatabase,
} from "@carfare/kit";
import * as grpc from "@grpc/grpc-js";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { parse } from "yaml";
import {
  type PricingServiceOptions,
  parseQuoteKeys,
  pricingMigrations,
  type RunningPricingService,
  startPricingService,
} from "../../src/index.js";
import {
  bearer,
  call,
  callError,
  createPricingClients,
  errorInfoOf,
  type PricingClients,
  timestamp,
} from "../support/pricing-client.js";

/** The admin token every test server accepts (CARFARE_ADMIN_TOKENS=`ops:<this>`); its name is `ops`. */
export const ADMIN_TOKEN = "e2e-admin-token-0123456789";
/** CARFARE_QUOTE_KEYS of the test servers. */
export const QUOTE_KEYS = "e2e1:e2e-quote-signing-secret-0123456789";
/** A token no test server accepts. */
export const WRONG_TOKEN = "not-the-admin-token-0123456789";

/** The Korean example tariff (kr-standard, market kr): the reference tariff of spec §2 plus a fleet. */
export const KR_TARIFF_YAML = readFileSync(new URL("../../../../examples/tariffs/kr.yaml", import.meta.url), "utf8");

/** kr.yaml read as YAML 1.2 core, to derive variants from (published as JSON, which the service also reads). */
export function krTariffDocument(): Record<string, unknown> & { carModels: Record<string, unknown>[] } {
  return parse(KR_TARIFF_YAML, { schema: "core" });
}

/** A variant of kr.yaml as JSON text, with `change` applied to the parsed document. */
export function krVariant(change: (document: ReturnType<typeof krTariffDocument>) => void): string {
  const document = krTariffDocument();
  change(document);
  return JSON.stringify(document);
}

/** The Sonata DN8 entry of a parsed tariff document. */
export function sonataOf(document: ReturnType<typeof krTariffDocument>): {
  dailyRate: { weekday: number; weekend: number };
  distanceRates: { upToKm?: number; perKm: number }[];
} {
  const sonata = document.carModels.find((model) => model.id === "sonata-dn8");
  if (sonata === undefined) throw new Error("kr.yaml has no sonata-dn8");
  return sonata as ReturnType<typeof sonataOf>;
}

/** A clock the test sets, so that tests move time instead of waiting. */
export interface TestClock {
  now(): Date;
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string): TestClock {
  let current = new Date(start);
  return {
    now: () => current,
    set: (at) => {
      current = new Date(at);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}
export interface PriceLineMessage {
  readonly code: string;
  readonly label: string;
  readonly amount: number;
}
export interface SlotGroupMessage {
  readonly dayType: string;
  readonly timeBand: string;
  readonly slotPrice: number;
  readonly count: number;
}
export interface WindowExplanationMessage {
  readonly startAt: Timestamp;
  readonly endAt: Timestamp;
  readonly slotGroups: SlotGroupMessage[];
  readonly sum: number;
  readonly cap: number;
  readonly fee: number;
}
export interface QuoteMessage {
  readonly quoteId: string;
  readonly tariffId: string;
  readonly tariffVersion: number;
  readonly currency: string;
  readonly lines: PriceLineMessage[];
  readonly dueAtBooking: number;
  readonly estimatedAfterReturn: number;
  readonly totalEstimate: number;
  readonly expiresAt: Timestamp;
  readonly token: string;
  readonly explanation: WindowExplanationMessage[];
}
export interface SettlementMessage {
  readonly quoteId: string;
  readonly currency: string;
  readonly lines: PriceLineMessage[];
  readonly dueAfterReturn: number;
  readonly credits: PriceLineMessage[];
}
export interface TariffVersionMessage {
  readonly tariffId: string;
  readonly version: number;
  readonly market: string;
  readonly publishedAt: Timestamp;
  readonly publishedBy: string;
  readonly effectiveFrom: Timestamp;
}
export interface CouponMessage {
  readonly code: string;
  readonly market: string;
  readonly kind: string;
  readonly percent: number;
  readonly maxDiscount: number;
  readonly amount: number;
  readonly validFrom: Timestamp | null;
  readonly validUntil: Timestamp | null;
  readonly minMinutes: number;
  readonly carClasses: string[];
}

/** `[code, amount]` of each line, in order: what the spec's examples state. */
export function amountsOf(lines: readonly PriceLineMessage[]): [string, number][] {
  return lines.map((line) => [line.code, line.amount]);
}

/** A migrated pricing database for one describe block. */
export function createPricingTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return createTestDatabase(kind, [pricingMigrations]);
}

/** `SELECT count(*)` of a pricing table, optionally with a WHERE on `quote_id`. */
export async function countRows(database: TestDatabase, table: string, quoteId?: string): Promise<number> {
  const where = quoteId === undefined ? sql`` : sql` WHERE quote_id = ${quoteId}::uuid`;
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`SELECT count(*)::int AS n FROM ${sql.raw(`pricing.${table}`)}${where}`,
  );
  return row?.n ?? 0;
}

export interface StartOptions {
  readonly database: TestDatabase;
  readonly clock: TestClock;
  /** CARFARE_ADMIN_TOKENS; default `ops:<ADMIN_TOKEN>`, "" for none. */
  readonly adminTokens?: string;
  /** CARFARE_SERVICE_TOKENS; default none. */
  readonly serviceTokens?: string;
  readonly refreshIntervalMs?: number;
  /** Where the service registers its metrics; default: none. */
  readonly metrics?: Registry;
}

export interface PricingUnderTest {
  readonly running: RunningPricingService;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly clients: PricingClients;
  readonly clock: TestClock;
  /** Every log line the service wrote (debug and above), as JSON text. */
  readonly logs: string[];
  /** The log lines at error level or above (an unexpected failure is logged as one). */
  errorLogs(): string[];
  quote(request: object, metadata?: grpc.Metadata): Promise<QuoteMessage>;
  settle(request: object, metadata?: grpc.Metadata): Promise<SettlementMessage>;
  /** Calls a TariffAdminService method with the admin token. */
  admin<T = Record<string, unknown>>(method: string, request: object): Promise<T>;
  publish(document: string): Promise<TariffVersionMessage>;
  putCoupon(coupon: object): Promise<CouponMessage>;
  /** Closes the clients and stops the server (the database stays open). */
  stop(): Promise<void>;
}

/** Starts the real pricing service on `database` (port 0, 127.0.0.1) and connects a standard client to it. */
export async function startPricingUnderTest(options: StartOptions): Promise<PricingUnderTest> {
  const logs: string[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(line) } });
  const serviceOptions: PricingServiceOptions = {
    db: options.database.db,
    host: "127.0.0.1",
    port: 0,
    quoteKeys: parseQuoteKeys(QUOTE_KEYS),
    adminTokens: AccessTokens.parse("t", options.adminTokens ?? `ops:${ADMIN_TOKEN}`),
    serviceTokens: AccessTokens.parse("t", options.serviceTokens ?? ""),
    logger,
    clock: options.clock,
    ...(options.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: options.refreshIntervalMs }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };
  const running = await startPricingService(serviceOptions);
  const address = `127.0.0.1:${running.port}`;
  const clients = createPricingClients(address);
  const admin = <T>(method: string, request: object) => call<T>(clients.admin, method, request, bearer(ADMIN_TOKEN));
  return {
    running,
    address,
    clients,
    clock: options.clock,
    logs,
    errorLogs: () => logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50),
    quote: (request, metadata) => call<QuoteMessage>(clients.pricing, "Quote", request, metadata),
    settle: (request, metadata) => call<SettlementMessage>(clients.pricing, "Settle", request, metadata),
    admin,
    publish: (document) => admin<TariffVersionMessage>("PublishTariff", { document }),
    putCoupon: (coupon) => admin<CouponMessage>("PutCoupon", coupon),
    stop: async () => {
      clients.close();
      await running.stop(1_000);
    },
  };
}

/** What a refusal must carry (spec §7, §8): the status, the `PRICING.*` reason and, when named, the field. */
export interface ExpectedRefusal {
  /** A grpc-js status name, e.g. `INVALID_ARGUMENT`. */
  readonly status: keyof typeof grpc.status;
  readonly reason: string;
  /** ErrorInfo metadata `field`, when the refusal names one. */
  readonly field?: string;
}

/**
 * Awaits a call expected to be refused and checks the refusal as a client sees it: the status code, the
 * reason first in the message, and an ErrorInfo with that reason in domain `pricing.carfare` (and the
 * field, when expected). Returns the error for further checks.
 */
export async function expectRefusal(promise: Promise<unknown>, expected: ExpectedRefusal): Promise<grpc.ServiceError> {
  const error = await callError(promise);
  const info = errorInfoOf(error);
  const seen = {
    status: grpc.status[error.code],
    reason: info?.reason,
    domain: info?.domain,
    reasonLeadsMessage: error.details.startsWith(`${expected.reason}: `),
    ...(expected.field === undefined ? {} : { field: info?.metadata.field }),
  };
  expect(seen, `refusal "${error.details}"`).toEqual({
    status: expected.status,
    reason: expected.reason,
    domain: "pricing.carfare",
    reasonLeadsMessage: true,
    ...(expected.field === undefined ? {} : { field: expected.field }),
  });
  return error;
}

/** 36 hex digits and dashes, version 4 or other: what `quote_id` must look like. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The worked example of spec §3 as a QuoteRequest: Sonata DN8, Sat 2026-11-28 10:00 → Sun 11-29 12:00 in
 * Seoul (+09:00), 120 km estimated; `changes` override fields (`undefined` leaves a field out).
 */
export function workedExample(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    market: "kr",
    carModelId: "sonata-dn8",
    startAt: timestamp("2026-11-28T10:00:00+09:00"),
    endAt: timestamp("2026-11-29T12:00:00+09:00"),
    estimatedKm: 120,
    ...changes,
  };
}

/** A Timestamp of a local Seoul wall time given as `YYYY-MM-DDTHH:MM[:SS]`. */
export function seoul(local: string): Timestamp {
  return timestamp(`${local}+09:00`);
}

/**
 * Table rows paired with their test names, for `it.each(named(rows, name))("%s", (_name, row) => …)`:
 * vitest quotes and shortens `$field` values in names, and test names here are whole sentences.
 */
export function named<T>(rows: readonly T[], name: (row: T) => string): [string, T][] {
  return rows.map((row) => [name(row), row]);
}

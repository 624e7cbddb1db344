/**
 * The damage-waiver service as the HTTP tests run it: the real composition root (`startWaiverService`) on a
 * fresh migrated test database, bound to 127.0.0.1 on a free port, with a clock the test moves and a logger
 * that keeps every line, called with `fetch` as any other team would call it.
 */
import { readFileSync } from "node:fs";
import { AccessTokens, createLogger, type DatabaseKind, type Registry, type TestDatabase } from "@carfare/kit";
import { Compile } from "typebox/compile";
import { expect } from "vitest";
import { Incident as IncidentSchema, Problem as ProblemSchema } from "../../src/adapters/http/schemas.js";
import { type RunningWaiverService, startWaiverService } from "../../src/index.js";
import { createWaiverDatabase } from "../postgres/waiver-test-data.js";

/** The admin token of every test server (CARFARE_ADMIN_TOKENS=`ops:<this>`); its name is `ops`. */
export const ADMIN_TOKEN = "http-admin-token-0123456789";
/** A token no test server accepts. */
export const WRONG_TOKEN = "not-a-token-of-ours-0123456789";

/** The reference waiver policy of spec §1 (kr-waiver, market kr), as YAML. */
export const REFERENCE_POLICY_YAML = readFileSync(
  new URL("../fixtures/reference-policy.yaml", import.meta.url),
  "utf8",
);

export function createHttpTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return createWaiverDatabase(kind);
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

/** What a test call got back. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert their shape
export interface Answer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: T;
}

export interface CallOptions {
  /** A value is sent as JSON; a string is sent as it is (with `contentType`, default application/json). */
  readonly body?: unknown;
  readonly raw?: string | Uint8Array;
  readonly contentType?: string | null;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export interface WaiverUnderTest {
  readonly service: RunningWaiverService;
  readonly url: string;
  readonly clock: TestClock;
  /** Every log line the service wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  // biome-ignore lint/suspicious/noExplicitAny: see Answer
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  /** Publishes a policy document through the admin route; expects 200 or 201. */
  publish(text: string, contentType?: string): Promise<{ policyId: string; version: number }>;
  stop(): Promise<void>;
}

export async function startWaiverUnderTest(options: {
  database: TestDatabase;
  clock: TestClock;
  adminTokens?: string;
  serviceTokens?: string;
  /** Where the service registers its metrics (and counts log lines); default: none. */
  metrics?: Registry;
}): Promise<WaiverUnderTest> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    ...(options.metrics === undefined ? {} : { registry: options.metrics }),
    destination: {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  const service = await startWaiverService({
    db: options.database.db,
    host: "127.0.0.1",
    port: 0,
    adminTokens: AccessTokens.parse("CARFARE_ADMIN_TOKENS", options.adminTokens ?? `ops:${ADMIN_TOKEN}`),
    serviceTokens: AccessTokens.parse("CARFARE_SERVICE_TOKENS", options.serviceTokens ?? ""),
    logger,
    clock: options.clock,
    refreshIntervalMs: 60_000,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const call = async <T>(method: string, path: string, call: CallOptions = {}): Promise<Answer<T>> => {
    const headers: Record<string, string> = { ...call.headers };
    let body: string | Uint8Array | undefined;
    if (call.raw !== undefined) body = call.raw;
    else if (call.body !== undefined) body = JSON.stringify(call.body);
    if (body !== undefined && call.contentType !== null)
      headers["content-type"] = call.contentType ?? "application/json";
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    const response = await fetch(`${service.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json: json as T };
  };
  return {
    service,
    url: service.url,
    clock: options.clock,
    logs,
    call,
    async publish(text, contentType = "application/yaml") {
      const answer = await call<{ policyId: string; version: number }>("POST", "/admin/v1/waiver-policies", {
        raw: text,
        contentType,
        token: ADMIN_TOKEN,
      });
      expect([200, 201], answer.text).toContain(answer.status);
      return answer.json;
    },
    stop: () => service.stop(1_000),
  };
}

/** The error-level lines a service logged (a 500 would be one); each test file expects none. */
export function errorLogs(server: WaiverUnderTest | undefined): Record<string, unknown>[] {
  return (server?.logs ?? []).filter((line) => typeof line.level === "number" && line.level >= 50);
}

const problemCheck = Compile(ProblemSchema);
const incidentCheck = Compile(IncidentSchema);

/** Asserts a problem+json answer with this status and code, and returns it. */
export function expectProblem(
  answer: Answer,
  status: number,
  code: string,
): {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { field: string; message: string }[];
} {
  expect({ status: answer.status, code: answer.json?.code }, answer.text).toEqual({ status, code });
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  expect(problemCheck.Check(answer.json), answer.text).toBe(true);
  expect(answer.json.type).toBe(`urn:carfare:problem:${code}`);
  expect(answer.json.status).toBe(status);
  return answer.json;
}

/** The fields a problem lists, sorted. */
export function fieldsOf(problem: { errors?: { field: string }[] }): string[] {
  return (problem.errors ?? []).map((e) => e.field).sort();
}

/** Asserts that a value has the documented shape of an Incident (the response schema) and returns it. */
export function expectIncident(value: unknown): IncidentJson {
  expect(incidentCheck.Check(value), JSON.stringify([...incidentCheck.Errors(value)].slice(0, 5))).toBe(true);
  return value as IncidentJson;
}

export interface IncidentJson {
  id: string;
  rentalId: string;
  market: string;
  carClass: string;
  dailyRate: number;
  productCode: string;
  policyId: string;
  policyVersion: number;
  status: string;
  occurredAt: string;
  reportedAt: string;
  description?: string;
  assessment?: { repairCost: number; repairDays: number; faultPercent: number; exclusions: string[] };
  liability?: { lossOfUse: number; damage: number; share: number; owed: number; basis: string; currency: string };
  charged?: number;
  resolution?: { owed: number; note: string };
  version: number;
  events: { at: string; type: string; actor: string; data: Record<string, unknown> }[];
}

/** A valid incident report of the reference policy (MIDSIZE, CAP_300K, daily rate 95,700); `changes` override. */
export function incidentReport(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    rentalId: "rental-1",
    market: "kr",
    carClass: "MIDSIZE",
    dailyRate: 95_700,
    productCode: "CAP_300K",
    occurredAt: "2026-11-25T10:00:00+09:00",
    ...changes,
  };
}

let keys = 0;
/** A fresh Idempotency-Key. */
export function newKey(): string {
  keys += 1;
  return `key-${process.pid}-${Date.now()}-${keys}`;
}

/** Reports an incident and returns it (expects 201). */
export async function report(
  server: WaiverUnderTest,
  changes: Record<string, unknown> = {},
  options: { token?: string } = {},
): Promise<IncidentJson> {
  const answer = await server.call("POST", "/v1/incidents", {
    body: incidentReport(changes),
    headers: { "idempotency-key": newKey() },
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  expect(answer.status, answer.text).toBe(201);
  return expectIncident(answer.json);
}

import { randomUUID } from "node:crypto";
import { err, ok, type Result } from "@carfare/kit";
import type { Incident } from "../domain/incident.js";
import * as lifecycle from "../domain/incident-lifecycle.js";
import {
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  type InvalidRequestError,
  PolicyNotFoundError,
  UnknownProductError,
} from "../domain/waiver-errors.js";
import { CAR_CLASSES, type CarClass, findProduct } from "../domain/waiver-policy.js";
import { findPolicy, type PolicySource } from "./policy-lookup.js";
import type { Clock, IncidentRepository, PublishedPolicy } from "./ports.js";
import { amount, freeText, identifier, instant, integerIn, oneOf, refusal } from "./request-checks.js";

/** The body of an incident report: the booking's snapshot (spec §5, `POST /v1/incidents`). */
export interface IncidentReport {
  readonly rentalId: string;
  readonly market: string;
  readonly carClass: CarClass;
  /** The car's standard daily rate, the loss-of-use basis. */
  readonly dailyRate: number;
  readonly productCode: string;
  /** The version of the waiver quote made at booking; left out: the version in effect at occurredAt. */
  readonly policyVersion?: number;
  readonly occurredAt: Date;
  readonly description?: string;
}

export interface ReportIncidentCommand {
  /** The `Idempotency-Key` header; absent or blank is refused. */
  readonly idempotencyKey: string | undefined;
  /** The body in canonical form (`canonicalJson`): equal for JSON-equal bodies. */
  readonly requestFingerprint: string;
  readonly report: IncidentReport;
  /** The name of the caller's token, or `anonymous`. */
  readonly actor: string;
}

export interface ReportIncidentDeps extends PolicySource {
  readonly incidents: IncidentRepository;
  readonly clock: Clock;
  readonly newId?: () => string;
}

export interface ReportedIncident {
  readonly incident: Incident;
  /** True when the key had already created this incident: it comes back as it is now (HTTP 200, not 201). */
  readonly replayed: boolean;
}

export type ReportIncidentRefusal =
  | IdempotencyKeyRequiredError
  | InvalidRequestError
  | IdempotencyKeyReusedError
  | PolicyNotFoundError
  | UnknownProductError;

/**
 * Report use case (spec §3, §5): creates an incident once per idempotency key. Answers as if it checked in
 * the spec's order: the key, the body, an earlier creation under the key (same body → that incident as it is
 * now, flagged as a replay; another body → IDEMPOTENCY_KEY_REUSED), the policy version (the one given, which
 * must exist for the market, else the one in effect at occurredAt), then the product, which must exist in
 * that version, sellable or not. The earlier creation is found by the repository's `create` (or, when the
 * policy or product would be refused, looked up first). Two identical reports racing are settled by the
 * repository too: one creates, the other replays.
 */
export async function reportIncident(
  deps: ReportIncidentDeps,
  command: ReportIncidentCommand,
): Promise<Result<ReportedIncident, ReportIncidentRefusal>> {
  const { idempotencyKey: key, requestFingerprint, report } = command;
  if (key === undefined || key.trim() === "") {
    return err(
      new IdempotencyKeyRequiredError("creating an incident needs an Idempotency-Key header", [
        { field: "Idempotency-Key", message: "required" },
      ]),
    );
  }
  const invalid = refusal([
    identifier("Idempotency-Key", key),
    identifier("rentalId", report.rentalId),
    identifier("market", report.market),
    oneOf("carClass", report.carClass, CAR_CLASSES),
    amount("dailyRate", report.dailyRate),
    identifier("productCode", report.productCode),
    report.policyVersion === undefined
      ? undefined
      : integerIn("policyVersion", report.policyVersion, 1, Number.MAX_SAFE_INTEGER),
    instant("occurredAt", report.occurredAt),
    report.description === undefined ? undefined : freeText("description", report.description, false),
  ]);
  if (invalid !== undefined) return err(invalid);

  const policy = await policyWithProduct(deps, report);
  if (!policy.ok) {
    // A replay comes before these refusals (spec §5). On the way to a creation the key is not looked up:
    // the insert itself finds an earlier incident under it, which saves a round trip per creation.
    const earlier = await deps.incidents.findByIdempotencyKey(key);
    return earlier === undefined ? policy : replay(key, earlier, requestFingerprint);
  }
  const { policyId, version } = policy.value;

  const incident = lifecycle.reportIncident(
    {
      id: (deps.newId ?? randomUUID)(),
      rentalId: report.rentalId,
      market: report.market,
      carClass: report.carClass,
      dailyRate: report.dailyRate,
      productCode: report.productCode,
      policyId,
      policyVersion: version,
      occurredAt: report.occurredAt,
      ...(report.description === undefined ? {} : { description: report.description }),
    },
    command.actor,
    deps.clock.now(),
  );
  const outcome = await deps.incidents.create({ incident, idempotencyKey: key, requestFingerprint });
  if (outcome.kind === "exists") return replay(key, outcome, requestFingerprint);
  return ok({ incident: outcome.incident, replayed: false });
}

function replay(
  key: string,
  earlier: { readonly incident: Incident; readonly requestFingerprint: string },
  requestFingerprint: string,
): Result<ReportedIncident, IdempotencyKeyReusedError> {
  if (earlier.requestFingerprint === requestFingerprint) return ok({ incident: earlier.incident, replayed: true });
  return err(
    new IdempotencyKeyReusedError(
      `Idempotency-Key "${key}" already created incident ${earlier.incident.id} from another request body`,
      [{ field: "Idempotency-Key", message: "already used with another body" }],
    ),
  );
}

/** The policy version of the report (policyFor), refused if it has no such product. */
async function policyWithProduct(
  deps: PolicySource,
  report: IncidentReport,
): Promise<Result<PublishedPolicy, PolicyNotFoundError | UnknownProductError>> {
  const policy = await policyFor(deps, report);
  if (!policy.ok || findProduct(policy.value.document, report.productCode) !== undefined) return policy;
  const { policyId, version } = policy.value;
  return err(
    new UnknownProductError(`waiver policy ${policyId} version ${version} has no product "${report.productCode}"`, [
      { field: "productCode", message: `not a product of ${policyId} version ${version}` },
    ]),
  );
}

async function policyFor(
  deps: PolicySource,
  report: IncidentReport,
): Promise<Result<PublishedPolicy, PolicyNotFoundError>> {
  const { market, policyVersion, occurredAt } = report;
  if (policyVersion !== undefined) {
    const given = await findPolicy(deps, (catalog) => catalog.versionOfMarket(market, policyVersion));
    if (given !== undefined) return ok(given);
    return err(
      new PolicyNotFoundError(`market "${market}" has no waiver policy version ${policyVersion}`, [
        { field: "policyVersion", message: "no such version for the market" },
      ]),
    );
  }
  const inEffect = await findPolicy(deps, (catalog) => catalog.inEffect(market, occurredAt));
  if (inEffect !== undefined) return ok(inEffect);
  return err(
    new PolicyNotFoundError(`no waiver policy of market "${market}" was in effect at ${occurredAt.toISOString()}`, [
      { field: "occurredAt", message: "no waiver policy in effect" },
    ]),
  );
}

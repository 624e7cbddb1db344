import type { IncidentPage } from "../../application/list-incidents.js";
import type { PublishedPolicy } from "../../application/ports.js";
import type { WaiverQuote } from "../../application/quote-waiver-options.js";
import type { Incident } from "../../domain/incident.js";

/**
 * Domain values → the JSON the API sends (the response schemas of `schemas.ts`): instants as RFC 3339
 * strings in UTC, money as integers of minor units, optional parts left out rather than null.
 */

export function incidentJson(incident: Incident): Record<string, unknown> {
  return {
    id: incident.id,
    rentalId: incident.rentalId,
    market: incident.market,
    carClass: incident.carClass,
    dailyRate: incident.dailyRate,
    productCode: incident.productCode,
    policyId: incident.policyId,
    policyVersion: incident.policyVersion,
    status: incident.status,
    occurredAt: incident.occurredAt.toISOString(),
    reportedAt: incident.reportedAt.toISOString(),
    ...(incident.description === undefined ? {} : { description: incident.description }),
    ...(incident.assessment === undefined
      ? {}
      : {
          assessment: {
            repairCost: incident.assessment.repairCost,
            repairDays: incident.assessment.repairDays,
            faultPercent: incident.assessment.faultPercent,
            exclusions: [...incident.assessment.exclusions],
          },
        }),
    ...(incident.liability === undefined
      ? {}
      : {
          liability: {
            lossOfUse: incident.liability.lossOfUse,
            damage: incident.liability.damage,
            share: incident.liability.share,
            owed: incident.liability.owed,
            basis: incident.liability.basis,
            currency: incident.liability.currency,
          },
        }),
    ...(incident.charged === undefined ? {} : { charged: incident.charged }),
    ...(incident.resolution === undefined
      ? {}
      : { resolution: { owed: incident.resolution.owed, note: incident.resolution.note } }),
    version: incident.version,
    events: incident.events.map((event) => ({
      at: event.at.toISOString(),
      type: event.type,
      actor: event.actor,
      data: event.data,
    })),
  };
}

/** The strong entity tag of an incident: its version, quoted (`"3"`). */
export function etagOf(incident: Incident): string {
  return `"${incident.version}"`;
}

export function incidentPageJson(page: IncidentPage): Record<string, unknown> {
  return {
    items: page.items.map(incidentJson),
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  };
}

/**
 * The waiver quote's JSON, written directly: no intermediate object graph, and strings copied as they are
 * unless JSON must escape them (the waiver quote is the hot route). Optional fields are left out when
 * absent. A property test holds it to `JSON.stringify` of the same representation built as an object.
 */
export function waiverQuoteText(quote: WaiverQuote): string {
  let text = `{"policyId":${jsonString(quote.policyId)},"policyVersion":${jsonNumber(quote.policyVersion)},"currency":${jsonString(quote.currency)},"options":[`;
  const { options } = quote;
  for (let i = 0; i < options.length; i++) {
    const option = options[i] as WaiverQuote["options"][number];
    if (i > 0) text += ",";
    text += `{"productCode":${jsonString(option.productCode)},"name":${jsonString(option.name)}`;
    if (option.selfPayCap !== undefined) text += `,"selfPayCap":${jsonNumber(option.selfPayCap)}`;
    text += `,"fee":${jsonNumber(option.fee)},"eligible":${option.eligible ? "true" : "false"}`;
    if (option.ineligibleReason !== undefined) text += `,"ineligibleReason":${jsonString(option.ineligibleReason)}`;
    text += "}";
  }
  return `${text}]}`;
}

/** Characters JSON.stringify writes otherwise than as themselves: quote, backslash, controls, surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is looked for
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it; most need no escape, and are quoted as they are. */
function jsonString(value: string): string {
  return ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/** A number as JSON.stringify writes it (`null` when not finite; `-0` as `0`, as String does). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

export function policyVersionListJson(versions: readonly PublishedPolicy[]): Record<string, unknown> {
  const [first] = versions;
  return {
    policyId: first?.policyId,
    market: first?.market,
    versions: versions.map((published) => ({
      version: published.version,
      publishedAt: published.publishedAt.toISOString(),
      publishedBy: published.publishedBy,
      effectiveFrom: published.effectiveFrom.toISOString(),
    })),
  };
}

import { request } from "node:http";

export const WAIVER_QUOTE_PATH = "/v1/waiver-quotes";
export const INCIDENTS_PATH = "/v1/incidents";

/**
 * The waiver quote of the bench (spec/damage-waiver.md §2 on kr.yaml): a MIDSIZE car for 26 hours, Sat
 * 2026-11-28 10:00 → Sun 11-29 12:00 Seoul time, a driver of 30 with 5 licence years (no young-driver
 * surcharge, every product eligible). Hand-checked for CAP_300K (hourly 1,000, daily 10,000): the first
 * 24-hour window costs min(24 × 1,000, 10,000) = 10,000, the last 2 hours 2 × 1,000 = 2,000, so 12,000 won.
 */
export const waiverQuoteRequest = {
  market: "kr",
  carClass: "MIDSIZE",
  startAt: "2026-11-28T10:00:00+09:00",
  endAt: "2026-11-29T12:00:00+09:00",
  driverAge: 30,
  licenseYears: 5,
};
export const CHECKED_PRODUCT = "CAP_300K";
export const CHECKED_FEE = 12_000;

/** An incident report (spec §3, §5) of a rental quoted as above: the booking's snapshot. */
export function incidentReport(rentalId: string, policyVersion: number): Record<string, unknown> {
  return {
    rentalId,
    market: "kr",
    carClass: "MIDSIZE",
    dailyRate: 65_000,
    productCode: CHECKED_PRODUCT,
    policyVersion,
    occurredAt: "2026-11-28T18:40:00+09:00",
    description: "rear bumper scraped on a parking-garage pillar",
  };
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: unknown;
}

/** One JSON POST over HTTP/1.1 to 127.0.0.1 (its own connection), the answer parsed as JSON. */
export function postJson(
  port: number,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  const bytes = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": bytes.length, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text === "" ? undefined : JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on("error", reject);
    req.end(bytes);
  });
}

interface WaiverQuoteJson {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly options: readonly { productCode: string; fee: number; eligible: boolean }[];
}

/**
 * The bench's waiver quote, answered by the real server: 200, and CAP_300K eligible at 12,000. A body with a
 * field too many must be refused (400): validation is on. Returns the policy version the quote names.
 */
export async function checkWaiverQuote(port: number): Promise<number> {
  const reply = await postJson(port, WAIVER_QUOTE_PATH, waiverQuoteRequest);
  const quote = reply.json as WaiverQuoteJson;
  const option = quote?.options?.find((o) => o.productCode === CHECKED_PRODUCT);
  if (reply.status !== 200 || option === undefined)
    throw new Error(`waiver quote: HTTP ${reply.status} ${JSON.stringify(reply.json).slice(0, 500)}`);
  if (option.fee !== CHECKED_FEE || !option.eligible)
    throw new Error(
      `waiver quote: ${CHECKED_PRODUCT} at ${option.fee} (eligible ${option.eligible}), not ${CHECKED_FEE}`,
    );
  await checkRefused(port);
  return quote.policyVersion;
}

/** The same request to the empty server: 200 with `{}`, and the same refusal of an unknown field. */
export async function checkEmptyWaiverQuote(port: number): Promise<void> {
  const reply = await postJson(port, WAIVER_QUOTE_PATH, waiverQuoteRequest);
  if (reply.status !== 200 || JSON.stringify(reply.json) !== "{}")
    throw new Error(`empty Fastify server: HTTP ${reply.status} ${JSON.stringify(reply.json)}`);
  await checkRefused(port);
}

async function checkRefused(port: number): Promise<void> {
  const reply = await postJson(port, WAIVER_QUOTE_PATH, { ...waiverQuoteRequest, driverAge: "30", extra: true });
  if (reply.status !== 400) throw new Error(`a body with a string age and an unknown field got HTTP ${reply.status}`);
}

interface IncidentJson {
  readonly id: string;
  readonly status: string;
  readonly policyVersion: number;
  readonly productCode: string;
  readonly version: number;
}

/**
 * One incident created through the API and checked: 201 with a Location and the incident REPORTED under the
 * policy version given; the same key and body again is a replay (200, the same incident).
 */
export async function checkIncidentCreation(port: number, key: string, policyVersion: number): Promise<string> {
  const report = incidentReport(`bench-check-${key}`, policyVersion);
  const created = await postJson(port, INCIDENTS_PATH, report, { "idempotency-key": key });
  const incident = created.json as IncidentJson;
  if (
    created.status !== 201 ||
    created.headers.location !== `${INCIDENTS_PATH}/${incident?.id}` ||
    incident.status !== "REPORTED" ||
    incident.policyVersion !== policyVersion ||
    incident.productCode !== CHECKED_PRODUCT ||
    incident.version !== 1
  )
    throw new Error(`incident creation: HTTP ${created.status} ${JSON.stringify(created.json).slice(0, 500)}`);
  const replayed = await postJson(port, INCIDENTS_PATH, report, { "idempotency-key": key });
  if (replayed.status !== 200 || (replayed.json as IncidentJson).id !== incident.id)
    throw new Error(`incident replay: HTTP ${replayed.status} ${JSON.stringify(replayed.json).slice(0, 500)}`);
  return incident.id;
}

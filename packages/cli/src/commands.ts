import { readFile } from "node:fs/promises";
import type * as pricingProto from "@carfare/pricing/proto";
import { parse, stringify } from "yaml";
import type { CarfareConfig } from "./config.js";
import { clockfaceOf, formatInstant, formatMoney, table } from "./format.js";
import { type ApiOptions, connectPricing, type PricingApi } from "./pricing-api.js";

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {}

async function withApi<T>(
  config: CarfareConfig,
  options: ApiOptions,
  work: (api: PricingApi) => Promise<T>,
): Promise<T> {
  const api = await connectPricing(config, options);
  try {
    return await work(api);
  } finally {
    api.close();
  }
}

/** Reads an instant: RFC 3339 with an offset, or a local wall time "YYYY-MM-DD HH:MM" in the process zone (--tz). */
export function parseInstant(option: string, text: string): Date {
  const normalised = text.trim().replace(" ", "T");
  const at = new Date(normalised);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(normalised) || Number.isNaN(at.getTime())) {
    throw new UsageError(
      `${option} must be a time like 2026-11-28T10:00+09:00 or "2026-11-28 10:00" (local), not "${text}"`,
    );
  }
  return at;
}

export interface QuoteOptions extends ApiOptions {
  readonly market: string;
  readonly model: string;
  readonly from: string;
  readonly to: string;
  readonly member?: string;
  readonly coupon?: string;
  readonly delivery?: boolean;
  readonly km?: string;
  readonly explain?: boolean;
  readonly json?: boolean;
  /** The IANA zone for local times in and out (sets the process's TZ). */
  readonly tz?: string;
}

export async function quoteCommand(config: CarfareConfig, o: QuoteOptions): Promise<string> {
  const request: pricingProto.QuoteRequest = {
    market: o.market,
    carModelId: o.model,
    startAt: parseInstant("--from", o.from),
    endAt: parseInstant("--to", o.to),
    memberTier: o.member ?? "",
    couponCode: o.coupon ?? "",
    delivery: o.delivery === true,
    estimatedKm: o.km === undefined ? undefined : wholeNumber("--km", o.km),
    explain: o.explain === true,
  };
  const quote = await withApi(config, o, (api) => api.quote(request));
  if (o.json === true) return JSON.stringify(quote, null, 2);

  const money = (amount: number) => formatMoney(amount, quote.currency);
  // Times are shown as the user wrote them: in the offset of --from, or in local time (--tz).
  const face = o.tz !== undefined ? ({ local: true } as const) : clockfaceOf(o.from);
  const out = [
    `Quote ${quote.quoteId} — tariff ${quote.tariffId} v${quote.tariffVersion}, ${quote.currency}`,
    `${formatInstant(request.startAt, face)} → ${formatInstant(request.endAt, face)}${"local" in face ? " (local time)" : ""}`,
    "",
    table(
      ["line", "code", "amount"],
      quote.lines.map((l) => [l.label, l.code, money(l.amount)]),
      [2],
    ),
    "",
    table(
      ["total", "amount"],
      [
        ["due at booking", money(quote.dueAtBooking)],
        ["estimated after return", money(quote.estimatedAfterReturn)],
        ["total estimate", money(quote.totalEstimate)],
      ],
      [1],
    ),
  ];
  if (quote.explanation.length > 0) {
    out.push(
      "",
      "How the rental fee was computed (one row per slot group; each window is capped at its highest daily rate):",
      "",
    );
    const rows: string[][] = [];
    quote.explanation.forEach((w, i) => {
      for (const g of w.slotGroups) {
        rows.push([
          `#${i}`,
          `${formatInstant(w.startAt, face)} → ${formatInstant(w.endAt, face)}`,
          g.dayType,
          g.timeBand || "-",
          money(g.slotPrice),
          String(g.count),
          money(g.slotPrice * g.count),
          "",
          "",
          "",
        ]);
      }
      rows.push([`#${i}`, "", "", "", "", "", "", money(w.sum), money(w.cap), money(w.fee)]);
    });
    out.push(
      table(
        ["window", "period", "day type", "time band", "slot price", "slots", "subtotal", "sum", "cap", "fee"],
        rows,
        [4, 5, 6, 7, 8, 9],
      ),
    );
  }
  out.push("", `expires at ${formatInstant(quote.expiresAt, face)}; token (for settle):`, quote.token);
  return out.join("\n");
}

export interface SettleOptions extends ApiOptions {
  readonly quoteToken: string;
  readonly returnedAt: string;
  readonly km?: string;
  readonly json?: boolean;
}

export async function settleCommand(config: CarfareConfig, o: SettleOptions): Promise<string> {
  const settlement = await withApi(config, o, (api) =>
    api.settle({
      token: o.quoteToken,
      returnedAt: parseInstant("--returned-at", o.returnedAt),
      drivenKm: o.km === undefined ? 0 : wholeNumber("--km", o.km),
    }),
  );
  if (o.json === true) return JSON.stringify(settlement, null, 2);
  const money = (amount: number) => formatMoney(amount, settlement.currency);
  const rows = settlement.lines.map((l) => [l.label, l.code, money(l.amount)]);
  rows.push(["due after return", "", money(settlement.dueAfterReturn)]);
  for (const c of settlement.credits) rows.push([`${c.label} (credit)`, c.code, money(c.amount)]);
  return [
    `Settlement of quote ${settlement.quoteId}, ${settlement.currency}`,
    "",
    table(["line", "code", "amount"], rows, [2]),
  ].join("\n");
}

export async function publishCommand(config: CarfareConfig, file: string, o: ApiOptions): Promise<string> {
  const document = await readFile(file, "utf8");
  return withApi(config, o, async (api) => {
    const before = await api.listTariffVersions({ tariffId: "" });
    const published = await api.publishTariff({ document });
    const existed = before.versions.some((v) => v.tariffId === published.tariffId && v.version === published.version);
    const what = existed ? "unchanged: the document equals the newest version" : "published";
    return `${what}: ${published.tariffId} version ${published.version} (market ${published.market}), effective from ${published.effectiveFrom?.toISOString()}, by ${published.publishedBy}`;
  });
}

export async function listCommand(
  config: CarfareConfig,
  tariffId: string | undefined,
  o: ApiOptions & { json?: boolean },
): Promise<string> {
  const { versions } = await withApi(config, o, (api) => api.listTariffVersions({ tariffId: tariffId ?? "" }));
  if (o.json === true) return JSON.stringify(versions, null, 2);
  if (versions.length === 0) return "no tariff has been published yet";
  return table(
    ["tariff", "version", "market", "effective from", "published at", "published by"],
    versions.map((v) => [
      v.tariffId,
      String(v.version),
      v.market,
      v.effectiveFrom?.toISOString() ?? "",
      v.publishedAt?.toISOString() ?? "",
      v.publishedBy,
    ]),
    [1],
  );
}

export async function showCommand(
  config: CarfareConfig,
  tariffId: string,
  o: ApiOptions & { version?: string; json?: boolean },
): Promise<string> {
  const version = o.version === undefined ? 0 : wholeNumber("--version", o.version);
  const found = await withApi(config, o, (api) => api.getTariffVersion({ tariffId, version }));
  if (o.json === true) return found.document;
  const v = found.version;
  const header = `# ${v?.tariffId} version ${v?.version} (market ${v?.market}), effective from ${v?.effectiveFrom?.toISOString()}, published ${v?.publishedAt?.toISOString()} by ${v?.publishedBy}`;
  return `${header}\n${stringify(JSON.parse(found.document), { lineWidth: 0 })}`;
}

const COUPON_KEYS = [
  "code",
  "market",
  "kind",
  "percent",
  "maxDiscount",
  "amount",
  "validFrom",
  "validUntil",
  "minMinutes",
  "carClasses",
];

export async function couponPutCommand(config: CarfareConfig, file: string, o: ApiOptions): Promise<string> {
  const raw = parse(await readFile(file, "utf8"), { schema: "core" }) as Record<string, unknown> | null;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new UsageError(`${file}: a coupon file holds one mapping of fields`);
  const unknown = Object.keys(raw).filter((k) => !COUPON_KEYS.includes(k));
  if (unknown.length > 0)
    throw new UsageError(`${file}: unknown field(s) ${unknown.join(", ")}; allowed: ${COUPON_KEYS.join(", ")}`);
  const text = (k: string) => (raw[k] === undefined ? "" : String(raw[k]));
  const int = (k: string) => (raw[k] === undefined ? 0 : wholeNumber(k, String(raw[k])));
  const instant = (k: string) => (raw[k] === undefined ? undefined : parseInstant(k, String(raw[k])));
  const classes = raw.carClasses === undefined ? [] : raw.carClasses;
  if (!Array.isArray(classes)) throw new UsageError(`${file}: carClasses must be a list`);
  const coupon = await withApi(config, o, (api) =>
    api.putCoupon({
      code: text("code"),
      market: text("market"),
      kind: text("kind"),
      percent: int("percent"),
      maxDiscount: int("maxDiscount"),
      amount: int("amount"),
      validFrom: instant("validFrom"),
      validUntil: instant("validUntil"),
      minMinutes: int("minMinutes"),
      carClasses: classes.map(String),
    }),
  );
  const value =
    coupon.kind === "PERCENT"
      ? `${coupon.percent} %${coupon.maxDiscount > 0 ? ` up to ${coupon.maxDiscount}` : ""}`
      : `${coupon.amount} off`;
  return `coupon ${coupon.code} (${coupon.market}): ${value}, for rentals starting ${coupon.validFrom?.toISOString()} – ${coupon.validUntil?.toISOString()}`;
}

function wholeNumber(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value))
    throw new UsageError(`${option} must be a whole number, not "${text}"`);
  return value;
}

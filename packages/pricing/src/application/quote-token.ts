import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";

/** What a quote token carries: everything settlement needs, so settling never depends on a stored quote. */
export interface QuoteClaims {
  readonly quoteId: string;
  readonly market: string;
  readonly tariffId: string;
  readonly tariffVersion: number;
  readonly carModelId: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly memberTier: string;
  readonly couponCode: string;
  readonly delivery: boolean;
  readonly estimatedKm?: number;
  readonly currency: string;
  readonly rentalFee: number;
  readonly dueAtBooking: number;
  readonly expiresAt: Date;
}

export interface QuoteKey {
  readonly kid: string;
  readonly secret: Buffer;
}

const VERSION = "v1";
const MAX_TOKEN_LENGTH = 4096;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_SECRET_BYTES = 16;

/**
 * Parses `CARFARE_QUOTE_KEYS`: comma-separated `kid:secret` entries, the secret being the rest of the entry
 * as UTF-8. Throws on a malformed list: a service must not start with keys it cannot use.
 */
export function parseQuoteKeys(text: string): QuoteKey[] {
  const keys: QuoteKey[] = [];
  for (const entry of text.split(",")) {
    const trimmed = entry.trim();
    if (trimmed === "") continue;
    const colon = trimmed.indexOf(":");
    const kid = colon < 0 ? "" : trimmed.slice(0, colon);
    const secret = Buffer.from(colon < 0 ? "" : trimmed.slice(colon + 1), "utf8");
    if (!KID_PATTERN.test(kid))
      throw new Error("CARFARE_QUOTE_KEYS: each entry must be kid:secret with a kid of letters, digits, _ or -");
    if (secret.length < MIN_SECRET_BYTES)
      throw new Error(`CARFARE_QUOTE_KEYS: the secret of key ${kid} must be at least ${MIN_SECRET_BYTES} bytes`);
    if (keys.some((k) => k.kid === kid)) throw new Error(`CARFARE_QUOTE_KEYS: key ${kid} is listed twice`);
    keys.push({ kid, secret });
  }
  if (keys.length === 0) throw new Error("CARFARE_QUOTE_KEYS: no key given");
  return keys;
}

/**
 * Signs and verifies quote tokens: `v1.<kid>.<payload>.<mac>`, the payload base64url JSON and the mac an
 * HMAC-SHA256 over everything before it. The first key signs; every key verifies, so keys can rotate.
 */
export class QuoteTokens {
  private readonly signing: MacKey;
  private readonly byKid: ReadonlyMap<string, MacKey>;

  constructor(keys: readonly QuoteKey[]) {
    // A KeyObject made once spares every signature the import of a raw secret (about a fifth of an HMAC here).
    const macKeys = keys.map((k) => ({ kid: k.kid, secret: createSecretKey(k.secret) }));
    const first = macKeys[0];
    if (first === undefined) throw new Error("QuoteTokens needs at least one key");
    this.signing = first;
    this.byKid = new Map(macKeys.map((k) => [k.kid, k]));
  }

  sign(claims: QuoteClaims): string {
    const payload = Buffer.from(JSON.stringify(encodeClaims(claims))).toString("base64url");
    const signed = `${VERSION}.${this.signing.kid}.${payload}`;
    return `${signed}.${mac(this.signing.secret, signed)}`;
  }

  /** The claims of a genuine token, or undefined for anything altered, truncated, unknown or malformed. */
  verify(token: string): QuoteClaims | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const parts = token.split(".");
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    const [, kid, payload, signature] = parts as [string, string, string, string];
    const key = this.byKid.get(kid);
    if (key === undefined) return undefined;
    const expected = Buffer.from(mac(key.secret, `${VERSION}.${kid}.${payload}`), "base64url");
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return decodeClaims(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    } catch {
      return undefined;
    }
  }
}

interface MacKey {
  readonly kid: string;
  readonly secret: KeyObject;
}

function mac(secret: KeyObject, data: string): string {
  return createHmac("sha256", secret).update(data).digest("base64url");
}

// A positional array keeps tokens short; its shape is checked field by field when read back.
type Encoded = [
  string,
  string,
  string,
  number,
  string,
  number,
  number,
  string,
  string,
  0 | 1,
  number,
  string,
  number,
  number,
  number,
];

function encodeClaims(c: QuoteClaims): Encoded {
  return [
    c.quoteId,
    c.market,
    c.tariffId,
    c.tariffVersion,
    c.carModelId,
    c.startAt.getTime(),
    c.endAt.getTime(),
    c.memberTier,
    c.couponCode,
    c.delivery ? 1 : 0,
    c.estimatedKm ?? -1,
    c.currency,
    c.rentalFee,
    c.dueAtBooking,
    c.expiresAt.getTime(),
  ];
}

function decodeClaims(value: unknown): QuoteClaims | undefined {
  if (!Array.isArray(value) || value.length !== 15) return undefined;
  const [
    quoteId,
    market,
    tariffId,
    tariffVersion,
    carModelId,
    start,
    end,
    memberTier,
    couponCode,
    delivery,
    km,
    currency,
    rentalFee,
    due,
    expires,
  ] = value;
  const strings = [quoteId, market, tariffId, carModelId, memberTier, couponCode, currency];
  const integers = [tariffVersion, start, end, km, rentalFee, due, expires];
  if (!strings.every((s) => typeof s === "string") || !integers.every((n) => Number.isSafeInteger(n))) return undefined;
  if (delivery !== 0 && delivery !== 1) return undefined;
  return {
    quoteId,
    market,
    tariffId,
    tariffVersion,
    carModelId,
    startAt: new Date(start),
    endAt: new Date(end),
    memberTier,
    couponCode,
    delivery: delivery === 1,
    ...(km >= 0 ? { estimatedKm: km } : {}),
    currency,
    rentalFee,
    dueAtBooking: due,
    expiresAt: new Date(expires),
  };
}

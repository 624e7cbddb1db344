import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Bearer tokens from `CARFARE_ADMIN_TOKENS` / `CARFARE_SERVICE_TOKENS`: comma-separated `name:token` pairs.
 * The name is what gets recorded (published_by, actor); the token is never logged. Tokens are compared as
 * SHA-256 digests in constant time, against every entry, so timing tells nothing about which one is close.
 */
export class AccessTokens {
  private readonly entries: readonly { readonly name: string; readonly digest: Buffer }[];

  private constructor(entries: readonly { name: string; digest: Buffer }[]) {
    this.entries = entries;
  }

  /** Parses the variable's text; throws on a malformed entry so a service never starts half-configured. */
  static parse(variable: string, text: string | undefined): AccessTokens {
    const entries: { name: string; digest: Buffer }[] = [];
    for (const raw of (text ?? "").split(",")) {
      const entry = raw.trim();
      if (entry === "") continue;
      const colon = entry.indexOf(":");
      const name = colon < 0 ? "" : entry.slice(0, colon);
      const token = colon < 0 ? "" : entry.slice(colon + 1);
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name) || token.length < 16) {
        throw new Error(
          `${variable}: each entry must be name:token, the name 1–64 of [A-Za-z0-9._@-], the token at least 16 characters`,
        );
      }
      entries.push({ name, digest: digest(token) });
    }
    return new AccessTokens(entries);
  }

  /** True when no token is configured. */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The name of the token presented in an `authorization: Bearer <token>` header, if it is one of ours. */
  authenticate(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (match === null) return undefined;
    const given = digest(match[1] as string);
    let found: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(given, entry.digest) && found === undefined) found = entry.name;
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The one-command demo's secrets, generated on first start and kept in the data directory (mode 0600) so a
 * restart keeps issued quote tokens valid and the printed admin token working. Production passes them in
 * through the environment instead (CARFARE_ADMIN_TOKENS, CARFARE_QUOTE_KEYS).
 */
export interface DemoSecrets {
  /** `name:token`, as CARFARE_ADMIN_TOKENS would hold it. */
  readonly adminToken: string;
  /** `kid:secret`, as CARFARE_QUOTE_KEYS would hold it. */
  readonly quoteKeys: string;
  /** True when they were made just now (the token is then printed, once). */
  readonly created: boolean;
}

const ADMIN_TOKEN_FILE = "admin-token";
const QUOTE_KEYS_FILE = "quote-keys";

export async function loadOrCreateDemoSecrets(dataDir: string): Promise<DemoSecrets> {
  await mkdir(dataDir, { recursive: true });
  const tokenPath = join(dataDir, ADMIN_TOKEN_FILE);
  const keysPath = join(dataDir, QUOTE_KEYS_FILE);
  if (existsSync(tokenPath) && existsSync(keysPath)) {
    return {
      adminToken: (await readFile(tokenPath, "utf8")).trim(),
      quoteKeys: (await readFile(keysPath, "utf8")).trim(),
      created: false,
    };
  }
  const adminToken = `demo-admin:${randomBytes(24).toString("base64url")}`;
  const quoteKeys = `demo-${randomBytes(3).toString("hex")}:${randomBytes(32).toString("base64url")}`;
  await writeSecret(tokenPath, adminToken);
  await writeSecret(keysPath, quoteKeys);
  return { adminToken, quoteKeys, created: true };
}

/** The demo admin token (just the token part), if the data directory has one: the CLI's default credential. */
export async function readDemoAdminToken(dataDir: string): Promise<string | undefined> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (!existsSync(path)) return undefined;
  const entry = (await readFile(path, "utf8")).trim();
  return entry.slice(entry.indexOf(":") + 1);
}

async function writeSecret(path: string, value: string): Promise<void> {
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

import { waiverMigrations } from "@carfare/damage-waiver";
import { type DatabaseHandle, openDatabase, runMigrations } from "@carfare/kit";
import { pricingMigrations } from "@carfare/pricing";
import { type CarfareConfig, embeddedDatabaseDir } from "./config.js";
import { lockEmbeddedDatabase } from "./embedded-lock.js";

/** The database of this process: PostgreSQL when DATABASE_URL is set, else the embedded one (locked). */
export interface OpenedDatabase {
  readonly handle: DatabaseHandle;
  readonly embedded: boolean;
  /** Where it is, for people (never the password). */
  readonly where: string;
  close(): Promise<void>;
}

export async function openCarfareDatabase(config: CarfareConfig, purpose: string): Promise<OpenedDatabase> {
  if (config.databaseUrl !== undefined) {
    const handle = await openDatabase({ url: config.databaseUrl, applicationName: `carfare ${purpose}` });
    return { handle, embedded: false, where: redactUrl(config.databaseUrl), close: () => handle.close() };
  }
  const dir = embeddedDatabaseDir(config);
  const release = lockEmbeddedDatabase(config.dataDir, purpose);
  try {
    const handle = await openDatabase({ dataDir: dir });
    return {
      handle,
      embedded: true,
      where: `embedded PostgreSQL (PGlite) in ${dir}`,
      async close() {
        await handle.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Applies every context's migrations (each keeps its own journal in its own schema). */
export async function migrateAll(handle: DatabaseHandle): Promise<void> {
  await runMigrations(handle, pricingMigrations);
  await runMigrations(handle, waiverMigrations);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

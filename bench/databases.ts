import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createTestDatabase, type MigrationSet } from "@carfare/kit";
import { pricingMigrations } from "@carfare/pricing";

/** A database of its own for one bench child: what to pass it, and how to throw it away afterwards. */
export interface BenchDatabase {
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
  readonly where: string;
  close(): Promise<void>;
}

/**
 * With DATABASE_URL: a throwaway database `carfare_t_…` on that server (created and migrated here with
 * `migrations`, pricing's by default; dropped by `close`), so that the bench never publishes into a database
 * someone uses. Without: a PGlite data directory under `root`, which the child creates and migrates.
 */
export async function benchDatabase(
  root: string,
  label: string,
  migrations: readonly MigrationSet[] = [pricingMigrations],
): Promise<BenchDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const database = await createTestDatabase("postgres", migrations);
    const url = new URL(adminUrl);
    url.pathname = `/${database.name}`;
    return {
      args: [],
      env: { DATABASE_URL: url.toString() },
      where: `PostgreSQL, throwaway database ${database.name}`,
      close: () => database.close(),
    };
  }
  const dataDir = join(root, label);
  await mkdir(dataDir, { recursive: true });
  return {
    args: ["--data-dir", dataDir],
    env: {},
    where: "PGlite (embedded, in the server process)",
    close: () => rm(dataDir, { recursive: true, force: true }),
  };
}

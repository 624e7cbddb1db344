import { createHash } from "node:crypto";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePostgres } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { type DatabaseHandle, driverOf } from "./open-database.js";

/** Where one context's SQL migrations live and where it keeps its journal of applied migrations. */
export interface MigrationSet {
  /** The drizzle-kit output folder: `NNNN_name.sql` files and `meta/_journal.json`. */
  readonly migrationsFolder: string;
  /** The context's own schema (`pricing`): the journal table lives there, next to the context's tables. */
  readonly migrationsSchema: string;
  /** The journal table. Default `__migrations`. */
  readonly migrationsTable?: string;
}

/**
 * Applies the migrations of one context that the database has not seen yet, in one transaction.
 * On PostgreSQL a session advisory lock keyed by the schema serialises processes that start together
 * (several pods of a deployment): the second waits and then finds nothing left to do. The migrations run on
 * the connection that holds the lock, without a statement timeout (a migration may rewrite a big table).
 */
export async function runMigrations(handle: DatabaseHandle, set: MigrationSet): Promise<void> {
  const config = {
    migrationsFolder: set.migrationsFolder,
    migrationsSchema: set.migrationsSchema,
    migrationsTable: set.migrationsTable ?? "__migrations",
  };
  const driver = driverOf(handle);
  if (driver.kind === "pglite") {
    // One process owns a PGlite data directory, so there is nobody to serialise with.
    await migratePglite(handle.db as Parameters<typeof migratePglite>[0], config);
    return;
  }
  const lockKey = advisoryLockKey(`carfare.migrations.${set.migrationsSchema}`);
  const lockHolder = await driver.pool.connect();
  try {
    // No statement timeout: neither waiting for another pod's migration nor a long migration may fail.
    await lockHolder.query("SET statement_timeout = 0");
    await lockHolder.query("SELECT pg_advisory_lock($1)", [lockKey]);
    try {
      await migrateNodePostgres(drizzleNodePostgres(lockHolder), config);
    } finally {
      await lockHolder.query("SELECT pg_advisory_unlock($1)", [lockKey]);
    }
  } finally {
    lockHolder.release(true);
  }
}

/** A stable signed 64-bit key (as a decimal string) for `pg_advisory_lock`, derived from a name. */
export function advisoryLockKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}

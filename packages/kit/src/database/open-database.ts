import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";

/**
 * A Drizzle database that works the same on both drivers. Repositories take this type, so one repository
 * runs on the embedded PGlite and on a real PostgreSQL unchanged. Raw `execute` results differ between the
 * drivers in their metadata; use `.rows` only (see `queryRows`).
 */
export type Database = PgDatabase<PgQueryResultHKT>;

/** Which engine a handle talks to. */
export type DatabaseKind = "pglite" | "postgres";

/** An open database: the Drizzle `db` plus what is needed to shut it down. */
export interface DatabaseHandle {
  readonly kind: DatabaseKind;
  readonly db: Database;
  /** Ends the pool, or closes the embedded database (flushing it to its data directory). */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL connection URL (`postgres://user@host:5432/db`). Takes precedence over `dataDir`. */
  readonly url?: string;
  /** Where the embedded PGlite keeps its files; `memory://` keeps everything in memory (tests). */
  readonly dataDir?: string;
  /** Shown in `pg_stat_activity.application_name`. Default `carfare`. */
  readonly applicationName?: string;
  /** Most connections the pool opens (PostgreSQL only). Default 10. */
  readonly poolSize?: number;
  /**
   * `statement_timeout` of every connection, in ms (PostgreSQL only). Default 30,000. `0` sends no
   * setting at all, which PgBouncer needs unless `statement_timeout` is in its `ignore_startup_parameters`.
   */
  readonly statementTimeoutMs?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, the network dropped). The pool
   * replaces the connection by itself; without a listener node-postgres would crash the process.
   * Default: a process warning.
   */
  readonly onPoolError?: (error: Error) => void;
}

/** The driver object behind a handle; kept out of the public type so callers go through `db`. */
export type DriverClient =
  | { readonly kind: "pglite"; readonly client: PGlite }
  | { readonly kind: "postgres"; readonly pool: pg.Pool };

// A symbol-keyed property survives `{ ...handle, close }`, which wrappers such as the test helper use.
const driverKey = Symbol("carfare.database.driver");

/** The pool or PGlite instance behind a handle opened by this module (for migrations and test helpers). */
export function driverOf(handle: DatabaseHandle): DriverClient {
  const driver = (handle as { [driverKey]?: DriverClient })[driverKey];
  if (driver === undefined) throw new Error("not a handle opened by openDatabase");
  return driver;
}

function withDriver(handle: DatabaseHandle, driver: DriverClient): DatabaseHandle {
  return { ...handle, [driverKey]: driver } as DatabaseHandle;
}

/**
 * Opens PostgreSQL when `url` is given (a `pg.Pool`), otherwise the embedded PGlite in `dataDir`.
 *
 * @example
 * const handle = await openDatabase({ url: process.env.DATABASE_URL, dataDir: "./.carfare/db" });
 * try { await runMigrations(handle, pricingMigrations); } finally { await handle.close(); }
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url !== undefined && options.url !== "") return openPostgres(options.url, options);
  if (options.dataDir !== undefined && options.dataDir !== "") {
    if (!options.dataDir.includes("://")) await mkdir(options.dataDir, { recursive: true });
    return wrapPglite(await PGlite.create(options.dataDir));
  }
  throw new Error("openDatabase needs a url (PostgreSQL) or a dataDir (embedded PGlite)");
}

function openPostgres(url: string, options: OpenDatabaseOptions): DatabaseHandle {
  const statementTimeout = options.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? "carfare",
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  const onPoolError =
    options.onPoolError ??
    ((error: Error) => process.emitWarning(`idle PostgreSQL connection failed: ${error.message}`));
  pool.on("error", onPoolError);
  return withDriver(
    { kind: "postgres", db: drizzleNodePostgres(pool), close: () => pool.end() },
    { kind: "postgres", pool },
  );
}

/** Wraps an already created PGlite instance (the test helper loads one from a template). */
export function wrapPglite(client: PGlite): DatabaseHandle {
  return withDriver(
    { kind: "pglite", db: drizzlePglite(client), close: () => client.close() },
    { kind: "pglite", client },
  );
}

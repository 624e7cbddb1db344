import { createHash, randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type DatabaseHandle, type DatabaseKind, openDatabase, wrapPglite } from "../database/open-database.js";
import { type MigrationSet, runMigrations } from "../database/run-migrations.js";

/**
 * The engines the database tests of this run cover: PGlite always, and the real PostgreSQL of
 * `DATABASE_URL` when it is set (CI sets it). Meant for `describe.each(databasesUnderTest())`.
 */
export function databasesUnderTest(env: NodeJS.ProcessEnv = process.env): DatabaseKind[] {
  return env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/** A throwaway migrated database; `close()` throws it away (drops it on the server). */
export interface TestDatabase extends DatabaseHandle {
  /** `memory` for PGlite, the database name (`carfare_t_…`) on PostgreSQL. */
  readonly name: string;
}

/**
 * A fresh database with the given migrations applied, for one test file.
 *
 * - `pglite`: an in-memory PGlite loaded from a template that was migrated once and cached as a tarball
 *   under the OS temp directory, keyed by the migration files' content (about 0.4 s instead of 1.5 s for a
 *   new in-memory instance plus the migrations; a new file-backed one takes over 3 s).
 * - `postgres`: `CREATE DATABASE carfare_t_<random>` on the server of `DATABASE_URL` (the admin URL),
 *   migrated; `close()` ends the pool and drops it.
 *
 * @example
 * describe.each(databasesUnderTest())("on %s", (kind) => {
 *   let database: TestDatabase;
 *   beforeAll(async () => { database = await createTestDatabase(kind, [pricingMigrations]); });
 *   afterAll(() => database.close());
 * });
 */
export async function createTestDatabase(
  kind: DatabaseKind,
  migrations: readonly MigrationSet[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestDatabase> {
  return kind === "pglite" ? createPgliteDatabase(migrations) : createPostgresDatabase(migrations, env);
}

async function createPgliteDatabase(migrations: readonly MigrationSet[]): Promise<TestDatabase> {
  const template = await pgliteTemplate(migrations);
  const client = await PGlite.create({ loadDataDir: new Blob([template]) });
  return { ...wrapPglite(client), name: "memory" };
}

/** The tarball of a migrated data directory, built once per set of migration files (across test files). */
async function pgliteTemplate(migrations: readonly MigrationSet[]): Promise<Buffer> {
  const directory = path.join(tmpdir(), "carfare-test-templates");
  const file = path.join(directory, `pglite-${await migrationsFingerprint(migrations)}.tar`);
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const client = await PGlite.create("memory://");
  const handle = wrapPglite(client);
  try {
    for (const set of migrations) await runMigrations(handle, set);
    const tarball = Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer());
    // Test files run in parallel processes: write aside, then rename, so nobody reads half a file.
    await mkdir(directory, { recursive: true });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    await writeFile(partial, tarball);
    await rename(partial, file);
    return tarball;
  } finally {
    await handle.close();
  }
}

async function migrationsFingerprint(migrations: readonly MigrationSet[]): Promise<string> {
  // A data directory only loads into the PGlite build that wrote it: a new install makes a new template.
  const pgliteBuild = statSync(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  const hash = createHash("sha256").update(`pglite ${pgliteBuild.size} ${pgliteBuild.mtimeMs}\n`);
  for (const set of migrations) {
    hash.update(`${set.migrationsSchema}\n${set.migrationsTable ?? ""}\n`);
    const metaFolder = path.join(set.migrationsFolder, "meta");
    for (const [folder, names] of [
      [set.migrationsFolder, await readdir(set.migrationsFolder)],
      [metaFolder, await readdir(metaFolder)],
    ] as const) {
      for (const name of names.filter((n) => n.endsWith(".sql") || n.endsWith(".json")).sort()) {
        hash.update(`${name}\n`).update(await readFile(path.join(folder, name)));
      }
    }
  }
  return hash.digest("hex").slice(0, 16);
}

async function createPostgresDatabase(
  migrations: readonly MigrationSet[],
  env: NodeJS.ProcessEnv,
): Promise<TestDatabase> {
  const adminUrl = env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL must be set to test on PostgreSQL");
  const name = `carfare_t_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let closing = false;
  const handle = await openDatabase({
    url: url.toString(),
    poolSize: 8,
    applicationName: "carfare-test",
    // The drop below terminates connections the ended pool is still shutting down: nothing to report.
    onPoolError: (error) => {
      if (!closing) process.emitWarning(`idle PostgreSQL connection failed: ${error.message}`);
    },
  });
  const close = async () => {
    closing = true;
    await handle.close();
    await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
  try {
    for (const set of migrations) await runMigrations(handle, set);
  } catch (error) {
    await close();
    throw error;
  }
  return { ...handle, close, name };
}

async function withAdmin<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl, application_name: "carfare-test-admin" });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Writes `docs/data-dictionary.md`, the analysts' guide to every table and column, from the `COMMENT`s the
 * migrations put on them: it migrates an in-memory PGlite database and reads `obj_description` and
 * `col_description`. Run after changing a migration: `npx tsx scripts/write-data-dictionary.ts`; a test fails
 * while the committed file is stale or while a table or column has no comment.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { waiverMigrations } from "../packages/damage-waiver/src/adapters/postgres/waiver-migrations.js";
import {
  type Database,
  type DictionaryTable,
  describeSchemas,
  type MigrationSet,
  openDatabase,
  renderDataDictionary,
  runMigrations,
} from "../packages/kit/src/index.js";
import { pricingMigrations } from "../packages/pricing/src/adapters/postgres/pricing-migrations.js";

/** The migrations of every context; each brings its own schema. */
export const contextMigrations: readonly MigrationSet[] = [pricingMigrations, waiverMigrations];

export const dataDictionaryFile = fileURLToPath(new URL("../docs/data-dictionary.md", import.meta.url));

const intro = `
Every table and column of carfare's database, one schema per context. Generated from the \`COMMENT\`s in the
migrations by \`npx tsx scripts/write-data-dictionary.ts\`: change the comments in a migration, not this file.

Conventions: names are snake_case in the words of \`spec/glossary.md\`; instants are \`timestamptz\` in UTC;
money is a \`bigint\` count of minor units (KRW: won, MYR: sen) next to a \`char(3)\` ISO 4217 currency;
published versions, quotes, settlements and histories are append-only (an incident's row holds its current
state, updated in place under a version number, and every change is also a row of its history); price lines
have their own tables.
`;

/** The tables of every context's schema in a migrated database. */
export function dictionaryTables(db: Database): Promise<DictionaryTable[]> {
  return describeSchemas(
    db,
    contextMigrations.map((set) => set.migrationsSchema),
  );
}

/** The Markdown of the data dictionary for the given tables. */
export function dataDictionaryMarkdown(tables: readonly DictionaryTable[]): string {
  return renderDataDictionary(tables, intro);
}

async function main(): Promise<void> {
  const handle = await openDatabase({ dataDir: "memory://" });
  try {
    for (const set of contextMigrations) await runMigrations(handle, set);
    writeFileSync(dataDictionaryFile, dataDictionaryMarkdown(await dictionaryTables(handle.db)));
  } finally {
    await handle.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

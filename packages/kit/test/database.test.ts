import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createTestDatabase,
  type DatabaseHandle,
  databasesUnderTest,
  describeSchemas,
  type MigrationSet,
  missingComments,
  openDatabase,
  queryRows,
  renderDataDictionary,
  runMigrations,
  type TestDatabase,
} from "@carfare/kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const widgets: MigrationSet = {
  migrationsFolder: fileURLToPath(new URL("./fixtures/migrations", import.meta.url)),
  migrationsSchema: "fixture",
};

async function journal(handle: DatabaseHandle): Promise<number> {
  const [row] = await queryRows<{ n: number }>(handle.db, sql`SELECT count(*)::int AS n FROM fixture.__migrations`);
  return row?.n ?? 0;
}

describe.each(databasesUnderTest())("a test database on %s", (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind, [widgets]);
  });
  afterAll(() => database.close());

  it("comes migrated, with the journal in the context's own schema", async () => {
    expect(database.kind).toBe(kind);
    expect(await journal(database)).toBe(2);
    await database.db.execute(sql`INSERT INTO fixture.widgets (widget_id) VALUES (1)`);
    expect(await queryRows(database.db, sql`SELECT widget_id, colour FROM fixture.widgets`)).toEqual([
      { widget_id: 1, colour: "red" },
    ]);
  });

  it("applies nothing when migrated again", async () => {
    await runMigrations(database, widgets);

    expect(await journal(database)).toBe(2);
  });

  it("describes tables with their comments and names what lacks one", async () => {
    const tables = await describeSchemas(database.db, ["fixture"]);

    expect(tables).toEqual([
      {
        schema: "fixture",
        name: "widgets",
        comment: "Widgets of the kit tests.",
        columns: [
          { name: "widget_id", type: "integer", nullable: false, comment: "Widget id." },
          { name: "name", type: "text", nullable: true, comment: null },
          { name: "colour", type: "text", nullable: false, comment: null },
        ],
      },
    ]);
    expect(missingComments(tables)).toEqual(["fixture.widgets.name", "fixture.widgets.colour"]);
    expect(renderDataDictionary(tables, "Intro.")).toBe(
      [
        "# Data dictionary",
        "",
        "Intro.",
        "",
        "## Schema `fixture`",
        "",
        "### `fixture.widgets`",
        "",
        "Widgets of the kit tests.",
        "",
        "| column      | type    | nullable | meaning      |",
        "| ----------- | ------- | -------- | ------------ |",
        "| `widget_id` | integer | no       | Widget id.   |",
        "| `name`      | text    | yes      | (no comment) |",
        "| `colour`    | text    | no       | (no comment) |",
        "",
      ].join("\n"),
    );
  });
});

describe("openDatabase", () => {
  it("keeps an embedded database in its data directory across reopening", async () => {
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), "carfare-kit-")), "db");
    try {
      const first = await openDatabase({ dataDir });
      await runMigrations(first, widgets);
      await first.db.execute(sql`INSERT INTO fixture.widgets (widget_id, name) VALUES (7, 'kept')`);
      await first.close();

      const second = await openDatabase({ dataDir });
      const rows = await queryRows(second.db, sql`SELECT name FROM fixture.widgets`);
      await second.close();

      expect(second.kind).toBe("pglite");
      expect(rows).toEqual([{ name: "kept" }]);
    } finally {
      await rm(path.dirname(dataDir), { recursive: true, force: true });
    }
  });

  it("refuses to guess when given neither a url nor a data directory", async () => {
    await expect(openDatabase({})).rejects.toThrow(/url .* or a dataDir/);
  });
});

describe.skipIf(!process.env.DATABASE_URL)("runMigrations on PostgreSQL", () => {
  it("applies each migration once when several processes migrate at the same time", async () => {
    const database = await createTestDatabase("postgres", []);
    const url = new URL(process.env.DATABASE_URL ?? "");
    url.pathname = `/${database.name}`;
    const pods = await Promise.all([1, 2, 3].map(() => openDatabase({ url: url.toString(), poolSize: 2 })));
    try {
      await Promise.all(pods.map((pod) => runMigrations(pod, widgets)));

      expect(await journal(database)).toBe(2);
    } finally {
      await Promise.all(pods.map((pod) => pod.close()));
      await database.close();
    }
  });
});

import { sql } from "drizzle-orm";
import type { Database } from "./open-database.js";
import { queryRows } from "./query-rows.js";

/** One column as the data dictionary shows it. */
export interface DictionaryColumn {
  readonly name: string;
  /** As `format_type` prints it: `bigint`, `character(3)`, `timestamp with time zone`, `text[]`. */
  readonly type: string;
  readonly nullable: boolean;
  /** The column's `COMMENT`, or null when it has none. */
  readonly comment: string | null;
}

/** One table as the data dictionary shows it. */
export interface DictionaryTable {
  readonly schema: string;
  readonly name: string;
  readonly comment: string | null;
  readonly columns: readonly DictionaryColumn[];
}

/**
 * Reads the tables of the given schemas with their columns and comments (`obj_description`,
 * `col_description`), tables by name and columns in table order. Migration journals (`__…`) are left out.
 */
export async function describeSchemas(db: Database, schemas: readonly string[]): Promise<DictionaryTable[]> {
  const rows = await queryRows<{
    schema: string;
    table_name: string;
    table_comment: string | null;
    column_name: string;
    column_type: string;
    nullable: boolean;
    column_comment: string | null;
  }>(
    db,
    sql`
      SELECT n.nspname AS schema, c.relname AS table_name,
             obj_description(c.oid, 'pg_class') AS table_comment,
             a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type,
             NOT a.attnotnull AS nullable, col_description(c.oid, a.attnum) AS column_comment
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(${sql.param([...schemas])}::text[])
        AND c.relname NOT LIKE '\\_\\_%'
      ORDER BY n.nspname, c.relname, a.attnum`,
  );
  const tables = new Map<
    string,
    { schema: string; name: string; comment: string | null; columns: DictionaryColumn[] }
  >();
  for (const row of rows) {
    const key = `${row.schema}.${row.table_name}`;
    let table = tables.get(key);
    if (table === undefined) {
      table = { schema: row.schema, name: row.table_name, comment: row.table_comment, columns: [] };
      tables.set(key, table);
    }
    table.columns.push({
      name: row.column_name,
      type: row.column_type,
      nullable: row.nullable,
      comment: row.column_comment,
    });
  }
  return [...tables.values()];
}

/** Every table and column without a comment, as `schema.table` / `schema.table.column`. */
export function missingComments(tables: readonly DictionaryTable[]): string[] {
  const missing: string[] = [];
  for (const table of tables) {
    if (!table.comment) missing.push(`${table.schema}.${table.name}`);
    for (const column of table.columns) {
      if (!column.comment) missing.push(`${table.schema}.${table.name}.${column.name}`);
    }
  }
  return missing;
}

/**
 * The data dictionary as Markdown: one section per table, one row per column. Table cells are padded to
 * their column's width, the layout Biome's Markdown formatter gives, so `biome check .` accepts the file.
 */
export function renderDataDictionary(tables: readonly DictionaryTable[], intro: string): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = ["# Data dictionary", "", intro.trim(), ""];
  for (const schema of [...new Set(tables.map((t) => t.schema))]) {
    lines.push(`## Schema \`${schema}\``, "");
    for (const table of tables.filter((t) => t.schema === schema)) {
      lines.push(`### \`${schema}.${table.name}\``, "", cell(table.comment ?? "(no comment)"), "");
      const rows = table.columns.map((column) => [
        `\`${column.name}\``,
        column.type,
        column.nullable ? "yes" : "no",
        cell(column.comment ?? "(no comment)"),
      ]);
      lines.push(...markdownTable(["column", "type", "nullable", "meaning"], rows), "");
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const width = (text: string) => [...text].length;
  const widths = header.map((title, i) => Math.max(width(title), ...rows.map((row) => width(row[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, i) => text + " ".repeat((widths[i] ?? 0) - width(text))).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

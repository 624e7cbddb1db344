import type { SQLWrapper } from "drizzle-orm";
import type { Database } from "./open-database.js";

/**
 * Runs a raw SQL statement and returns its rows, on either driver. Both drivers leave `timestamptz` as the
 * text PostgreSQL sent and `bigint` as text in raw results, so cast in SQL (`::text`, `::int`) to what you
 * read; the typed query builder converts by itself.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQLWrapper): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

import { fileURLToPath } from "node:url";
import type { MigrationSet } from "@carfare/kit";

/**
 * The pricing context's SQL migrations (`packages/pricing/migrations`) and its journal,
 * `pricing.__migrations`. The path is the same from `src/` and from `dist/`.
 */
export const pricingMigrations: MigrationSet = {
  migrationsFolder: fileURLToPath(new URL("../../../migrations", import.meta.url)),
  migrationsSchema: "pricing",
  migrationsTable: "__migrations",
};

import { fileURLToPath } from "node:url";
import type { MigrationSet } from "@carfare/kit";

/**
 * The damage-waiver context's SQL migrations (`packages/damage-waiver/migrations`) and its journal,
 * `waiver.__migrations`. The path is the same from `src/` and from `dist/`.
 */
export const waiverMigrations: MigrationSet = {
  migrationsFolder: fileURLToPath(new URL("../../../migrations", import.meta.url)),
  migrationsSchema: "waiver",
  migrationsTable: "__migrations",
};

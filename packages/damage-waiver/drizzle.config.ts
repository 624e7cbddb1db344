import { defineConfig } from "drizzle-kit";

// drizzle-kit generate writes SQL migrations from the table definitions; it needs no database.
// Run from packages/damage-waiver: `npx drizzle-kit generate --name <what>`. Comments go in a custom migration
// (`npx drizzle-kit generate --custom --name comments`), one `COMMENT ON` per `--> statement-breakpoint`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/adapters/postgres/*.table.ts",
  out: "./migrations",
  schemaFilter: ["waiver"],
  migrations: { schema: "waiver", table: "__migrations" },
  breakpoints: true,
});

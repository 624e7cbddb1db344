import { pgSchema } from "drizzle-orm/pg-core";

/** The damage-waiver context's own PostgreSQL schema: its tables and its migration journal live here. */
export const waiverSchema = pgSchema("waiver");

import { pgSchema } from "drizzle-orm/pg-core";

/** The pricing context's own PostgreSQL schema: its tables and its migration journal live here. */
export const pricingSchema = pgSchema("pricing");

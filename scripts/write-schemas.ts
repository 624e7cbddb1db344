/**
 * Writes the JSON Schemas published for editors (`schemas/*.schema.json`) from their TypeBox sources, so
 * that a YAML file starting with `# yaml-language-server: $schema=../../schemas/tariff.schema.json` is
 * checked as it is typed. Run after changing a schema: `npx tsx scripts/write-schemas.ts`; a test fails
 * while the committed file is stale.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tariffSchemaJson } from "../packages/pricing/src/application/tariff-schema.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = fileURLToPath(new URL("../schemas/tariff.schema.json", import.meta.url));
writeFileSync(target, tariffSchemaJson());
// Biome lays JSON out differently from JSON.stringify; format here so that `biome check .` stays clean.
execFileSync("npx", ["biome", "format", "--write", target], { cwd: root, stdio: "inherit" });

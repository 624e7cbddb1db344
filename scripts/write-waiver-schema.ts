/**
 * Writes the JSON Schema of the waiver policy document (`packages/damage-waiver/schemas/waiver-policy.schema.json`)
 * from its TypeBox source, so that a policy YAML file starting with
 * `# yaml-language-server: $schema=../../packages/damage-waiver/schemas/waiver-policy.schema.json` is checked as
 * it is typed. Run after changing the schema: `npx tsx scripts/write-waiver-schema.ts`; a test fails while the
 * committed file is stale.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { waiverPolicySchemaJson } from "../packages/damage-waiver/src/application/policy-schema.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = fileURLToPath(new URL("../packages/damage-waiver/schemas/waiver-policy.schema.json", import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, waiverPolicySchemaJson());
// Biome lays JSON out differently from JSON.stringify; format here so that `biome check .` stays clean.
execFileSync("npx", ["biome", "format", "--write", target], { cwd: root, stdio: "inherit" });

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const configSection = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Working on carfare"));
const documented = new Set([...configSection.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1] as string));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "gen" ? [] : sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Environment variables the code reads: `env…(env, "NAME")` and `process.env.NAME`. */
const read = new Set(
  ["kit", "pricing", "cli"]
    .flatMap((pkg) => sources(join(root, "packages", pkg, "src")))
    .flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/(?:env[A-Za-z]*\(env, "|process\.env\.)([A-Z][A-Z_]+)/g)].map(
        (m) => m[1] as string,
      ),
    )
    .filter((name) => name !== "TZ"),
);

describe("the README's configuration table", () => {
  it("documents every variable the code reads", () => {
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it("documents no variable the code does not read", () => {
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources of the workspace packages, not their build output.
    alias: [
      { find: /^@carfare\/kit$/, replacement: src("kit") },
      { find: /^@carfare\/pricing$/, replacement: src("pricing") },
      { find: /^@carfare\/damage-waiver$/, replacement: src("damage-waiver") },
      {
        find: /^@carfare\/pricing\/proto$/,
        replacement: fileURLToPath(
          new URL("./packages/pricing/src/adapters/grpc/gen/carfare/pricing/v1/pricing.ts", import.meta.url),
        ),
      },
    ],
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

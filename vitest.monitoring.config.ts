import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * `npm run test:monitoring`: the monitoring tests, which need Debian's `prometheus` (not part of `npm test`,
 * which must pass on a machine without it). They fail, never skip, when it is missing.
 */
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ["deploy/monitoring/test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});

// Used only by scripts/contract-live.mjs: runs run.live.ts, which the tiers of ../../../vitest.config.ts
// never include, without the contract tier's Prism mock (the live check starts its own proxy).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    include: ["test/contract/live/run.live.ts"],
    // A real API, paced by the client's rate limiter, with a Prism proxy to start first.
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});

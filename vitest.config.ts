import { defineConfig } from "vitest/config";

// Test tiers, each runnable alone with `npx vitest run --project <name>`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "spec",
          include: ["test/spec/**/*.test.ts"],
          // These tests run the real pipeline (Redocly, openapi-typescript) on scratch copies.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "types",
          // Type tests run through tsc only; nothing in them executes.
          include: [],
          typecheck: { enabled: true, only: true, include: ["test/types/**/*.test-d.ts"], tsconfig: "tsconfig.json" },
        },
      },
      {
        test: {
          name: "transport",
          include: ["test/transport/**/*.test.ts"],
          // Real servers and real timers; a few tests wait for backoff or Retry-After.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          // Starts one Prism mock on generated/openapi.json for the whole tier.
          globalSetup: ["test/contract/global-setup.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});

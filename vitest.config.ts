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
    ],
  },
});

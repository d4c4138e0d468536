import { defineConfig } from "vitest/config";

// Test tiers, each runnable alone with `npx vitest run --project <name>`.
export default defineConfig({
  test: {
    // Four files at a time on any machine: many tests spend most of their time waiting (on child
    // processes, real servers, backoff and rate-limit windows), so with one file per core a
    // two-core machine sits half idle (the suite took 350 s with 2 at a time, 225 s with 4).
    maxWorkers: 4,
    projects: [
      {
        test: {
          name: "spec",
          include: ["test/spec/**/*.test.ts"],
          // These tests run the real pipeline (Redocly, openapi-typescript) on scratch copies,
          // several at once; generous, so a loaded two-core machine does not fail them.
          testTimeout: 180_000,
        },
      },
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Property tests run hundreds of cases; the default 5 s is too tight on a loaded machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "types",
          // Type tests (*.test-d.ts) run through tsc only; the *.test.ts files emit a typed call
          // per operation from the spec and compile it with the TypeScript compiler API.
          include: ["test/types/**/*.test.ts"],
          testTimeout: 120_000,
          typecheck: { enabled: true, include: ["test/types/**/*.test-d.ts"], tsconfig: "tsconfig.json" },
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
          name: "redis",
          include: ["test/redis/**/*.test.ts"],
          // A real redis-server per file, and worker processes of the shared pacer.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          // Starts one Prism mock on generated/openapi.json for the whole tier.
          globalSetup: ["test/helpers/prism-global-setup.ts"],
          // Several tests compile or regenerate a whole document, or fuzz Prism; with four files at
          // a time on a loaded two-core machine they can take minutes.
          testTimeout: 180_000,
        },
      },
      {
        test: {
          name: "gate",
          include: ["test/gate/**/*.test.ts"],
          // Drives scripts/spec-diff.mjs against throwaway git repositories (and tsc, once or twice).
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "package",
          include: ["test/package/**/*.test.ts"],
          // npm pack with its build, tsc on consumer projects, Prism, Chromium and child scripts.
          // One Prism mock for the consumer projects and the examples (the tour starts its own).
          globalSetup: ["test/helpers/prism-global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "docs",
          include: ["test/docs/**/*.test.ts"],
          // Builds the API reference and reads it in Chromium.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

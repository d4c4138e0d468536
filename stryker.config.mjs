// Mutation testing of src/ (`npm run test:mutation [-- files...]`, scripts/mutation.mjs): StrykerJS
// 9 with its vitest runner, per-test coverage, over the tiers of vitest.mutation.config.ts.
// Incremental: a rerun tests only the mutants whose code or covering test files changed. Reports
// and the incremental file live in reports/mutation/, which git ignores.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  // A mutant that also runs outside any test (at import, or in a beforeAll that builds a client)
  // is tested with the tests that cover it, not with every test: with every test, a run over
  // src/ would take most of a day. One that runs only at import (a constant, a regex) is covered
  // by no test; scripts/mutation.mjs tests those in a second pass, with every test
  // (MUTATION_STATIC_PASS=1), while every other mutant keeps its first-pass result.
  ignoreStatic: process.env.MUTATION_STATIC_PASS !== "1",
  mutate: ["src/**/*.ts"],
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["html", "json", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  // Two cores are shared with others: two test-runner processes at most.
  concurrency: 2,
  // Real servers and real timers, on a machine shared with other work: an attempt under load can
  // take far longer than in the dry run, and a mutant must not pass for "timed out" because of it.
  timeoutFactor: 3,
  timeoutMS: 20_000,
  thresholds: { high: 90, low: 85, break: null },
};

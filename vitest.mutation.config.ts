import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// The tiers mutation testing runs (stryker.config.mjs): those whose tests call src/ in the test's
// own process, where a mutant is active and its coverage is seen. Left out: files that reach src/
// only through child processes, scratch copies or bundles (a mutant is never active there), and
// the tiers that check types, docs, the package and the spec, which never call src/ at run time
// or do so only through those routes.
const TIERS: Record<string, string[]> = {
  unit: [],
  transport: [],
  contract: [
    // Each runs the real pipeline on a scratch project and calls a bundled copy of src/.
    "test/contract/spec-growth.test.ts",
    "test/contract/published-document.test.ts",
    // Runs scripts/contract-live.mjs in child processes.
    "test/contract/live.test.ts",
  ],
  redis: [
    // Worker processes only: the fleet under load, with skewed clocks.
    "test/redis/fleet.test.ts",
  ],
};

type Project = { test: { name: string; exclude?: string[] } };

// MUTATION_TIERS=unit,transport keeps only those tiers: a quicker run whose score is a lower bound
// of the full one (fewer tests can only kill fewer mutants).
const listed = process.env.MUTATION_TIERS?.split(",").filter(Boolean);
const only = listed?.length ? listed : undefined;
for (const name of only ?? []) if (!(name in TIERS)) throw new Error(`MUTATION_TIERS: no tier ${name} (${Object.keys(TIERS).join(", ")})`);

export default defineConfig({
  test: {
    projects: (base.test!.projects as Project[])
      .filter((p) => p.test.name in TIERS && (!only || only.includes(p.test.name)))
      .map((p) => ({ ...p, test: { ...p.test, exclude: [...(p.test.exclude ?? []), ...TIERS[p.test.name]!] } })),
  },
});

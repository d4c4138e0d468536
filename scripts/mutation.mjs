#!/usr/bin/env node
// `npm run test:mutation [-- file ...]`: mutation testing of src/ with StrykerJS (settings in
// stryker.config.mjs, tiers in vitest.mutation.config.ts), then the score of every file in the
// report, worst first (scripts/mutation-score.mjs). With files, only their mutants are tested;
// the report keeps every other file's last result. Incremental: a mutant whose code and covering
// test files are unchanged keeps its last result (`-- --force file ...` tests the files' mutants anew).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { printScores } from "./mutation-score.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const bin = join(dirname(createRequire(import.meta.url).resolve("@stryker-mutator/core/package.json")), "bin", "stryker.js");

const flags = process.argv.slice(2).filter((a) => a.startsWith("--"));
// As the report names them: relative to the project, with forward slashes.
const files = process.argv.slice(2).filter((a) => !a.startsWith("--")).map((f) => relative(ROOT, resolve(f)).split(sep).join("/"));
for (const flag of flags) {
  if (flag !== "--force") {
    console.error(`test:mutation: unknown option ${flag} (expected --force and files of src/)`);
    process.exit(2);
  }
}
// The contract tier's differential fuzzing draws a new seed each run unless given one; a fixed
// seed keeps the verdict on a mutant from changing between runs of unchanged code.
const env = { ...process.env, FUZZ_SEED: process.env.FUZZ_SEED ?? "20240501" };
const REPORT = join(ROOT, "reports", "mutation", "mutation.json");
const started = Date.now();
const elapsed = () => Math.round((Date.now() - started) / 1000);

function stryker(extra, mutate, passEnv = {}) {
  const args = ["run", ...extra, ...(mutate.length ? ["--mutate", mutate.join(",")] : [])];
  console.log(`\n> stryker ${args.join(" ")}`);
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, env: { ...env, ...passEnv }, stdio: "inherit" });
  if (run.status !== 0) {
    console.error(`test:mutation: stryker exited with ${run.status ?? run.signal} after ${elapsed()} s`);
    process.exit(run.status ?? 1);
  }
}

// First pass (ignoreStatic in stryker.config.mjs): each mutant against the tests that cover it.
stryker(flags, files);
// Second pass: the mutants that run only while a module loads (a constant, a regex), which no
// test covers, against every test. Every other mutant keeps its result from the first pass.
const report = JSON.parse(readFileSync(REPORT, "utf8"));
const staticFiles = Object.entries(report.files)
  .filter(([file, { mutants }]) => (!files.length || files.includes(file)) && mutants.some((m) => /^Static mutant/.test(m.statusReason ?? "")))
  .map(([file]) => file);
if (staticFiles.length) stryker([], staticFiles, { MUTATION_STATIC_PASS: "1" });

printScores(REPORT, files);
const seconds = elapsed();
console.log(`\nrun time ${Math.floor(seconds / 60)} min ${seconds % 60} s`);

#!/usr/bin/env node
// `npm test`: everything that must hold. The static checks (generated/ up to date, the
// breaking-change gate, the type check of the sources, tests and examples, the size budget) run
// one after another beside the vitest tiers rather than before them: each check is a single
// process, and on a two-core machine a core would otherwise sit idle while they run. Their output
// is held and printed after the tiers', each under its command; the run fails if any of them or
// any tier fails. Arguments go to vitest (`npm test -- --project unit`).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const bin = (pkg, file) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

const CHECKS = [
  ["generated/ matches the spec", ["scripts/generate.mjs", "--check"]],
  ["breaking-change gate", ["scripts/spec-diff.mjs", "--gate"]],
  ["type check: sources and tests", [bin("typescript", "bin/tsc"), "-p", "tsconfig.json"]],
  ["type check: examples", [bin("typescript", "bin/tsc"), "-p", "examples"]],
  ["size budget", [bin("size-limit", "bin.js")]],
];

/** Runs node with `args` in the project; resolves to its exit code, output and time. */
function node(args, { inherit = false } = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    child.on("error", (err) => resolve({ code: 1, output: `${output}${err.message}\n`, ms: performance.now() - started }));
    child.on("close", (code, signal) => resolve({ code: code ?? 1, signal, output, ms: performance.now() - started }));
  });
}

async function checks() {
  const results = [];
  for (const [name, args] of CHECKS) results.push({ name, args, ...(await node(args)) });
  return results;
}

const pending = checks();
const tiers = await node([bin("vitest", "vitest.mjs"), "run", ...process.argv.slice(2)], { inherit: true });
const results = await pending;

console.log("\nStatic checks (run beside the tiers):");
for (const r of results) {
  const ok = r.code === 0;
  console.log(`\n${ok ? "✓" : "✗"} ${r.name} (${(r.ms / 1000).toFixed(1)} s): node ${r.args.map((a) => a.replace(`${ROOT}`, "")).join(" ")}`);
  const text = r.output.trim();
  if (text) console.log(text.replace(/^/gm, "    "));
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
if (tiers.code !== 0) failed.push("test tiers (vitest)");
if (failed.length) {
  console.error(`\nnpm test failed: ${failed.join("; ")}`);
  process.exit(1);
}
console.log("\nnpm test passed: every static check and every tier.");

// Whether generated/ says what openapi/ says now. spec-diff compares generated/openapi.json (and
// compiles the base's type tests against generated/*.ts), so a stale generated/ would have it
// report, and the gate judge, a spec nobody wrote. The project's own generator decides, with the
// same `--check` that `npm test` runs, so "stale" means one thing everywhere.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { stable } from "./model.mjs";
import { BUNDLE, SOURCE, bundleSource } from "./specs.mjs";

export const GENERATOR = "scripts/generate.mjs";
const FIX = "run `npm run generate` (and commit generated/), then compare again";

/** Thrown when generated/ does not match openapi/: comparing it would compare stale output. */
export class StaleError extends Error {}

/**
 * Resolves when `repo`'s generated/ matches its openapi/, or when there is nothing to match
 * (no openapi/ spec, or no generated/openapi.json, which spec-diff then bundles from the source
 * itself); throws a StaleError naming the fix otherwise. A repository with the generator is
 * checked by it (`--check`, every generated file); one without, by bundling the source and
 * comparing the result with generated/openapi.json.
 */
export async function assertFresh(repo) {
  if (!existsSync(join(repo, SOURCE)) || !existsSync(join(repo, BUNDLE))) return;
  if (existsSync(join(repo, GENERATOR))) {
    const { code, output } = await runNode(repo, [GENERATOR, "--check", "--quiet"]);
    if (code === 0) return;
    throw new StaleError(`generated/ does not match ${SOURCE} (${GENERATOR} --check failed); ${FIX}.\n${output.trim()}`);
  }
  const [bundled, written] = await Promise.all([bundleSource(repo), readFile(join(repo, BUNDLE), "utf8")]);
  if (stable(bundled) !== stable(JSON.parse(written))) throw new StaleError(`${BUNDLE} is not the bundle of ${SOURCE}; ${FIX}.`);
}

function runNode(cwd, args) {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

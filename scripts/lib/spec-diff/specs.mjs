// Loads the two specs being compared: the bundled spec at a git ref, and today's.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compose } from "../compose.mjs";
import { nameOperations } from "../operations.mjs";
import { projectPaths } from "../paths.mjs";
import { redocly } from "../redocly.mjs";
import { listFiles, showFile } from "./git.mjs";

export const BUNDLE = "generated/openapi.json";
export const SOURCE = "openapi/propexo.yaml";

/** An empty spec: what there was before the first spec, so that everything in today's is "added". */
const EMPTY = { openapi: "3.1.0", info: { title: "none", version: "0" }, paths: {} };

/**
 * The bundled spec at `ref`: its generated/openapi.json, or, for commits from before the pipeline
 * wrote one, its openapi/ folder bundled now. Resolves to { doc, source }.
 */
export async function specAtRef(repo, ref) {
  const bundled = await showFile(repo, ref, BUNDLE);
  if (bundled) return { doc: JSON.parse(bundled.toString("utf8")), source: `${BUNDLE} at ${ref}` };
  const files = await listFiles(repo, ref, dirname(SOURCE));
  if (!files.length) return { doc: EMPTY, source: `no spec at ${ref}` };
  const scratch = await mkdtemp(join(tmpdir(), "propexo-spec-diff-"));
  try {
    // Only the openapi/ folder is needed: bundling resolves $refs and ignores lint rules.
    for (const file of files) {
      const out = join(scratch, file);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, await showFile(repo, ref, file));
    }
    if (!existsSync(join(scratch, SOURCE))) return { doc: EMPTY, source: `no ${SOURCE} at ${ref}` };
    return { doc: await bundleSource(scratch), source: `${SOURCE} at ${ref}, bundled` };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Today's spec: generated/openapi.json in the working tree, else openapi/propexo.yaml bundled. */
export async function currentSpec(repo) {
  const bundled = join(repo, BUNDLE);
  if (existsSync(bundled)) return { doc: JSON.parse(await readFile(bundled, "utf8")), source: BUNDLE };
  if (existsSync(join(repo, SOURCE))) return { doc: await bundleSource(repo), source: `${SOURCE}, bundled` };
  throw new Error(`neither ${BUNDLE} nor ${SOURCE} exists in ${repo}`);
}

/**
 * The spec of the project at `root` as the generator bundles it: where openapi/ holds an overlay
 * (Propexo's document curated by it, plus openapi/propexo.yaml), composed first, then bundled and
 * its operations named; else openapi/propexo.yaml bundled.
 */
export async function bundleSource(root) {
  const paths = projectPaths(root);
  if (!existsSync(paths.overlay) || !existsSync(paths.upstream)) return bundleFile(root, SOURCE);
  const scratch = await mkdtemp(join(tmpdir(), "propexo-spec-diff-composed-"));
  try {
    const file = join(scratch, "composed.json");
    await writeFile(file, JSON.stringify(await compose(paths)));
    return nameOperations(await bundleFile(scratch, file));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Bundles `file` (relative to `cwd`) with Redocly into one JSON document. */
export async function bundleFile(cwd, file) {
  const scratch = await mkdtemp(join(tmpdir(), "propexo-spec-diff-out-"));
  try {
    const out = join(scratch, "openapi.json");
    const res = await redocly(["bundle", file, "--ext", "json", "--output", out], { cwd });
    if (res.code !== 0) throw new Error(`redocly bundle ${file} failed:\n${res.stdout}${res.stderr}`);
    return JSON.parse(await readFile(out, "utf8"));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// Access to this checkout's spec and pipeline for tests, and scratch copies of the project that
// the real pipeline can be run on without touching the checkout.
import { readFileSync } from "node:fs";
import { cp, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compose, parseUpstream } from "../../scripts/lib/compose.mjs";
import { projectPaths } from "../../scripts/lib/paths.mjs";
import { run } from "./run.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const GENERATE = join(ROOT, "scripts", "generate.mjs");

/**
 * The spec as the pipeline composes it, before bundling: Propexo's document through
 * openapi/propexo.overlay.yaml, merged with openapi/propexo.yaml (refs unresolved).
 */
export async function loadSpec(root = ROOT): Promise<any> {
  return compose(projectPaths(root));
}

/** The bundled spec the pipeline wrote to generated/openapi.json. */
export async function loadBundled(): Promise<any> {
  return JSON.parse(await readFile(join(ROOT, "generated", "openapi.json"), "utf8"));
}

/** Propexo's published document, as vendored under openapi/upstream/ (what the overlay curates). */
export async function loadOfficial(root = ROOT): Promise<any> {
  return parseUpstream(await readFile(projectPaths(root).upstream, "utf8"));
}

/** Copies what the pipeline reads and writes into a fresh folder; remove it with `dispose`. */
export async function scratchProject(): Promise<{ root: string; dispose: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "propexo-scratch-"));
  for (const entry of ["openapi", "generated", "redocly.yaml", ".redocly.lint-ignore.yaml", "scripts/lint"]) {
    await cp(join(ROOT, entry), join(root, entry), { recursive: true });
  }
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Runs `node scripts/generate.mjs --root <root> ...args`; resolves to its exit code and output.
 * `cache: false` makes it compose without the cache of the part taken from Propexo's document.
 */
export async function runGenerate(root: string, args: string[] = [], { cache = true } = {}): Promise<{ code: number | null; output: string }> {
  const env = cache ? process.env : { ...process.env, PROPEXO_COMPOSE_CACHE: "off" };
  const r = await run(process.execPath, [GENERATE, "--root", root, ...args], { env });
  return { code: r.code, output: r.stdout + r.stderr };
}

/** Every file under `dir` with its bytes, for before/after comparisons. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), "utf8");
  return out;
}

/** What the package promises (method, path, operationId, supported): test/spec/promised-operations.json. */
export function promisedOperations(): { method: string; path: string; operationId: string; supported: boolean }[] {
  return JSON.parse(readFileSync(join(ROOT, "test", "spec", "promised-operations.json"), "utf8")).operations;
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "patch"] as const;

/** Every operation of an OpenAPI document as { method, path, op }. */
export function operationsOf(doc: any): { method: string; path: string; op: any }[] {
  const out: { method: string; path: string; op: any }[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of HTTP_METHODS) if (item[method]) out.push({ method: method.toUpperCase(), path, op: item[method] });
  }
  return out;
}

/** Follows local `#/...` refs until a non-ref node. */
export function deref(doc: any, node: any): any {
  while (node && typeof node.$ref === "string") {
    node = node.$ref
      .replace(/^#\//, "")
      .split("/")
      .map((p: string) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((acc: any, key: string) => acc?.[key], doc);
  }
  return node;
}

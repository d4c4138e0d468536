// Composes the spec the pipeline lints, bundles and generates from, out of two sources:
//
//   openapi/upstream/propexo-published.yml   Propexo's published document, vendored unchanged
//   openapi/propexo.overlay.yaml             an OpenAPI Overlay 1.0 document: which of its
//                                            operations we take and how we curate them
//   openapi/propexo.yaml                     the hand-curated part: what Propexo's document lacks
//                                            (the per-PMS endpoints, the webhook), the document's
//                                            info, servers and tags, and the shared responses
//
// Steps: the overlay is applied to Propexo's document by openapi-format (a maintained Overlay
// implementation; README, Dependencies); every action must match something, or composing stops
// naming each action that did not. openapi-format's filter then keeps only the operations the
// overlay marked with `x-propexo-upstream` and the components they use. Nodes the overlay named
// with `x-propexo-name` become components of that name, so upstream's generated names (`Enum1`,
// `_v1_events__get_output`) never reach our types. The result is merged with the hand-curated
// part, where a name defined by both is an error.
//
// Applying the overlay to the 1.8 MB document and filtering it takes seconds, so the part taken
// from Propexo's document is cached under node_modules/.cache, keyed by everything it depends on:
// the document, the overlay, this file and the versions of openapi-format, jsonpathly and js-yaml.
// Only a success is cached; a failure is found again on every run.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import jsYaml from "js-yaml";
import openapiFormat from "openapi-format";
import { ROOT } from "./paths.mjs";

/** Marks an operation of Propexo's document that the overlay takes into ours. */
export const TAKE = "x-propexo-upstream";
/** Names a schema or parameter of Propexo's document: it becomes `#/components/<kind>/<name>`. */
export const NAME = "x-propexo-name";

const COMPONENT_KINDS = ["schemas", "responses", "parameters", "examples", "requestBodies", "headers"];
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** Composing failed; `problems` lists each reason on its own. */
export class ComposeError extends Error {
  constructor(summary, problems) {
    super(`${summary}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

/**
 * Parses Propexo's document. js-yaml reads its 1.8 MB several times faster than the `yaml`
 * package; the core schema is YAML 1.2's, so plain scalars such as 2024-01-01 stay strings.
 */
export function parseUpstream(text) {
  return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
}

/**
 * Applies the overlay to a parsed document. Resolves to { doc, unused, messages }: `unused` holds
 * every action that matched nothing, as { index, target, description }; `messages` what
 * openapi-format reported while applying (it reports invalid actions and JSONPath errors on
 * stderr and skips them, which leaves them unused here).
 */
export async function applyOverlay(doc, overlay) {
  if (!/^1\.0\.\d+$/.test(String(overlay?.overlay ?? ""))) {
    throw new ComposeError("the overlay is not an Overlay 1.0 document", [`its "overlay" field is ${JSON.stringify(overlay?.overlay)}, expected 1.0.x`]);
  }
  if (!Array.isArray(overlay.actions) || overlay.actions.length === 0) throw new ComposeError("the overlay has no actions", ["add an `actions` list"]);
  const messages = [];
  const error = console.error;
  console.error = (...args) => messages.push(args.join(" "));
  let result;
  try {
    result = await openapiFormat.openapiOverlay(doc, { overlaySet: overlay });
  } finally {
    console.error = error;
  }
  const unused = new Set(result.resultData.unusedActions);
  const listed = overlay.actions
    .map((action, i) => ({ action, index: i + 1 }))
    .filter(({ action }) => unused.has(action))
    .map(({ action, index }) => ({ index, target: action?.target, description: action?.description }));
  return { doc: result.data, unused: listed, messages };
}

/** One line naming an overlay action, for reports. */
export function describeAction({ index, target, description }) {
  return `action #${index} ${target}${description ? ` (${description})` : ""}`;
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const escapePointer = (name) => name.replace(/~/g, "~0").replace(/\//g, "~1");
const refTo = (kind, name) => `#/components/${kind}/${escapePointer(name)}`;

function same(a, b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
}

/**
 * Gives every node carrying `x-propexo-name` its name: a component is renamed, an inline schema or
 * parameter moves into `components` under the name (the same name twice must mean the same
 * node), and every `$ref` follows. Mutates `doc`; returns the set of `kind/name` it named.
 */
export function applyNames(doc) {
  const problems = [];
  const renames = new Map(); // old ref → new ref
  const named = new Map(); // kind/name → { node, where }
  const claim = (kind, name, node, where) => {
    if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problems.push(`${where}: ${NAME} ${JSON.stringify(name)} must be a plain identifier (letters, digits, _)`);
      return false;
    }
    const key = `${kind}/${name}`;
    const earlier = named.get(key);
    if (earlier && !same(earlier.node, node)) {
      problems.push(`${where} and ${earlier.where} are both named ${name} but differ; give them different names or make them agree`);
      return false;
    }
    if (!earlier) named.set(key, { node, where });
    return true;
  };

  // Components first: a renamed component keeps its place among the components.
  for (const kind of COMPONENT_KINDS) {
    const group = doc.components?.[kind];
    if (!isObject(group)) continue;
    for (const [old, node] of Object.entries(group)) {
      if (!isObject(node) || node[NAME] === undefined) continue;
      const name = node[NAME];
      delete node[NAME];
      if (claim(kind, name, node, `components.${kind}.${old}`)) renames.set(refTo(kind, old), refTo(kind, name));
    }
  }

  // Inline nodes, innermost first, so that a named node holding another holds its $ref.
  const hoisted = { schemas: {}, parameters: {} };
  const visit = (node, where, inParameters) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        const replaced = visit(item, `${where}[${i}]`, inParameters);
        if (replaced) node[i] = replaced;
      });
      return undefined;
    }
    if (!isObject(node)) return undefined;
    for (const [k, v] of Object.entries(node)) {
      const replaced = visit(v, `${where}.${k}`, k === "parameters" && Array.isArray(v));
      if (replaced) node[k] = replaced;
    }
    if (node[NAME] === undefined) return undefined;
    const kind = inParameters ? "parameters" : "schemas";
    const name = node[NAME];
    delete node[NAME];
    if (!claim(kind, name, node, where)) return undefined;
    hoisted[kind][name] = node;
    return { $ref: refTo(kind, name) };
  };
  visit(doc.paths, "paths", false);
  for (const kind of COMPONENT_KINDS) {
    for (const [name, node] of Object.entries(doc.components?.[kind] ?? {})) visit(node, `components.${kind}.${name}`, false);
  }
  if (problems.length) throw new ComposeError(`${NAME} cannot be applied`, problems);

  // Rebuild each component group with the new names, then add what was hoisted.
  doc.components ??= {};
  for (const kind of COMPONENT_KINDS) {
    const group = doc.components[kind];
    const out = {};
    const byName = new Set(); // names given by x-propexo-name, each checked to mean one node
    for (const [old, node] of Object.entries(isObject(group) ? group : {})) {
      const to = renames.get(refTo(kind, old));
      const name = to ? to.slice(`#/components/${kind}/`.length).replace(/~1/g, "/").replace(/~0/g, "~") : old;
      if (Object.hasOwn(out, name)) {
        // Several components given one name are one component (claim() checked they agree).
        if (to && byName.has(name)) continue;
        problems.push(`components.${kind}.${old} is ${to ? "renamed" : "named"} ${name}, which another component of Propexo's document already has`);
        continue;
      }
      if (to) byName.add(name);
      out[name] = node;
    }
    for (const [name, node] of Object.entries(hoisted[kind] ?? {})) {
      if (Object.hasOwn(out, name)) {
        if (!same(out[name], node)) problems.push(`the inline node named ${name} differs from components.${kind}.${name}`);
        continue;
      }
      out[name] = node;
    }
    if (Object.keys(out).length) doc.components[kind] = out;
  }
  if (problems.length) throw new ComposeError(`${NAME} cannot be applied`, problems);
  rewriteRefs(doc, renames);
  return new Set(named.keys());
}

function rewriteRefs(node, renames) {
  if (Array.isArray(node)) return node.forEach((n) => rewriteRefs(n, renames));
  if (!isObject(node)) return;
  if (typeof node.$ref === "string" && renames.has(node.$ref)) node.$ref = renames.get(node.$ref);
  for (const v of Object.values(node)) rewriteRefs(v, renames);
}

/**
 * Merges the operations and components taken from Propexo's document into the hand-curated part.
 * Everything else of the result (info, servers, security, tags, webhooks) is the curated part's.
 * A name that both define is an error: each operation and component has one source.
 */
export function merge(curated, taken) {
  const out = structuredClone(curated);
  const problems = [];
  const takenPaths = {};
  for (const [path, item] of Object.entries(taken.paths ?? {})) {
    const ours = out.paths?.[path];
    for (const method of METHODS) {
      if (item[method] && ours?.[method]) problems.push(`${method.toUpperCase()} ${path} is both in openapi/propexo.yaml and taken from Propexo's document`);
    }
    takenPaths[path] = ours ? { ...item, ...ours } : item;
  }
  // Operations taken from Propexo's document come first, in its order; then ours.
  const rest = Object.fromEntries(Object.entries(out.paths ?? {}).filter(([p]) => !Object.hasOwn(takenPaths, p)));
  out.paths = { ...takenPaths, ...rest };
  out.components ??= {};
  for (const kind of COMPONENT_KINDS) {
    const theirs = taken.components?.[kind] ?? {};
    for (const [name, node] of Object.entries(theirs)) {
      if (Object.hasOwn(out.components[kind] ?? {}, name)) {
        problems.push(`components.${kind}.${name} is both in openapi/propexo.yaml and taken from Propexo's document; keep one`);
        continue;
      }
      (out.components[kind] ??= {})[name] = node;
    }
  }
  // The security schemes are ours; Propexo's must mean the same thing under the same names.
  for (const [name, scheme] of Object.entries(taken.components?.securitySchemes ?? {})) {
    const mine = out.components.securitySchemes?.[name];
    const { description: _a, ...theirs } = scheme;
    const { description: _b, ...ours } = mine ?? {};
    if (!mine || !same(ours, theirs)) problems.push(`Propexo's security scheme ${name} (${JSON.stringify(theirs)}) is not the one openapi/propexo.yaml declares`);
  }
  if (problems.length) throw new ComposeError("the two sources overlap", problems);
  return out;
}

// Empty objects (`properties: {}`, `additionalProperties: {}`) carry meaning; keep them.
const KEEP_EMPTY = { preserveEmptyObjects: true };

/** Parses one of our own YAML files (the overlay, the hand-curated spec). */
export function parseOwn(text) {
  return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
}

const CACHE_DIR = join(ROOT, "node_modules", ".cache", "propexo-appointments");
const cacheKey = (upstreamText, overlayText) => {
  const hash = createHash("sha256");
  const version = (pkg) => JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
  for (const part of [upstreamText, overlayText, readFileSync(fileURLToPath(import.meta.url), "utf8"), version("openapi-format"), version("jsonpathly"), version("js-yaml")]) {
    hash.update(part).update("\0");
  }
  return hash.digest("hex");
};

/** Keeps the cache to its newest entries: each edit of the overlay or the document makes one. */
async function pruneCache(keep = 16) {
  const entries = await readdir(CACHE_DIR).catch(() => []);
  const dated = await Promise.all(
    entries.filter((f) => /^compose-[0-9a-f]{64}\.json$/.test(f)).map(async (f) => ({ f, t: (await stat(join(CACHE_DIR, f)).catch(() => ({ mtimeMs: 0 }))).mtimeMs })),
  );
  for (const { f } of dated.sort((a, b) => b.t - a.t).slice(keep)) await rm(join(CACHE_DIR, f), { force: true });
}

/**
 * The operations and components taken from Propexo's document: the overlay applied, then
 * everything not marked `x-propexo-upstream` filtered out with the components nothing uses.
 * Throws a ComposeError listing every action that matched nothing. Set PROPEXO_COMPOSE_CACHE=off
 * to bypass the cache.
 */
export async function takeFromUpstream(upstreamText, overlayText) {
  const useCache = process.env.PROPEXO_COMPOSE_CACHE !== "off";
  const file = join(CACHE_DIR, `compose-${cacheKey(upstreamText, overlayText)}.json`);
  if (useCache) {
    const hit = await readFile(file, "utf8").catch(() => undefined);
    if (hit !== undefined) return JSON.parse(hit);
  }
  const upstream = parseUpstream(upstreamText);
  if (!isObject(upstream) || !isObject(upstream.paths)) throw new ComposeError("Propexo's document cannot be read", ["it has no paths: is it an OpenAPI document?"]);
  const applied = await applyOverlay(upstream, parseOwn(overlayText));
  if (applied.unused.length) {
    const n = applied.unused.length;
    throw new ComposeError(`${n} overlay action${n > 1 ? "s" : ""} of openapi/propexo.overlay.yaml no longer match${n > 1 ? "" : "es"} Propexo's document`, [
      ...applied.unused.map(describeAction),
      ...applied.messages.map((m) => `openapi-format: ${m}`),
    ]);
  }
  const filtered = await openapiFormat.openapiFilter(applied.doc, { filterSet: { ...KEEP_EMPTY, inverseFlags: [TAKE], unusedComponents: COMPONENT_KINDS } });
  const taken = { paths: filtered.data.paths ?? {}, components: filtered.data.components ?? {} };
  const operations = Object.values(taken.paths).flatMap((item) => METHODS.filter((m) => item[m]?.[TAKE]));
  if (operations.length === 0) throw new ComposeError("the overlay takes nothing", [`mark the operations to take with ${TAKE}: true`]);
  if (useCache) {
    await mkdir(CACHE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, JSON.stringify(taken));
    await rename(partial, file);
    await pruneCache();
  }
  return taken;
}

/**
 * The composed spec, as a plain object. `upstreamText` replaces the vendored document's text (for
 * `npm run spec:update`). Throws a ComposeError naming every problem; an overlay action that
 * matches nothing is always one.
 */
export async function compose(paths, { upstreamText } = {}) {
  const [upstreamSource, overlayText, curatedText] = await Promise.all([
    upstreamText ?? readFile(paths.upstream, "utf8"),
    readFile(paths.overlay, "utf8"),
    readFile(paths.spec, "utf8"),
  ]);
  const taken = await takeFromUpstream(upstreamSource, overlayText);
  const named = applyNames(taken);
  // Our types are named by us: a component of Propexo's that reaches the spec needs a name.
  const unnamed = COMPONENT_KINDS.flatMap((kind) =>
    Object.keys(taken.components[kind] ?? {})
      .filter((name) => !named.has(`${kind}/${name}`))
      .map((name) => `components.${kind}.${name} comes from Propexo's document unnamed: name it in the overlay with ${NAME}`),
  );
  if (unnamed.length) throw new ComposeError("the composed spec would expose Propexo's generated names", unnamed);
  return merge(parseOwn(curatedText), taken);
}

/**
 * Every description and summary in `doc`, whitespace folded, with where it is: what the overlay
 * must have put in our own words (spec:update lists any of Propexo's that reach the spec, and the
 * fidelity test requires none).
 */
export function descriptionTexts(doc) {
  const out = [];
  const visit = (node, where) => {
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      if ((k === "description" || k === "summary") && typeof v === "string") out.push({ where: `${where}/${k}`, text: v.replace(/\s+/g, " ").trim() });
      else visit(v, `${where}/${k}`);
    }
  };
  visit(doc, "#");
  return out;
}

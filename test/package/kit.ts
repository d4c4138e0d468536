// Packing the library the way `npm publish` would and installing the tarball into throwaway
// consumer projects, without a registry.
//
// Why not `npm install <tarball>`: even with --offline, npm must resolve openapi-fetch (the
// package's one dependency) and its own dependency openapi-typescript-helpers, which only works
// when they happen to be in npm's cache; a test must not depend on that, nor reach the registry.
// So a consumer's node_modules is built by hand: the tarball is extracted into
// node_modules/propexo-appointments, exactly the bytes a user would get, and the dependencies
// are symlinked from this checkout's node_modules at the versions package-lock.json pins. The
// projects live under the OS temp folder, outside this checkout, so module resolution cannot
// fall back to the repository's own node_modules or its sources by accident.
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT, deref, operationsOf } from "../helpers/project.js";
import { run, said } from "../helpers/run.js";

export { run, said, type RunResult } from "../helpers/run.js";

export const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
/** Type-checks (or compiles) a project with this checkout's TypeScript; `flags` override its tsconfig. */
export const tsc = (project: string, flags: string[] = []) => run(process.execPath, [TSC, "-p", project, ...flags], { cwd: project });

export interface Packed {
  tarball: string;
  /** npm's own account of the tarball (`npm pack --json`). */
  report: { filename: string; size: number; unpackedSize: number; files: { path: string; size: number }[] };
  ms: number;
}

/** `npm pack` into `destination`; its prepack script builds dist/ first, as publishing would. */
export async function pack(destination: string): Promise<Packed> {
  const r = await run("npm", ["pack", "--json", "--pack-destination", destination]);
  if (r.code !== 0) throw new Error(`npm pack failed\n${said(r)}`);
  // The prepack build prints to the same stdout ahead of npm's JSON.
  const start = r.stdout.search(/^\[\s*$/m);
  if (start < 0) throw new Error(`no JSON in npm pack's output\n${said(r)}`);
  const [report] = JSON.parse(r.stdout.slice(start)) as Packed["report"][];
  if (!report) throw new Error(`npm pack reported no package\n${said(r)}`);
  return { tarball: join(destination, report.filename), report, ms: r.ms };
}

/** Dependencies a consumer's node_modules gets from this checkout, by package name. */
const LINKED = ["openapi-fetch", "openapi-typescript-helpers", "undici", "redis", "@redis/client", "@redis/bloom", "@redis/json", "@redis/search", "@redis/time-series"];

/**
 * A fresh project folder holding `files` and a node_modules with the packed library installed.
 * `nodeTypes` adds @types/node, as a Node project would have; a browser project goes without.
 */
export async function consumerProject(
  tarball: string,
  name: string,
  files: Record<string, string>,
  { nodeTypes = false }: { nodeTypes?: boolean } = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `propexo-consumer-${name}-`));
  const installed = join(dir, "node_modules", "propexo-appointments");
  await mkdir(installed, { recursive: true });
  const untar = await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
  if (untar.code !== 0) throw new Error(`could not extract ${tarball}\n${said(untar)}`);
  const linked = nodeTypes ? [...LINKED, "@types/node"] : LINKED;
  for (const dep of linked) {
    const at = join(dir, "node_modules", dep);
    await mkdir(dirname(at), { recursive: true });
    await symlink(join(ROOT, "node_modules", dep), at, "dir");
  }
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/**
 * The body Prism answers a valid call of `operationId` with: the first example of its 200
 * response. Tests compare with this rather than with copied IDs, so a spec edit cannot leave
 * them asserting stale values.
 */
export function mockAnswer(spec: any, operationId: string): any {
  const found = operationsOf(spec).find((o) => o.op.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId} in the spec`);
  const media = deref(spec, found.op.responses["200"]).content["application/json"];
  const example = media.example ?? deref(spec, Object.values<any>(media.examples ?? {})[0])?.value;
  if (example === undefined) throw new Error(`${operationId} has no 200 example`);
  return example;
}

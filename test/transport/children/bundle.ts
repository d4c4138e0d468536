// Child processes of the transport tier run the client as plain JavaScript: each child script is
// bundled with esbuild (the client's sources included; undici and openapi-fetch resolved from
// this checkout's node_modules at run time) into node_modules/.cache, and removed afterwards.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "../../helpers/project.js";

/** Bundles `entry` (a path under test/transport/children) and returns the file to run with `node`. */
export async function bundleChild(entry: string): Promise<{ file: string; dispose: () => Promise<void> }> {
  const cache = join(ROOT, "node_modules", ".cache");
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, "propexo-child-"));
  const file = join(dir, "child.mjs");
  const dispose = () => rm(dir, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, "test", "transport", "children", entry)],
    outfile: file,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["undici", "openapi-fetch"],
    logLevel: "silent",
  }).catch(async (err: unknown) => {
    await dispose();
    throw err;
  });
  return { file, dispose };
}

// Bundles the TypeScript client so plain `node` can load it. src/ is TypeScript with .js import
// specifiers, so esbuild (not Node) resolves it; the output goes to bench/.build/ (gitignored).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BUILD = join(ROOT, "bench", ".build");
const ENTRY = join(ROOT, "src", "index.ts");

/**
 * Node bundles: `client.mjs` with openapi-fetch inlined, `client-ext.mjs` importing it like dist/,
 * `node.mjs`, the opt-in transport (propexo-appointments/node), importing undici, and `redis.mjs`,
 * the shared pacer (propexo-appointments/redis), importing redis.
 */
export async function buildNodeBundles() {
  const common = { entryPoints: [ENTRY], bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "error" };
  await build({ ...common, outfile: join(BUILD, "client.mjs") });
  await build({ ...common, outfile: join(BUILD, "client-ext.mjs"), external: ["openapi-fetch"] });
  await build({ ...common, entryPoints: [join(ROOT, "src", "node.ts")], outfile: join(BUILD, "node.mjs"), external: ["undici"] });
  await build({ ...common, entryPoints: [join(ROOT, "src", "redis.ts")], outfile: join(BUILD, "redis.mjs"), external: ["redis"] });
  return { client: join(BUILD, "client.mjs"), clientExt: join(BUILD, "client-ext.mjs"), transport: join(BUILD, "node.mjs"), shared: join(BUILD, "redis.mjs") };
}

/** A minified browser ESM bundle of `contents` (an entry module's source), in memory. */
export async function browserBundle(contents, resolveDir = ROOT) {
  const result = await build({
    stdin: { contents, resolveDir, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "error",
  });
  return { code: result.outputFiles[0].contents, metafile: result.metafile };
}

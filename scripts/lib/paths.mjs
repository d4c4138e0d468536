// Where the pipeline reads and writes. Every step takes a project root so that tests can run the
// real pipeline on a scratch copy of the project without touching this checkout.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** This checkout's root (where package.json and node_modules are). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REDOCLY_BIN = join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");

/**
 * The pipeline's inputs and output folder below `root`: the hand-curated spec (`spec`), Propexo's
 * vendored document (`upstream`), the overlay that curates it (`overlay`), the lint config and
 * generated/.
 */
export function projectPaths(root = ROOT) {
  return {
    root,
    spec: join(root, "openapi", "propexo.yaml"),
    upstream: join(root, "openapi", "upstream", "propexo-published.yml"),
    overlay: join(root, "openapi", "propexo.overlay.yaml"),
    config: join(root, "redocly.yaml"),
    generated: join(root, "generated"),
  };
}

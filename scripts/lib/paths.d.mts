// Types of paths.mjs for the TypeScript tests that import it.
import type { ProjectPaths } from "./compose.mjs";

export const ROOT: string;
export const REDOCLY_BIN: string;
export function projectPaths(root?: string): ProjectPaths;

// Types of compose.mjs for the TypeScript tests that import it.

/** The pipeline's inputs below a project root (scripts/lib/paths.mjs). */
export interface ProjectPaths {
  root: string;
  spec: string;
  upstream: string;
  overlay: string;
  config: string;
  generated: string;
}

/** Composing failed; `problems` lists each reason. */
export class ComposeError extends Error {
  problems: string[];
}

export const TAKE: "x-propexo-upstream";
export const NAME: "x-propexo-name";

/** Parses Propexo's document (YAML 1.2 core schema). */
export function parseUpstream(text: string): any;
/** The composed spec: Propexo's document through the overlay, merged with openapi/propexo.yaml. */
export function compose(paths: ProjectPaths, options?: { upstreamText?: string }): Promise<any>;

/** Every description and summary in `doc`, whitespace folded, with where it is. */
export function descriptionTexts(doc: unknown): { where: string; text: string }[];

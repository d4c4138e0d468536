// Types of patterns.mjs for the TypeScript tests that import it.

/** How the strings one pattern admits relate to another's; "unknown" when it cannot be proved. */
export type PatternRelation = "same" | "wider" | "narrower" | "other" | "unknown";

export function wholeStringSource(pattern: string): string;
export function comparePatterns(prev: string | undefined, next: string | undefined): PatternRelation;

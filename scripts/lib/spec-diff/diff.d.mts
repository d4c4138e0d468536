// Types of diff.mjs for the TypeScript tests that import it.
export type Direction = "request" | "response";

export interface Finding {
  /** The id of the rule that found it. */
  rule: string;
  breaking: boolean;
  change: "added" | "removed" | "changed";
  /** Where in an operation: `METHOD /path #/json/pointer/in/the/operation`, or a path or component pointer. */
  location: string;
  /** The component the change sits in, when it was reached through a $ref (one change, many locations). */
  origin?: string;
  message: string;
}

export interface FindingGroup extends Omit<Finding, "location"> {
  locations: string[];
}

export interface Rule {
  id: string;
  description: string;
  detect(oldDoc: unknown, newDoc: unknown, ctx: unknown): Iterable<Omit<Finding, "rule">>;
}

export const RULES: readonly Rule[];
export function diffSpecs(oldDoc: unknown, newDoc: unknown, rules?: readonly Rule[]): Finding[];
export function groupFindings(findings: readonly Finding[]): FindingGroup[];

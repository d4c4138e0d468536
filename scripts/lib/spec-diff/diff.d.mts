// Types of diff.mjs for the TypeScript tests that import it.
export type Direction = "request" | "response";
/**
 * "breaking": code written against the old spec can stop working; "behaviour": it still works
 * but means something else (an optional request value's default changed); "non-breaking": the rest.
 */
export type Severity = "breaking" | "behaviour" | "non-breaking";

export interface Finding {
  /** The id of the rule that found it. */
  rule: string;
  severity: Severity;
  /** Whether `severity` is "breaking". */
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
  /** Findings without rule and severity; `behaviour: true` marks a non-breaking one as a behaviour change. */
  detect(oldDoc: unknown, newDoc: unknown, ctx: unknown): Iterable<Omit<Finding, "rule" | "severity"> & { behaviour?: boolean }>;
}

export const SEVERITIES: readonly Severity[];

export const RULES: readonly Rule[];
export function diffSpecs(oldDoc: unknown, newDoc: unknown, rules?: readonly Rule[]): Finding[];
export function groupFindings(findings: readonly Finding[]): FindingGroup[];

// The number rules of the client's, each call's and wait()'s options, in one table, so that the
// constructor, a method call and wait() refuse a bad value the same way. A NaN or Infinity would
// otherwise reach a timer (which fires at once for both) or a retry loop (which never ends).
import { issue, type ValidationIssue } from "./errors.js";

/** A rule: what a value must satisfy, and how the error says so. */
type Rule = readonly [test: (n: number) => boolean, message: string];

/** The rules, by kind of option. */
export const rules = {
  ms: [(n) => n > 0 && n < Infinity, "must be a positive, finite number of milliseconds"],
  delay: [(n) => n >= 0 && n < Infinity, "must be a finite number of milliseconds ≥ 0"],
  count: [(n) => Number.isSafeInteger(n) && n >= 0, "must be a whole number ≥ 0"],
  bytes: [(n) => Number.isSafeInteger(n) && n >= 1, "must be a whole number of bytes ≥ 1"],
  factor: [(n) => n >= 1 && n < Infinity, "must be a finite number ≥ 1"],
} as const satisfies Record<string, Rule>;

/** The issues of `values` (undefined means "use the default") under the rule named for each key. */
export function numberIssues(prefix: string, values: Record<string, unknown>, kinds: Record<string, keyof typeof rules>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [key, kind] of Object.entries(kinds)) {
    const value = values[key];
    const [test, message] = rules[kind];
    if (value !== undefined && !(typeof value === "number" && test(value))) {
      issues.push(issue(`${prefix}${key}`, typeof value === "number" ? "range" : "type", message, value));
    }
  }
  return issues;
}

/** Whether `value` can be used as an AbortSignal (checked by shape: signals of another realm work too). */
export function isSignal(value: unknown): value is AbortSignal {
  return typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean" && typeof (value as AbortSignal).addEventListener === "function";
}

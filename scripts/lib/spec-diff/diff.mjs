// Runs the rule table over two bundled specs.
import { buildContext } from "./model.mjs";
import { RULES } from "./rules.mjs";

/** The three kinds of change, most serious first. */
export const SEVERITIES = ["breaking", "behaviour", "non-breaking"];

/**
 * Every change between `oldDoc` and `newDoc`, as { rule, severity, breaking, change, location,
 * origin?, message }: breaking first, then behaviour changes, then the rest; within each in
 * rule-table order, then by location.
 */
export function diffSpecs(oldDoc, newDoc, rules = RULES) {
  const ctx = buildContext(oldDoc, newDoc);
  const seen = new Set();
  const findings = [];
  for (const rule of rules) {
    for (const { behaviour, ...f } of rule.detect(oldDoc, newDoc, ctx)) {
      const key = `${rule.id}\0${f.location}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const severity = f.breaking ? "breaking" : behaviour ? "behaviour" : "non-breaking";
      findings.push({ rule: rule.id, severity, ...f });
    }
  }
  const order = new Map(rules.map((r, i) => [r.id, i]));
  const rank = (f) => SEVERITIES.indexOf(f.severity);
  return findings.sort((a, b) => rank(a) - rank(b) || order.get(a.rule) - order.get(b.rule) || a.location.localeCompare(b.location));
}

/**
 * Findings that are one change seen from several places (a shared component used by many
 * operations) folded into one group: { rule, severity, breaking, change, message, origin?, locations }.
 */
export function groupFindings(findings) {
  const groups = new Map();
  for (const f of findings) {
    // Without an origin, identical findings (the same new alternative on every operation) still
    // read better as one line with several locations.
    const key = [f.rule, f.severity, f.message, f.origin ?? ""].join("\0");
    const group = groups.get(key) ?? { rule: f.rule, severity: f.severity, breaking: f.breaking, change: f.change, message: f.message, origin: f.origin, locations: [] };
    group.locations.push(f.location);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export { RULES };

// Runs the rule table over two bundled specs.
import { buildContext } from "./model.mjs";
import { RULES } from "./rules.mjs";

/**
 * Every change between `oldDoc` and `newDoc`, as { rule, breaking, change, location, origin?,
 * message }: breaking first, then in rule-table order, then by location.
 */
export function diffSpecs(oldDoc, newDoc, rules = RULES) {
  const ctx = buildContext(oldDoc, newDoc);
  const seen = new Set();
  const findings = [];
  for (const rule of rules) {
    for (const f of rule.detect(oldDoc, newDoc, ctx)) {
      const key = `${rule.id}\0${f.location}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ rule: rule.id, ...f });
    }
  }
  const order = new Map(rules.map((r, i) => [r.id, i]));
  return findings.sort(
    (a, b) => Number(b.breaking) - Number(a.breaking) || order.get(a.rule) - order.get(b.rule) || a.location.localeCompare(b.location),
  );
}

/**
 * Findings that are one change seen from several places (a shared component used by many
 * operations) folded into one group: { rule, breaking, change, message, origin?, locations }.
 */
export function groupFindings(findings) {
  const groups = new Map();
  for (const f of findings) {
    // Without an origin, identical findings (the same new alternative on every operation) still
    // read better as one line with several locations.
    const key = [f.rule, f.breaking, f.message, f.origin ?? ""].join("\0");
    const group = groups.get(key) ?? { rule: f.rule, breaking: f.breaking, change: f.change, message: f.message, origin: f.origin, locations: [] };
    group.locations.push(f.location);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export { RULES };

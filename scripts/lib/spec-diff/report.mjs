// Turns findings into what people read: the terminal list and the CHANGELOG.md entry.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { groupFindings } from "./diff.mjs";

const MAX_LOCATIONS = 6;

/** The readable report: Breaking, Behaviour changes, Non-breaking, then the type tests' verdict. */
export function formatText({ header, findings, types }) {
  const lines = header ? [header, ""] : [];
  const groups = groupFindings(findings);
  const section = (title, mark, list) => {
    if (!list.length) return;
    lines.push(`${title} (${list.length})`);
    for (const g of list) {
      lines.push(`  ${mark} ${g.rule}: ${g.message}`);
      if (g.locations.length > 1 && g.origin) lines.push(`      at ${g.origin}, reached from ${g.locations.length} places:`);
      for (const loc of g.locations.slice(0, MAX_LOCATIONS)) lines.push(`      ${loc}`);
      if (g.locations.length > MAX_LOCATIONS) lines.push(`      … and ${g.locations.length - MAX_LOCATIONS} more (--json lists every one)`);
    }
    lines.push("");
  };
  if (!groups.length) lines.push("No changes to the API description.", "");
  section("Breaking", "✗", groups.filter((g) => g.severity === "breaking"));
  section("Behaviour changes", "!", groups.filter((g) => g.severity === "behaviour"));
  section("Non-breaking", "•", groups.filter((g) => g.severity === "non-breaking"));
  if (types) {
    lines.push(`Type tests: ${types.message}`);
    for (const e of types.errors) lines.push(`  ${e.breaking ? "✗" : "•"} ${e.file}:${e.line}:${e.column} ${e.code} ${e.message.split("\n")[0]}${e.breaking ? "" : " (a loosening: not breaking)"}`);
    lines.push("");
  }
  return lines.join("\n");
}

const bullet = (g) => {
  const more = g.locations.length > 1 ? ` (and ${g.locations.length - 1} more)` : "";
  const where = g.origin && g.locations.length > 1 ? `\`${g.origin}\` (${g.locations.length} places)` : `\`${g.locations[0]}\`${more}`;
  return `- ${where}: ${g.message}`;
};

/**
 * A CHANGELOG.md section: Breaking, Behaviour changes, Added and Changed, with documentation-only
 * edits counted.
 */
export function changelogEntry({ version, date, base, findings, types }) {
  const groups = groupFindings(findings);
  const docs = groups.filter((g) => g.rule === "description-changed");
  const rest = groups.filter((g) => g.rule !== "description-changed");
  const breaking = [
    ...rest.filter((g) => g.breaking).map(bullet),
    ...(types?.errors ?? []).filter((e) => e.breaking).map((e) => `- Type tests of ${base} no longer compile: \`${e.file}:${e.line}\` ${e.code} ${e.message.split("\n")[0]}`),
  ];
  const behaviour = rest.filter((g) => g.severity === "behaviour").map(bullet);
  const safe = rest.filter((g) => g.severity === "non-breaking");
  const added = safe.filter((g) => g.change === "added").map(bullet);
  const changed = safe.filter((g) => g.change !== "added").map(bullet);
  if (docs.length) changed.push(`- Documentation updated in ${docs.reduce((n, g) => n + g.locations.length, 0)} places.`);
  const lines = [`## ${version} — ${date}`, "", `${MARKER} --base ${base} -->`, ""];
  const sections = [["Breaking", breaking], ["Behaviour changes", behaviour], ["Added", added], ["Changed", changed]];
  for (const [title, list] of sections) {
    if (list.length) lines.push(`### ${title}`, "", ...list, "");
  }
  if (sections.every(([, list]) => !list.length)) lines.push("No changes to the API.", "");
  return lines.join("\n");
}

// Marks entries this script wrote, which it may replace; an entry without it was written by hand.
const MARKER = "<!-- written by scripts/spec-diff.mjs";
const HEADER = "# Changelog\n\n";

/**
 * Puts `entry` at the top of the changelog, or in place of an earlier generated entry for the same
 * version. Refuses to overwrite a hand-written entry for that version.
 */
export async function writeChangelog(file, entry, version) {
  const text = existsSync(file) ? await readFile(file, "utf8") : HEADER;
  const first = text.search(/^## /m);
  const head = first === -1 ? text : text.slice(0, first);
  const sections = first === -1 ? [] : text.slice(first).split(/^(?=## )/m);
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const same = sections.findIndex((s) => new RegExp(`^## \\[?${escaped}\\]?(\\s|$)`).test(s));
  if (same !== -1 && !sections[same].includes(MARKER)) {
    throw new Error(`${file} already has a hand-written entry for ${version}; bump the version in package.json or edit that entry by hand`);
  }
  const body = `${entry.trimEnd()}\n\n`;
  if (same !== -1) sections[same] = body;
  else sections.unshift(body);
  await writeFile(file, `${head.trimEnd()}\n\n${sections.join("").trimEnd()}\n`);
}

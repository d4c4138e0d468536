// 3. Size: what a browser app pays to ship the client. Each entry is bundled by esbuild for the
// browser (ESM, minified, everything inlined, tree-shaken), then gzipped at level 9. The entries
// import everything (`export *`), as an app that uses the whole client would.
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { version as esbuildVersion } from "esbuild";
import { browserBundle, ROOT } from "./lib/build.mjs";
import { runNode } from "./lib/child.mjs";
import { kb } from "./lib/stats.mjs";

const LIMIT = 8000; // "8 kB" as size-limit reads it (bytes-iec: kB = 1000 B)

const ENTRIES = {
  "propexo-appointments (src/index.ts, with openapi-fetch)": `export * from "./src/index.ts";`,
  "openapi-fetch alone": `export * from "openapi-fetch"; export { default } from "openapi-fetch";`,
  axios: `export { default } from "axios";`,
};

export async function run({ log = console.log } = {}) {
  const rows = [];
  let breakdown = [];
  for (const [name, contents] of Object.entries(ENTRIES)) {
    const { code, metafile } = await browserBundle(contents);
    rows.push({ name, min: code.length, gz: gzipSync(code, { level: 9 }).length });
    if (name.startsWith("propexo")) {
      // Minified bytes contributed by each source file, to show where the bytes go.
      const inputs = Object.values(metafile.outputs)[0].inputs;
      breakdown = Object.entries(inputs)
        .map(([file, { bytesInOutput }]) => ({ file: file.replace(/^node_modules\//, ""), bytes: bytesInOutput }))
        .sort((a, b) => b.bytes - a.bytes);
    }
  }
  log("  size: bundles done");
  const sizeLimit = await runSizeLimit();
  return report(rows, breakdown, sizeLimit);
}

/** Every entry of this repo's .size-limit.js (it bundles the sources itself; no build needed), with its budget. */
async function runSizeLimit() {
  const res = await runNode([join(ROOT, "node_modules", "size-limit", "bin.js"), "--json"], { cwd: ROOT });
  try {
    const checks = JSON.parse(res.stdout);
    return { checks: checks.map((c) => ({ name: c.name, size: c.size, limit: c.sizeLimit, passed: c.passed })) };
  } catch {
    return { note: `size-limit failed: ${(res.stderr || res.stdout).trim().split("\n").slice(0, 3).join(" ")}` };
  }
}

function report(rows, breakdown, sizeLimit) {
  let md = `esbuild ${esbuildVersion} → browser ESM, minified, all dependencies inlined; gzip level 9. Limit: 8 kB = 8000 B (size-limit's reading of "8 kB").\n\n`;
  md += `| bundle | minified | gzip -9 |\n|---|---:|---:|\n`;
  for (const r of rows) md += `| ${r.name} | ${kb(r.min)} | ${kb(r.gz)} |\n`;
  const ours = rows[0];
  md += `\nWhere the client's minified bytes come from (before gzip; ${kb(ours.min)} in all):\n\n| source file | minified bytes | share |\n|---|---:|---:|\n`;
  for (const b of breakdown.slice(0, 12)) md += `| ${b.file} | ${b.bytes} | ${((100 * b.bytes) / ours.min).toFixed(0)}% |\n`;
  if (sizeLimit.note) md += `\nsize-limit: ${sizeLimit.note}.\n`;
  else {
    md += `\nThe budget \`npm test\` enforces (\`.size-limit.js\`, size-limit's gzip): a fixed budget for the client's own code, measured with the generated tables emptied, plus an allowance per operation of the spec for the whole client, so that the budget grows with the spec and nothing else.\n\n| size-limit entry | size | budget | verdict |\n|---|---:|---:|---|\n`;
    for (const c of sizeLimit.checks) md += `| ${c.name} | ${kb(c.size)} | ${kb(c.limit)} | ${c.passed ? "meets" : "**misses**"} |\n`;
  }
  const summary = [
    { bench: "3 size", metric: "client browser ESM bundle, min + gzip -9", value: kb(ours.gz), target: "≤ 8 kB", pass: ours.gz <= LIMIT },
    { bench: "3 size", metric: "openapi-fetch alone / axios, min + gzip -9", value: `${kb(rows[1].gz)} / ${kb(rows[2].gz)}`, target: "(reference)", pass: null },
  ];
  for (const c of sizeLimit.checks ?? []) summary.push({ bench: "3 size", metric: `size-limit: ${c.name}`, value: kb(c.size), target: `≤ ${kb(c.limit)}`, pass: c.passed });
  return { summary, md, raw: { rows, breakdown, sizeLimit } };
}

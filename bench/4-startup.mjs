// 4. Start-up: how long `import` of the package takes in a fresh Node process, next to importing
// openapi-fetch alone. The client is the esbuild bundle of src/index.ts with openapi-fetch left
// external, i.e. what dist/index.js is; importing it therefore loads openapi-fetch too. Runs
// alternate (ours, openapi-fetch, ours, ...) and each process times its own import, so Node's
// own boot (the same for both) does not dilute the ratio; whole-process wall time is shown too.
import { pathToFileURL } from "node:url";
import { runNode } from "./lib/child.mjs";
import { fmt, median, ratio } from "./lib/stats.mjs";

const probe = (specifier) =>
  `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;

export async function run({ clientExt, runs = 21, log = console.log }) {
  const targets = { ours: pathToFileURL(clientExt).href, "openapi-fetch": "openapi-fetch" };
  const times = { ours: [], "openapi-fetch": [] };
  const walls = { ours: [], "openapi-fetch": [] };
  const once = async (name) => {
    // cwd = the repo, so the bare "openapi-fetch" resolves from its node_modules.
    const res = await runNode(["--input-type=module", "-e", probe(targets[name])], { cwd: new URL("..", import.meta.url).pathname });
    if (res.code !== 0) throw new Error(`import of ${name} failed: ${res.stderr}`);
    return { importMs: Number(res.stdout), wallMs: res.ms };
  };
  for (const name of Object.keys(targets)) await once(name); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 ? ["openapi-fetch", "ours"] : ["ours", "openapi-fetch"]) {
      const { importMs, wallMs } = await once(name);
      times[name].push(importMs);
      walls[name].push(wallMs);
    }
  }
  log("  startup: done");
  const r = median(times.ours) / median(times["openapi-fetch"]);
  const rw = median(walls.ours) / median(walls["openapi-fetch"]);
  let md = `${runs} fresh \`node\` processes per target, alternating; each times \`await import(...)\` itself.\n\n`;
  md += `| import | import time (median) | whole process (median) |\n|---|---:|---:|\n`;
  for (const name of Object.keys(targets)) md += `| ${name} | ${fmt(median(times[name]))} ms | ${fmt(median(walls[name]))} ms |\n`;
  md += `| ratio ours ÷ openapi-fetch | ${ratio(r)} | ${ratio(rw)} |\n`;
  return {
    summary: [{ bench: "4 start-up", metric: "import time, ours ÷ openapi-fetch", value: `${ratio(r)} (${fmt(median(times.ours))} vs ${fmt(median(times["openapi-fetch"]))} ms)`, target: "≤ 1.5×", pass: r <= 1.5 }],
    md,
    raw: { times, walls },
  };
}

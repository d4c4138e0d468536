#!/usr/bin/env node
// `npm run bench`: builds the client with esbuild, runs every benchmark in turn (each with a
// time limit) and writes bench/RESULTS.md. `node bench/run.mjs size startup` runs only those
// benchmarks and prints their results without touching RESULTS.md; with `--write` it puts them
// into RESULTS.md in place of their earlier rows and sections, leaving the others as they were.
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { buildNodeBundles, ROOT } from "./lib/build.mjs";

const BENCHES = {
  "rate-limit": { title: "1. Work per minute under the rate limit", file: "./1-rate-limit.mjs", limitS: 150 },
  "per-call": { title: "2. Cost per call", file: "./2-per-call.mjs", limitS: 240 },
  size: { title: "3. Bundle size", file: "./3-size.mjs", limitS: 60 },
  startup: { title: "4. Start-up", file: "./4-startup.mjs", limitS: 60 },
  "write-wait": { title: "5. Waiting for write jobs", file: "./5-write-wait.mjs", limitS: 60 },
  pipeline: { title: "6. Generation pipeline at scale", file: "./6-pipeline.mjs", limitS: 180 },
  memory: { title: "7. Memory over many calls", file: "./7-memory.mjs", limitS: 120 },
  "shared-rate-limit": { title: "8. One budget for a fleet (shared pacer through Redis)", file: "./8-shared-rate-limit.mjs", limitS: 300 },
};

function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? "unknown"} × ${cpus.length} cores`,
    mem: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    load: os.loadavg().map((x) => x.toFixed(2)).join(", "),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Rejects if `promise` has not settled after `seconds`, so one stuck benchmark cannot hang the run. */
function limit(promise, seconds, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} exceeded its ${seconds} s limit`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const verdict = (pass) => (pass === true ? "meets" : pass === false ? "**misses**" : "—");

async function main() {
  const write = process.argv.includes("--write");
  const picked = process.argv.slice(2).filter((a) => a !== "--write");
  for (const name of picked) if (!BENCHES[name]) throw new Error(`unknown benchmark ${name}; choose from ${Object.keys(BENCHES).join(", ")}`);
  const names = picked.length ? picked : Object.keys(BENCHES);
  const started = new Date();
  const host = machine();
  const t0 = performance.now();
  console.log(`building the client with esbuild…`);
  const bundles = await buildNodeBundles();
  const results = {};
  for (const name of names) {
    const { title, file, limitS } = BENCHES[name];
    console.log(`${title}…`);
    const t = performance.now();
    try {
      const { run } = await import(file);
      results[name] = await limit(run({ ...bundles, log: console.log }), limitS, name);
    } catch (err) {
      console.error(`  ${name} failed: ${err.message}`);
      results[name] = { summary: [{ bench: title, metric: "benchmark run", value: `failed: ${err.message}`, target: "runs", pass: false }], md: `Failed: ${err.message}\n` };
    }
    results[name].seconds = (performance.now() - t) / 1000;
  }
  const totalS = (performance.now() - t0) / 1000;

  const summary = names.flatMap((n) => results[n].summary);
  let table = `| benchmark | figure | value | target | verdict |\n|---|---|---|---|---|\n`;
  for (const s of summary) table += `| ${s.bench} | ${s.metric} | ${s.value} | ${s.target} | ${verdict(s.pass)} |\n`;
  const misses = summary.filter((s) => s.pass === false);

  let md = `# Benchmark results\n\nWritten by \`npm run bench\` (bench/run.mjs); do not edit by hand. Figures are medians and ratios of interleaved runs on a shared, noisy machine: compare ratios, not absolute times.\n\n`;
  md += `- Date: ${started.toISOString()}\n- Command: \`${process.env.npm_lifecycle_event === "bench" ? "npm run bench" : ["node", "bench/run.mjs", ...picked].join(" ")}\` (total ${totalS.toFixed(0)} s)\n- Machine: ${host.cpu}, ${host.mem} RAM, ${host.os}; load average at start ${host.load}\n- Node ${host.node}\n\n`;
  md += `## Summary\n\n${table}\n`;
  md += misses.length
    ? `Targets missed (${misses.length}):\n\n${misses.map((s) => `- ${s.bench}: ${s.metric} = ${s.value} (target ${s.target})`).join("\n")}\n\n`
    : `All targets met.\n\n`;
  for (const n of names) md += `## ${BENCHES[n].title}\n\n${results[n].md}\n_Run time: ${results[n].seconds.toFixed(1)} s._\n\n`;

  console.log(`\n${table}`);
  if (picked.length && write) {
    const file = join(ROOT, "bench", "RESULTS.md");
    await writeFile(file, merge(await readFile(file, "utf8"), names, results, { started, host, totalS, picked }));
    console.log(`updated ${names.join(", ")} in bench/RESULTS.md`);
  } else if (picked.length) {
    console.log(`(subset run: bench/RESULTS.md not written; add --write to update these benchmarks in it)`);
  } else {
    await writeFile(join(ROOT, "bench", "RESULTS.md"), md);
    console.log(`wrote bench/RESULTS.md in ${totalS.toFixed(0)} s`);
  }
}

/**
 * RESULTS.md with the benchmarks `names` replaced (or added): their summary rows, their sections,
 * and a line saying when and where they were run; every other benchmark's figures stay.
 */
function merge(old, names, results, { started, host, totalS, picked }) {
  const titles = new Set(names.map((n) => BENCHES[n].title));
  const benchOf = (title) => title.split(".")[0];
  const ours = new Set(names.map((n) => benchOf(BENCHES[n].title)));
  const lines = old.split("\n");
  const start = lines.findIndex((l) => l.startsWith("| benchmark |"));
  let end = start + 2;
  while (lines[end]?.startsWith("|")) end++;
  // Rows are named "<number> <name>" (e.g. "2 per call (stretch)"): keep the other benchmarks'.
  const kept = lines.slice(start + 2, end).filter((l) => !ours.has(l.slice(2).split(" ")[0]));
  const added = names.flatMap((n) => results[n].summary.map((s) => `| ${s.bench} | ${s.metric} | ${s.value} | ${s.target} | ${verdict(s.pass)} |`));
  const rows = [...kept, ...added].sort((a, b) => parseInt(a.slice(2)) - parseInt(b.slice(2)));
  const misses = rows.filter((r) => r.includes("| **misses** |")).map((r) => {
    const [bench, metric, value, target] = r.split(" | ").map((c) => c.replace(/^\| /, ""));
    return `- ${bench}: ${metric} = ${value} (target ${target})`;
  });
  // Sections: "## <title>" up to the next "## ".
  let body = lines.slice(end).join("\n");
  const sections = body.split(/^(?=## )/m);
  const head = sections.shift().replace(/^\n*Targets missed[\s\S]*|^\n*All targets met\.\n*/m, "");
  const byTitle = new Map(sections.map((sec) => [sec.slice(3, sec.indexOf("\n")), sec]));
  for (const n of names) byTitle.set(BENCHES[n].title, `## ${BENCHES[n].title}\n\n${results[n].md}\n_Run time: ${results[n].seconds.toFixed(1)} s._\n\n`);
  const order = Object.values(BENCHES).map((b) => b.title).filter((t) => byTitle.has(t));
  let header = lines.slice(0, start).join("\n");
  header = header.replace(/\n## Summary\n*$/, "");
  const note = `- ${[...titles].map((t) => t.split(".")[0]).join(", ")} re-run on ${started.toISOString()} with \`${["node", "bench/run.mjs", ...picked, "--write"].join(" ")}\` (${totalS.toFixed(0)} s), ${host.cpu}, Node ${host.node}, load average at start ${host.load}; the other figures are from the run above.`;
  header = `${header.replace(new RegExp(`\\n- ${[...ours].join(", ")} re-run on [^\\n]*`), "").replace(/\n*$/, "")}\n${note}\n`;
  let out = `${header}\n## Summary\n\n| benchmark | figure | value | target | verdict |\n|---|---|---|---|---|\n${rows.join("\n")}\n\n`;
  out += misses.length ? `Targets missed (${misses.length}):\n\n${misses.join("\n")}\n\n` : "All targets met.\n\n";
  void head;
  out += order.map((t) => byTitle.get(t).replace(/\n*$/, "\n\n")).join("");
  return out.replace(/\n+$/, "\n");
}

main().then(
  // Servers and keep-alive agents of the benchmarks may still hold the event loop open.
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

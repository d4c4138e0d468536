#!/usr/bin/env node
// `npm run bench`: builds the client with esbuild, runs every benchmark in turn (each with a
// time limit) and writes bench/RESULTS.md. `node bench/run.mjs size startup` runs only those
// benchmarks and prints their results without touching RESULTS.md.
import { writeFile } from "node:fs/promises";
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
  const picked = process.argv.slice(2);
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
  if (picked.length) {
    console.log(`(subset run: bench/RESULTS.md not written)`);
  } else {
    await writeFile(join(ROOT, "bench", "RESULTS.md"), md);
    console.log(`wrote bench/RESULTS.md in ${totalS.toFixed(0)} s`);
  }
}

main().then(
  // Servers and keep-alive agents of the benchmarks may still hold the event loop open.
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

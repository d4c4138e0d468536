// 6. Pipeline scale. (a) `npm run generate` end to end on our spec, run with --root on a scratch
// copy of the inputs so this checkout's generated/ is never touched, and `npm run generate --
// --spec FILE --out DIR` on Propexo's whole published document (openapi/upstream/), both with the
// generator's own step times. (b) The same three steps on our spec and on that document:
// redocly lint with a minimal config (extends: recommended), openapi-typescript (CLI), and
// `tsc --noEmit` of a small consumer that calls a few paths through openapi-fetch.
import { cp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, BUILD } from "./lib/build.mjs";
import { runCommand, runNode } from "./lib/child.mjs";
import { fmt, median, ratio } from "./lib/stats.mjs";

const FULL = join(ROOT, "openapi", "upstream", "propexo-published.yml");
const REDOCLY = join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");
const OTS = join(ROOT, "node_modules", "openapi-typescript", "bin", "cli.js");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const QUIET = { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_TELEMETRY: "off", NO_COLOR: "1" };

// The full document names components like "_v1_webhooks_{webhook_id}_delete_output", which
// openapi-typescript's built-in Redocly check rejects; the types step switches that one rule off.
const TYPES_CONFIG = "extends:\n  - minimal\nrules:\n  spec-components-invalid-map-name: off\n";
const LINT_CONFIG = "extends:\n  - recommended\ntelemetry: off\n";

/** A consumer of the generated types: one list, one write-status read, one typed update body. */
const consumer = ({ list, status, update }) => `import createClient from "openapi-fetch";
import type { paths } from "./schema";

type UpdateBody = NonNullable<paths[${JSON.stringify(update)}]["put"]["requestBody"]>["content"]["application/json"];
declare const body: UpdateBody;
const client = createClient<paths>({ baseUrl: "https://api.propexo.com" });

export async function demo() {
  const list = await client.GET(${JSON.stringify(list)}, { params: { query: { limit: 10 } } });
  const status = await client.GET(${JSON.stringify(status)}, { params: { path: { root_job_id: "job-1" } } });
  const updated = await client.PUT(${JSON.stringify(update)}, { params: { path: { event_id: "evt-1" } }, body });
  return [list.data?.results.length, status.data?.write_status, updated.data];
}
`;

const DOCS = {
  // Ours as the pipeline lints and types it: composed from openapi/ and bundled.
  ours: { spec: join(ROOT, "generated", "openapi.json"), paths: { list: "/v1/appointments/", status: "/v1/admin/write-status/{root_job_id}", update: "/v1/events/appointments/leads/resman/{event_id}" } },
  full: { spec: FULL, paths: { list: "/v1/appointments/", status: "/v1/admin/write-status/{root_job_id}", update: "/v1/events/appointments/leads/{event_id}" } },
};

async function steps(name, dir) {
  const { spec, paths } = DOCS[name];
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "lint.yaml"), LINT_CONFIG);
  await writeFile(join(dir, "types.yaml"), TYPES_CONFIG);
  await writeFile(join(dir, "consumer.ts"), consumer(paths));
  // Lint exits 1 when it finds problems (the full document has hundreds); only its time counts here.
  const lint = await runNode([REDOCLY, "lint", spec, "--config", join(dir, "lint.yaml"), "--format=summary"], { cwd: dir, env: QUIET });
  const types = await runNode([OTS, spec, "-o", join(dir, "schema.ts"), "--redocly", join(dir, "types.yaml")], { cwd: dir, env: QUIET });
  if (types.code !== 0) throw new Error(`openapi-typescript failed on ${name}: ${types.stderr.slice(-500)}`);
  const tsc = await runNode([TSC, "--noEmit", "--strict", "--skipLibCheck", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler", "--lib", "es2022,dom", join(dir, "consumer.ts")], { cwd: dir });
  if (tsc.code !== 0) throw new Error(`consumer typecheck failed on ${name}: ${tsc.stdout.slice(0, 800)}`);
  return { lint: lint.ms, types: types.ms, tsc: tsc.ms, typesBytes: (await stat(join(dir, "schema.ts"))).size };
}

/** The generator's own step times, from its log ("  lint   353 ms"). */
const stepTimes = (stdout) => Object.fromEntries([...stdout.matchAll(/^\s+(\w+)\s+(\d+) ms$/gm)].map((m) => [m[1], Number(m[2])]));

/** `npm run generate -- --spec FULL --out dir`: the whole published document, end to end. */
async function generateFull(dir) {
  await rm(dir, { recursive: true, force: true });
  const res = await runCommand("npm", ["run", "--silent", "generate", "--", "--spec", FULL, "--out", dir], { cwd: ROOT, env: QUIET });
  if (res.code !== 0) throw new Error(`npm run generate -- --spec failed: ${res.stderr || res.stdout}`);
  const operations = (await import("node:fs/promises").then((fs) => fs.readFile(join(dir, "operations.ts"), "utf8"))).match(/^ {4}"operationId": /gm).length;
  return { ms: res.ms, stepMs: stepTimes(res.stdout), operations };
}

/** `npm run generate` on a scratch copy of the spec inputs; the generator's own per-step log is kept. */
async function generate(dir) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const f of ["openapi", "generated", "redocly.yaml", ".redocly.lint-ignore.yaml", "scripts/lint"]) {
    if (existsSync(join(ROOT, f))) await cp(join(ROOT, f), join(dir, f), { recursive: true });
  }
  const res = await runCommand("npm", ["run", "--silent", "generate", "--", "--root", dir], { cwd: ROOT, env: QUIET });
  if (res.code !== 0) throw new Error(`npm run generate failed: ${res.stderr || res.stdout}`);
  return { ms: res.ms, stepMs: stepTimes(res.stdout) };
}

export async function run({ reps = 3, log = console.log } = {}) {
  const work = join(BUILD, "pipeline");
  const gen = [];
  const genFull = [];
  const per = { ours: [], full: [] };
  const haveFull = existsSync(FULL);
  try {
    for (let r = 0; r < reps; r++) {
      gen.push(await generate(join(work, "generate")));
      if (haveFull) genFull.push(await generateFull(join(work, "generate-full")));
      per.ours.push(await steps("ours", join(work, "ours")));
      if (haveFull) per.full.push(await steps("full", join(work, "full")));
      log(`  pipeline round ${r + 1}/${reps}: done`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const sizes = { ours: (await stat(DOCS.ours.spec)).size, full: haveFull ? (await stat(FULL)).size : 0 };
  return report({ gen, genFull, per, haveFull, sizes, reps });
}

function report({ gen, genFull, per, haveFull, sizes, reps }) {
  const summary = [];
  const genMs = median(gen.map((g) => g.ms));
  const stepNames = Object.keys(gen[0].stepMs);
  let md = `Median of ${reps} runs each. \`npm run generate\` runs on a scratch copy (\`-- --root\`), so generated/ is not written.\n\n`;
  md += `\`npm run generate\` on openapi/ (Propexo's document through the overlay, plus openapi/propexo.yaml; bundled, ${fmt(sizes.ours / 1000)} kB): **${fmt(genMs)} ms** end to end (npm and Node start-up included); the generator's own steps: ${stepNames.map((s) => `${s} ${fmt(median(gen.map((g) => g.stepMs[s])))} ms`).join(", ")}.\n\n`;
  summary.push({ bench: "6 pipeline", metric: "npm run generate, our spec, end to end", value: `${fmt(genMs)} ms`, target: "≤ 5 s", pass: genMs <= 5000 });
  if (!haveFull) {
    md += `openapi/upstream/propexo-published.yml is missing: the full-document comparison was skipped.\n`;
    return { summary, md, raw: { gen, per } };
  }
  const fullMs = median(genFull.map((g) => g.ms));
  const allSteps = [...new Set([...stepNames, ...Object.keys(genFull[0].stepMs)])];
  md += `\`npm run generate -- --spec openapi/upstream/propexo-published.yml --out DIR\` (${fmt(sizes.full / 1e6)} MB, ${genFull[0].operations} operations): **${fmt(fullMs)} ms** end to end. The generator's steps, ours next to it:\n\n`;
  md += `| generator step | ours (${Object.keys(gen[0].stepMs).length ? "our spec" : ""}) | Propexo's whole document |\n|---|---:|---:|\n`;
  for (const s of allSteps) {
    const a = gen[0].stepMs[s] === undefined ? "—" : `${fmt(median(gen.map((g) => g.stepMs[s])))} ms`;
    const b = genFull[0].stepMs[s] === undefined ? "—" : `${fmt(median(genFull.map((g) => g.stepMs[s])))} ms`;
    md += `| ${s} | ${a} | ${b} |\n`;
  }
  md += `| end to end (npm and Node start-up included) | ${fmt(genMs)} ms | ${fmt(fullMs)} ms |\n\n`;
  summary.push({ bench: "6 pipeline", metric: `npm run generate -- --spec, Propexo's whole document (${genFull[0].operations} operations)`, value: `${fmt(fullMs)} ms`, target: "≤ 30 s", pass: fullMs <= 30000 });
  const m = (name, key) => median(per[name].map((x) => x[key]));
  md += `| step (each a fresh process) | ours (${fmt(sizes.ours / 1000)} kB) | Propexo's whole document (${fmt(sizes.full / 1e6)} MB, 164 paths) | growth |\n|---|---:|---:|---:|\n`;
  for (const [key, label] of [["lint", "redocly lint (extends: recommended)"], ["types", "openapi-typescript → schema.ts"], ["tsc", "tsc --noEmit of a 3-call consumer"]]) {
    md += `| ${label} | ${fmt(m("ours", key))} ms | ${fmt(m("full", key))} ms | ${ratio(m("full", key) / m("ours", key))} |\n`;
  }
  md += `| lint + types | ${fmt(m("ours", "lint") + m("ours", "types"))} ms | ${fmt(m("full", "lint") + m("full", "types"))} ms | ${ratio((m("full", "lint") + m("full", "types")) / (m("ours", "lint") + m("ours", "types")))} |\n`;
  md += `| generated types size | ${fmt(m("ours", "typesBytes") / 1000)} kB | ${fmt(m("full", "typesBytes") / 1000)} kB | ${ratio(m("full", "typesBytes") / m("ours", "typesBytes"))} |\n`;
  const lt = m("full", "lint") + m("full", "types");
  summary.push({ bench: "6 pipeline", metric: "full reference: lint + types", value: `${fmt(lt)} ms`, target: "≤ 15 s", pass: lt <= 15000 });
  for (const name of ["ours", "full"]) {
    summary.push({ bench: "6 pipeline", metric: `consumer typecheck (${name === "ours" ? "our types" : "full reference types"})`, value: `${fmt(m(name, "tsc"))} ms`, target: "≤ 5 s", pass: m(name, "tsc") <= 5000 });
  }
  return { summary, md, raw: { gen, per } };
}

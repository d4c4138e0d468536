#!/usr/bin/env node
// The only writer of generated/. Steps: compose → lint → bundle → types → operation table →
// request and webhook schemas (scripts/lib/pipeline.mjs).
//
//   npm run generate                 regenerate generated/ from the spec composed of openapi/:
//                                    Propexo's document through the overlay, plus propexo.yaml
//   npm run generate -- --check      exit 1 and name each stale file when generated/ is out of date
//   npm run lint                     compose and lint only (the composed spec stays in
//                                    .tmp/propexo.composed.json, where lint names its lines)
//   npm run generate -- --spec FILE --out DIR
//                                    generate for another document (e.g. Propexo's published one)
//                                    into DIR, as it is; see lintForeign for the lint it must pass
//
// Everything is built in memory and written only after every step has passed, so a failing step
// leaves generated/ as it was.
import { join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { projectPaths } from "./lib/paths.mjs";
import { COMPOSED, compare, runPipeline, writeStale } from "./lib/pipeline.mjs";

function parseArgs(argv) {
  const args = { check: false, lintOnly: false, root: undefined, quiet: false, spec: undefined, out: undefined };
  const value = (i, flag) => {
    if (argv[i] === undefined || argv[i].startsWith("--")) throw new Error(`${flag} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") args.check = true;
    else if (a === "--lint-only") args.lintOnly = true;
    else if (a === "--quiet") args.quiet = true;
    else if (a === "--root") args.root = value(++i, a);
    else if (a === "--spec") args.spec = value(++i, a);
    else if (a === "--out") args.out = value(++i, a);
    else throw new Error(`unknown argument ${a} (expected --check, --lint-only, --quiet, --root DIR, --spec FILE or --out DIR)`);
  }
  if (args.spec && !args.out && !args.lintOnly) throw new Error("--spec FILE writes elsewhere than generated/: give --out DIR too");
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const base = projectPaths(args.root);
  // Another document is generated as it is, into its own folder, and linted as a foreign document.
  const foreign = args.spec !== undefined;
  const paths = {
    ...base,
    spec: foreign ? resolve(args.spec) : base.spec,
    generated: args.out ? resolve(args.out) : base.generated,
  };
  const source = foreign ? relative(process.cwd(), paths.spec) || paths.spec : undefined;
  const log = args.quiet ? () => {} : (line) => console.log(line);
  const started = performance.now();
  const step = async (name, fn) => {
    const t0 = performance.now();
    const result = await fn();
    log(`  ${name.padEnd(11)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms`);
    return result;
  };

  const result = await runPipeline(paths, {
    foreign,
    source,
    lintOnly: args.lintOnly,
    step,
  });
  const where = relative(paths.root, paths.generated) || paths.generated;
  if (!result.ok) {
    console.error(result.output);
    if (result.stage === "lint" && !foreign) {
      console.error(`\nLint ran on the composed spec, ${COMPOSED} (Propexo's document through openapi/propexo.overlay.yaml, plus openapi/propexo.yaml); the lines above are its lines.`);
    }
    console.error(`\n${result.stage === "lint" ? "The spec does not pass lint" : "The spec cannot be composed"}; ${where}/ was left untouched.`);
    return 1;
  }
  if (foreign) {
    const rules = Object.entries(result.findings).sort(([a], [b]) => a.localeCompare(b));
    const total = rules.reduce((n, [, count]) => n + count, 0);
    log(`  findings    ${total} (house rules and style, not stopping): ${rules.map(([rule, n]) => `${rule} ${n}`).join(", ") || "none"}`);
  }
  if (args.lintOnly) {
    if (!foreign) log(result.lintOutput.split("\n").filter((l) => /valid|ignored|problem/i.test(l)).join("\n"));
    return 0;
  }

  const { files } = result;
  const stale = await compare(paths.generated, files);
  if (args.check) {
    if (stale.length === 0) {
      log(`generated/ is up to date (${files.size} files, ${(performance.now() - started).toFixed(0)} ms)`);
      return 0;
    }
    console.error("generated/ is stale; run `npm run generate` and commit the result:");
    for (const s of stale) console.error(`  ${relative(paths.root, join(paths.generated, s.file))}: ${s.why}`);
    return 1;
  }
  await step("write", () => writeStale(paths.generated, files, stale));
  log(stale.length ? `changed: ${stale.map((s) => s.file).join(", ")}` : "no changes");
  log(`generated/ written in ${(performance.now() - started).toFixed(0)} ms`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);

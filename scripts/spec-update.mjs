#!/usr/bin/env node
// Takes a new copy of Propexo's published document into the project:
//
//   npm run spec:update -- <file>                   the new copy (YAML or JSON)
//   npm run spec:update -- <file> --source "<text>" where it came from, for the provenance header
//   options: --no-types (skip compiling the release's type tests in the report), --root DIR
//
// It applies openapi/propexo.overlay.yaml to the new copy and runs the whole pipeline on it in
// memory. When an overlay action no longer matches anything (Propexo moved, renamed or dropped
// what we curate), it lists every such action, changes nothing and exits 1; likewise when the
// result fails lint. Otherwise it replaces openapi/upstream/propexo-published.yml (keeping a
// provenance header), rewrites generated/, and prints the breaking-change report of the result
// against the last release (scripts/spec-diff.mjs, as the gate compares) and the CHANGELOG entry
// that report makes, without writing it. The same document again changes nothing.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { descriptionTexts, parseUpstream } from "./lib/compose.mjs";
import { projectPaths } from "./lib/paths.mjs";
import { compare, runPipeline, writeStale } from "./lib/pipeline.mjs";
import { releaseBase, repoState } from "./lib/spec-diff/git.mjs";
import { changelogEntry, formatText } from "./lib/spec-diff/report.mjs";

const SPEC_DIFF = fileURLToPath(new URL("./spec-diff.mjs", import.meta.url));
const USAGE = 'usage: npm run spec:update -- <file> [--source "<where it came from>"] [--no-types] [--root DIR]';

class UsageError extends Error {}

function parseArgs(argv) {
  const args = { file: undefined, source: undefined, types: true, root: undefined };
  const value = (i, flag) => {
    if (argv[i] === undefined || argv[i].startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--source") args.source = value(++i, a);
    else if (a === "--no-types") args.types = false;
    else if (a === "--root") args.root = value(++i, a);
    else if (a.startsWith("--")) throw new UsageError(`unknown argument ${a}`);
    else if (args.file === undefined) args.file = a;
    else throw new UsageError(`one document at a time (got ${args.file} and ${a})`);
  }
  if (!args.file) throw new UsageError("say which copy of Propexo's document to take");
  return args;
}

/** The leading `#` comment lines of a YAML file, and the rest. */
function splitHeader(text) {
  const lines = text.split("\n");
  let n = 0;
  while (n < lines.length && lines[n].startsWith("#")) n++;
  return { header: lines.slice(0, n), body: lines.slice(n).join("\n") };
}

/** The provenance header of the vendored copy: what it is, where it came from, what it is for. */
function provenance({ source, file, body }) {
  const sha = createHash("sha256").update(body).digest("hex").slice(0, 16);
  const from = source ?? `copied from ${basename(file)}`;
  return [
    "# Propexo's published OpenAPI 3.1 document, unchanged below these comment lines:",
    `# ${from}; sha256 ${sha}…, taken in ${new Date().toISOString().slice(0, 10)} by \`npm run spec:update\`.`,
    "# openapi/propexo.overlay.yaml curates it; replace it only with `npm run spec:update -- <new copy>`.",
  ];
}

function runNode(args, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const section = (title) => `\n== ${title} ${"=".repeat(Math.max(3, 92 - title.length))}\n`;

/** The version the CHANGELOG entry is for: package.json's, or the bump the changes call for. */
function entryVersion({ breaking, nonBreaking, baseVersion, headVersion }) {
  const [bMaj = 0, bMin = 0, bPatch = 0] = String(baseVersion ?? "0.0.0").split(".").map(Number);
  const [hMaj = 0, hMin = 0, hPatch = 0] = String(headVersion ?? "0.0.0").split(".").map(Number);
  const head = hMaj * 1e6 + hMin * 1e3 + hPatch;
  const needed = breaking ? [bMaj + 1, 0, 0] : nonBreaking ? [bMaj, bMin + 1, 0] : [bMaj, bMin, bPatch + 1];
  const enough = breaking ? hMaj > bMaj : head > bMaj * 1e6 + bMin * 1e3 + bPatch;
  return enough ? { version: headVersion, bump: undefined } : { version: needed.join("."), bump: needed.join(".") };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const paths = projectPaths(args.root ? resolve(args.root) : undefined);
  const file = resolve(args.file);
  const incoming = await readFile(file, "utf8").catch((err) => {
    throw new UsageError(`cannot read ${args.file}: ${err.message}`);
  });
  const current = await readFile(paths.upstream, "utf8");
  const next = splitHeader(incoming);
  const now = splitHeader(current);
  const same = next.body === now.body;
  const vendored = relative(paths.root, paths.upstream);
  try {
    parseUpstream(incoming);
  } catch (err) {
    throw new UsageError(`${args.file} is not YAML or JSON: ${err.message}`);
  }

  console.log(`spec:update: ${args.file} → ${vendored}${same ? " (the same document as the vendored copy)" : ""}`);
  console.log(section("Overlay actions that no longer match"));
  const result = await runPipeline(paths, { upstreamText: incoming });
  if (!result.ok) {
    if (result.stage === "compose") {
      console.log(result.output);
      console.log("\nPropexo's document moved under our curation: update openapi/propexo.overlay.yaml to the new document, then run this again.");
    } else {
      console.log("none\n");
      console.log(result.output);
      console.log("\nThe spec composed from the new document does not pass lint.");
    }
    console.log(`Nothing was changed: ${vendored} and ${relative(paths.root, paths.generated)}/ are as they were.`);
    return 1;
  }
  console.log("none: every action of openapi/propexo.overlay.yaml matches the new document.");

  // Everything passed: take the document, then the generated files.
  if (!same) {
    const header = next.header.length ? next.header : provenance({ source: args.source, file, body: next.body });
    await writeFile(paths.upstream, `${header.join("\n")}\n${next.body}`);
  }
  const stale = await compare(paths.generated, result.files);
  await writeStale(paths.generated, result.files, stale);
  console.log(`\n${same ? `${vendored}: unchanged` : `${vendored}: replaced`}; generated/: ${stale.length ? `rewrote ${stale.map((s) => s.file).join(", ")}` : "unchanged"}.`);

  const theirs = new Set(descriptionTexts(parseUpstream(incoming)).map((t) => t.text));
  const copied = descriptionTexts(result.doc).filter((t) => theirs.has(t.text));
  if (copied.length) {
    console.log(section("Propexo's own words to reword in the overlay"));
    for (const t of copied) console.log(`  ${t.where}: ${t.text.slice(0, 100)}`);
  }

  const state = await repoState(paths.root);
  if (state !== "complete") {
    console.log(section("Breaking changes since the last release"));
    console.log(`skipped: ${paths.root} is ${state === "not-a-repo" ? "not a git checkout" : state === "shallow" ? "a shallow clone" : "a repository without commits"}, so there is no release to compare with.`);
    return 0;
  }
  const base = await releaseBase(paths.root);
  const diff = await runNode([SPEC_DIFF, "--base", base.ref, "--json", "--repo", paths.root, ...(args.types ? [] : ["--no-types"])], paths.root);
  if (diff.code !== 0) throw new Error(`scripts/spec-diff.mjs failed:\n${diff.stderr || diff.stdout}`);
  const report = JSON.parse(diff.stdout);
  console.log(section(`Breaking changes since ${base.ref} (${base.why})`));
  console.log(formatText({ header: `spec-diff: ${base.ref} → the spec from the new document`, findings: report.findings, types: report.types ?? undefined }));
  if (!report.breaking) console.log("No breaking changes.");

  const headVersion = JSON.parse(await readFile(join(paths.root, "package.json"), "utf8").catch(() => "{}")).version;
  const { version, bump } = entryVersion({ breaking: report.breaking, nonBreaking: report.nonBreaking, baseVersion: report.base.version, headVersion });
  const entry = changelogEntry({ version, date: new Date().toISOString().slice(0, 10), base: base.ref, findings: report.findings, types: report.types ?? undefined });
  console.log(section("The CHANGELOG.md entry this makes (not written)"));
  console.log(entry.trimEnd());
  console.log(
    `\nTo record it: ${bump ? `set "version" in package.json to ${bump}${report.breaking ? " (breaking changes need a new major version, or npm test's gate fails)" : ""}, then ` : ""}run \`npm run spec:diff -- --base ${base.ref} --changelog\`.`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`spec:update: ${err instanceof Error ? err.message : err}`);
    if (err instanceof UsageError) console.error(USAGE);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);

#!/usr/bin/env node
// The breaking-change gate: what changed in the API between a git ref and today, and whether it
// breaks users. The rules are a table in scripts/lib/spec-diff/rules.mjs.
//
// "Today" is what openapi/ says now: when generated/ is stale, spec-diff refuses (exit 1) and
// says to run `npm run generate`, instead of comparing output nobody would release.
//
//   npm run spec:diff -- --base <ref>               list changes: Breaking / Behaviour changes / Non-breaking
//   npm run spec:diff -- --base <ref> --json        the same, as JSON
//   npm run spec:diff -- --base <ref> --changelog   also put an entry at the top of CHANGELOG.md
//   node scripts/spec-diff.mjs --gate               in `npm test`: compare with the last v* tag (or
//                                                   the first commit) and fail on breaking changes
//                                                   unless package.json's major version went up
//
// Other flags: --fail-on-breaking (exit 1 on breaking changes), --no-types (skip the type tests of
// the base), --repo <dir> (the project to look at; default: the current directory).
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { diffSpecs, groupFindings } from "./lib/spec-diff/diff.mjs";
import { GitMissingError, releaseBase, repoState, resolveCommit, showFile } from "./lib/spec-diff/git.mjs";
import { changelogEntry, formatText, writeChangelog } from "./lib/spec-diff/report.mjs";
import { StaleError, assertFresh } from "./lib/spec-diff/fresh.mjs";
import { currentSpec, specAtRef } from "./lib/spec-diff/specs.mjs";
import { typesCompat } from "./lib/spec-diff/types-compat.mjs";

class UsageError extends Error {}

function parseArgs(argv) {
  const args = { base: undefined, repo: undefined, json: false, failOnBreaking: false, changelog: false, gate: false, types: true };
  const value = (i, flag) => {
    if (argv[i] === undefined || argv[i].startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--base") args.base = value(++i, a);
    else if (a === "--repo") args.repo = value(++i, a);
    else if (a === "--json") args.json = true;
    else if (a === "--fail-on-breaking") args.failOnBreaking = true;
    else if (a === "--changelog") args.changelog = true;
    else if (a === "--gate") args.gate = true;
    else if (a === "--no-types") args.types = false;
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!args.gate && !args.base) throw new UsageError("say what to compare with: --base <git ref>, or --gate");
  return args;
}

const USAGE = "usage: node scripts/spec-diff.mjs (--base <ref> | --gate) [--json] [--fail-on-breaking] [--changelog] [--no-types] [--repo <dir>]";

const majorOf = (version) => {
  const m = /^v?(\d+)\.\d+\.\d+/.exec(version ?? "");
  return m ? Number(m[1]) : undefined;
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const repo = resolve(args.repo ?? process.cwd());
  const say = args.json ? () => {} : (line) => console.log(line);

  const state = await repoState(repo);
  if (state !== "complete") {
    const why = {
      "not-a-repo": `${repo} is not a git checkout, so there is no release to compare with`,
      "no-commits": "the repository has no commits yet, so there is no release to compare with",
      shallow: "this is a shallow clone, so the release to compare with may be missing (run `git fetch --unshallow --tags`; CI should clone the full history)",
    }[state];
    // The gate must not stop someone building from a tarball or a shallow checkout. An explicit
    // --base still works in a shallow clone whenever that ref was fetched.
    if (args.gate) {
      if (args.json) console.log(JSON.stringify({ skipped: why }));
      else console.log(`spec gate skipped: ${why}.`);
      return 0;
    }
    if (state !== "shallow") throw new UsageError(`cannot compare with --base: ${why}`);
  }

  const base = args.gate ? await releaseBase(repo) : { ref: args.base, why: "--base" };
  const commit = await resolveCommit(repo, base.ref);
  if (!commit) throw new UsageError(`${base.ref} names no commit in ${repo}`);

  await assertFresh(repo);
  const [old, cur] = await Promise.all([specAtRef(repo, base.ref), currentSpec(repo)]);
  const findings = diffSpecs(old.doc, cur.doc);
  const types = args.types ? await typesCompat({ repo, ref: base.ref }) : undefined;

  const headVersion = existsSync(join(repo, "package.json")) ? JSON.parse(await readFile(join(repo, "package.json"), "utf8")).version : undefined;
  const basePackage = await showFile(repo, base.ref, "package.json");
  const baseVersion = basePackage ? JSON.parse(basePackage.toString("utf8")).version : undefined;
  // Counted as changes, not locations: one shared schema changed is one change however often used.
  const groups = groupFindings(findings);
  const count = (severity) => groups.filter((g) => g.severity === severity).length;
  const nonBreaking = count("non-breaking");
  // Behaviour changes do not fail the gate: old code still compiles and every request it sends
  // is still accepted, and the server's new default applies whichever version a user runs, so a
  // major version would protect no one. What helps is telling them: the gate prints each one, and
  // the changelog entry lists them under their own heading.
  const behaviour = count("behaviour");
  const breaking = count("breaking") + (types?.errors.filter((e) => e.breaking).length ?? 0);

  let gate;
  if (args.gate) {
    const headMajor = majorOf(headVersion);
    if (headMajor === undefined) throw new UsageError(`package.json in ${repo} has no x.y.z version (${headVersion})`);
    // A base without package.json predates any release; it counts as 0.x.
    const baseMajor = majorOf(baseVersion) ?? 0;
    const bumped = headMajor > baseMajor;
    gate = {
      passed: breaking === 0 || bumped,
      reason:
        breaking === 0
          ? `no breaking changes since ${base.ref}`
          : bumped
            ? `breaking changes since ${base.ref}, released as a new major version (${baseMajor} → ${headMajor})`
            : `${breaking} breaking change${breaking > 1 ? "s" : ""} since ${base.ref} (version ${baseVersion ?? "none"}), but package.json is still ${headVersion}; ` +
              `bump the major version to ${baseMajor + 1}.0.0 and record the changes (npm run spec:diff -- --base ${base.ref} --changelog), or undo them`,
    };
  }

  if (args.changelog) {
    if (!headVersion) throw new UsageError("--changelog needs a version in package.json");
    const date = new Date().toISOString().slice(0, 10);
    await writeChangelog(join(repo, "CHANGELOG.md"), changelogEntry({ version: headVersion, date, base: base.ref, findings, types }), headVersion);
    say(`CHANGELOG.md: entry for ${headVersion} written.`);
  }

  if (args.json) {
    const report = {
      base: { ref: base.ref, commit, why: base.why, spec: old.source, version: baseVersion ?? null },
      head: { spec: cur.source, version: headVersion ?? null },
      breaking,
      behaviour,
      nonBreaking,
      findings,
      types: types ?? null,
      ...(gate && { gate }),
    };
    console.log(JSON.stringify(report, null, 2));
  } else {
    const header = `spec-diff: ${base.ref} (${commit.slice(0, 7)}; ${base.why}; ${old.source}) → working tree (${cur.source})`;
    // The gate stays one line in `npm test` unless it has something to say.
    if (!gate || breaking || behaviour) say(formatText({ header, findings, types }));
    if (gate) {
      const plural = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
      const counts = [...(behaviour ? [`${plural(behaviour, "behaviour change")}, listed above: not blocking`] : []), plural(nonBreaking, "non-breaking change")];
      say(`spec gate: ${gate.passed ? "passed" : "FAILED"}: ${gate.reason}${breaking ? "" : ` (${counts.join("; ")}; ${types?.message ?? "type tests skipped"})`}.`);
    }
  }

  if (gate) return gate.passed ? 0 : 1;
  return args.failOnBreaking && breaking ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof GitMissingError || err instanceof StaleError) {
      console.error(`spec-diff: ${err.message}`);
      process.exit(1);
    }
    console.error(`spec-diff: ${err instanceof Error ? err.message : err}`);
    if (err instanceof UsageError) console.error(USAGE);
    process.exit(2);
  },
);

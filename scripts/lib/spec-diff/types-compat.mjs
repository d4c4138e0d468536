// The type tests of the base ref, compiled against today's generated types and source. This is
// the check that sees what the spec rules cannot: a change to src/ that breaks users' code, or a
// spec change whose effect on the generated types the rules under- or over-estimate.
//
// The base's test/types/ is written into a scratch mirror of the project, .tmp/gate-types-*/,
// where every other top-level entry (src/, generated/, test/helpers/, …) is a symlink to today's.
// Its relative imports (`../../generated/schema.js`) so resolve to today's files unchanged. A type
// test that no longer compiles is a break users would hit in their own code.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { dirname, join, relative, sep } from "node:path";
import { ROOT } from "../paths.mjs";
import { listFiles, showFile } from "./git.mjs";

export const TYPE_TESTS = "test/types";

// "Unused '@ts-expect-error' directive": code the base's tests expected to be refused now
// compiles. That is a loosening (a new vendor, an optional field), not a break.
const LOOSENING = new Set(["TS2578"]);

/**
 * Resolves to { status, message, errors } where status is "none" (no type tests at base), "passed"
 * or "failed", and each error is { file, line, column, code, message, breaking }.
 */
export async function typesCompat({ repo, ref }) {
  // Everything under test/types/ is copied, so a type test's own JSON or helper files come along.
  const all = await listFiles(repo, ref, TYPE_TESTS);
  const files = all.filter((f) => /\.(c|m)?tsx?$/.test(f));
  if (!files.length) return { status: "none", message: `no type tests at base (${ref} has no ${TYPE_TESTS}/)`, errors: [] };
  if (!existsSync(join(repo, "tsconfig.json"))) throw new Error(`type tests at ${ref} need ${join(repo, "tsconfig.json")} to compile against`);

  await mkdir(join(repo, ".tmp"), { recursive: true });
  const mirror = await mkdtemp(join(repo, ".tmp", "gate-types-"));
  try {
    await linkEntries(repo, mirror, new Set([".git", ".tmp", "node_modules", "test", "tsconfig.json"]));
    await linkEntries(join(repo, "test"), join(mirror, "test"), new Set(["types"]));
    for (const file of all) {
      const out = join(mirror, file);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, await showFile(repo, ref, file));
    }
    await writeFile(
      join(mirror, "tsconfig.json"),
      JSON.stringify({ extends: "../../tsconfig.json", compilerOptions: { noEmit: true, incremental: false }, include: [TYPE_TESTS] }, null, 2),
    );
    const { code, output } = await tsc(repo, ["-p", relative(repo, join(mirror, "tsconfig.json")), "--pretty", "false"]);
    const mirrorRel = relative(repo, mirror).split(sep).join("/");
    // TypeScript reports files reached through the symlinks at their mirror paths; they are
    // today's files, and only test/types/ is the base's.
    const errors = parseErrors(output).map((e) => {
      const file = e.file.startsWith(`${mirrorRel}/`) ? e.file.slice(mirrorRel.length + 1) : e.file;
      return { ...e, file: file.startsWith(`${TYPE_TESTS}/`) ? `${file} (at ${ref})` : file, breaking: !LOOSENING.has(e.code) };
    });
    if (code !== 0 && !errors.length) throw new Error(`tsc failed without reporting errors:\n${output}`);
    const breaking = errors.filter((e) => e.breaking).length;
    return {
      status: breaking ? "failed" : "passed",
      message: breaking
        ? `${breaking} type error${breaking > 1 ? "s" : ""} compiling the type tests of ${ref} against today's types`
        : `the type tests of ${ref} (${files.length} file${files.length > 1 ? "s" : ""}) compile against today's types`,
      errors,
    };
  } finally {
    await rm(mirror, { recursive: true, force: true });
  }
}

async function linkEntries(from, to, skip) {
  await mkdir(to, { recursive: true });
  if (!existsSync(from)) return;
  for (const entry of await readdir(from)) {
    if (!skip.has(entry)) await symlink(join(from, entry), join(to, entry));
  }
}

// The project's own TypeScript when it has one, so the check uses the version `npm test` uses.
function tsc(repo, args) {
  const own = join(repo, "node_modules", "typescript", "bin", "tsc");
  const bin = existsSync(own) ? own : join(ROOT, "node_modules", "typescript", "bin", "tsc");
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: repo, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

function parseErrors(output) {
  const errors = [];
  for (const line of output.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) errors.push({ file: m[1], line: Number(m[2]), column: Number(m[3]), code: m[4], message: m[5] });
    else if (errors.length && /^\s+\S/.test(line)) errors.at(-1).message += `\n${line.trimEnd()}`;
  }
  return errors;
}

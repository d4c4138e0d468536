// Runs the pinned Redocly CLI from node_modules. Lint and bundle go through the CLI rather than a
// library API because @redocly/cli ships as one bundle; spawning it keeps us on exactly the
// version that `redocly lint` reports to maintainers.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REDOCLY_BIN } from "./paths.mjs";

/** Runs `redocly <args>` in `cwd`; resolves to { code, stdout, stderr }. */
export function redocly(args, { cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [REDOCLY_BIN, ...args], {
      cwd,
      // The CLI prints a Node-version banner and update notices on a TTY; none of that is ours.
      env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_TELEMETRY: "off", NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Lints the spec with the project's redocly.yaml. Redocly reads `.redocly.lint-ignore.yaml` from
 * the config's folder and matches its entries against paths relative to `cwd`, so both are the
 * project root.
 */
export async function lint({ root, spec, config }) {
  const res = await redocly(["lint", spec, "--config", config, "--format=codeframe", "--max-problems=200"], { cwd: root });
  return { ok: res.code === 0, output: stripBanner(res.stdout + res.stderr) };
}

/**
 * Lints another party's document (`npm run generate -- --spec FILE`). It must be a well-formed
 * OpenAPI document: Redocly's \`minimal\` ruleset, whose errors are structural (invalid
 * members, unresolved $refs, bad types), stops generation. Our house rules describe how our own
 * spec is written, not what the client needs, so their problems, like minimal's warnings, are
 * counted per rule and reported as findings without stopping. Resolves to
 * { ok, output, findings: { rule: count } }.
 */
export async function lintForeign({ root, config }, specFile) {
  const scratch = await mkdtemp(join(tmpdir(), "propexo-lint-"));
  try {
    const minimal = join(scratch, "redocly.yaml");
    await writeFile(minimal, "telemetry: off\nextends:\n  - minimal\n");
    const strict = await redocly(["lint", specFile, "--config", minimal, "--format=codeframe", "--max-problems=50"], { cwd: scratch });
    if (strict.code !== 0) return { ok: false, output: stripBanner(strict.stdout + strict.stderr), findings: {} };
    const house = await redocly(["lint", specFile, "--config", config, "--format=json", "--max-problems=1000000"], { cwd: root });
    const text = house.stdout;
    const report = JSON.parse(text.slice(text.indexOf("{")));
    const findings = {};
    for (const problem of report.problems ?? []) findings[problem.ruleId] = (findings[problem.ruleId] ?? 0) + 1;
    return { ok: true, output: "", findings };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Bundles the spec into one JSON document (internal refs kept, files merged) at `outFile`. */
export async function bundle({ root, spec, config }, outFile) {
  const res = await redocly(["bundle", spec, "--config", config, "--ext", "json", "--output", outFile], { cwd: root });
  if (res.code !== 0) throw new Error(`redocly bundle failed:\n${stripBanner(res.stdout + res.stderr)}`);
}

// The CLI draws a boxed notice about Node 20's end of life on every run; it says nothing about
// the spec, so it is dropped from what we print.
function stripBanner(text) {
  return text
    .split("\n")
    .filter((line) => !/[║╔╚]/.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

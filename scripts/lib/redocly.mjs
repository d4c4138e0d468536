// Runs the pinned Redocly CLI from node_modules. Lint and bundle go through the CLI rather than a
// library API because @redocly/cli ships as one bundle; spawning it keeps us on exactly the
// version that `redocly lint` reports to maintainers.
import { spawn } from "node:child_process";
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

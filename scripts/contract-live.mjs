#!/usr/bin/env node
// npm run contract:live [-- --writes]
//
// Calls the real Propexo API with the client, through a Prism proxy that checks every request and
// response against generated/openapi.json, and prints one line per operation with each way the
// answer broke the spec. Exit codes: 0 conformant (or no token: nothing to check), 1 the API
// drifted from the spec, 2 the check could not run (refused token, unreachable API, crash).
//
// Environment: PROPEXO_TOKEN (required to run), PROPEXO_BASE_URL (default the sandbox), and IDs:
// PROPEXO_EVENT_ID and PROPEXO_JOB_ID for the reads that need one (else taken from earlier
// answers or skipped); with --writes, PROPEXO_INTEGRATION_ID, PROPEXO_LEAD_ID, ... for every
// ID the write bodies require (writes never act on IDs they were not given).
//
// The checks are TypeScript (they import the client), so this starts vitest on one file,
// test/contract/live/run.live.ts, and prints the report that file writes.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");
const CONFIG = join(ROOT, "test", "contract", "live", "vitest.config.ts");
const USAGE = "usage: node scripts/contract-live.mjs [--writes]";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => a !== "--writes");
if (unknown.length > 0) {
  console.error(`unknown argument ${unknown.join(" ")}\n${USAGE}`);
  process.exit(2);
}
const writes = args.includes("--writes");

if (!process.env.PROPEXO_TOKEN) {
  console.log("PROPEXO_TOKEN is not set: skipping the live contract check (nothing was sent).");
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), "propexo-live-"));
const reportPath = join(dir, "report.json");
try {
  const { code, output } = await run(process.execPath, [VITEST, "run", "--config", CONFIG, "--reporter=dot"], {
    ...process.env,
    PROPEXO_BASE_URL: process.env.PROPEXO_BASE_URL || "https://api.sandbox.propexo.com",
    PROPEXO_LIVE_WRITES: writes ? "1" : "0",
    PROPEXO_LIVE_REPORT: reportPath,
  });
  const report = await readFile(reportPath, "utf8").then(JSON.parse, () => undefined);
  if (report === undefined) {
    // No report means the check itself failed before judging anything (Prism did not start, ...).
    console.error(`${output}\nThe live contract check did not finish (vitest exited with ${code}); see the output above.`);
    process.exitCode = 2;
  } else {
    console.log(report.text);
    process.exitCode = report.exitCode;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

function run(command, argv, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

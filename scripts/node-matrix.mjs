#!/usr/bin/env node
// `npm run test:node -- [major ...]` (default: 22 24): runs `npm ci` and `npm test` on the
// committed HEAD under other Node majors, taking each Node from the npm registry's prebuilt
// packages (node-<platform>-<arch>), so nothing but the registry is needed. Each version gets a
// fresh clone in a temporary directory; its logs stay there and their paths are printed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = join(ROOT, "node_modules", ".cache", "node-matrix");
const majors = process.argv.slice(2).length ? process.argv.slice(2) : ["22", "24"];

for (const major of majors) {
  if (!/^\d+$/.test(major)) {
    console.error(`test:node: expected Node major versions such as 22 or 24, got ${JSON.stringify(major)}`);
    process.exit(2);
  }
}

/** Directory holding the `node` binary of the newest `major` release on the registry. */
function nodeBin(major) {
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(CACHE, major);
  const bin = join(dir, "package", "bin");
  if (!existsSync(join(bin, "node"))) {
    mkdirSync(dir, { recursive: true });
    execFileSync("npm", ["pack", `${pkg}@${major}`, "--silent", "--pack-destination", dir], { stdio: ["ignore", "ignore", "inherit"] });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${pkg}@${major} produced no tarball`);
    execFileSync("tar", ["xzf", join(dir, tarball), "-C", dir]);
  }
  return bin;
}

let failed = 0;
for (const major of majors) {
  const bin = nodeBin(major);
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` };
  const version = execFileSync(join(bin, "node"), ["-v"], { encoding: "utf8" }).trim();
  const work = mkdtempSync(join(tmpdir(), `propexo-node${major}-`));
  execFileSync("git", ["clone", "--quiet", ROOT, work]);
  console.log(`Node ${version}: npm ci && npm test in ${work}`);
  for (const step of [["ci", "--no-audit", "--no-fund"], ["test"]]) {
    const t0 = performance.now();
    const log = join(work, `npm-${step[0]}.log`);
    const res = spawnSync("bash", ["-c", `npm ${step.join(" ")} > "${log}" 2>&1`], { cwd: work, env, stdio: "inherit" });
    const seconds = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`  npm ${step[0]}: ${res.status === 0 ? "passed" : `FAILED (exit ${res.status})`} in ${seconds} s; log: ${log}`);
    if (res.status !== 0) {
      failed++;
      break;
    }
  }
}
process.exit(failed ? 1 : 0);

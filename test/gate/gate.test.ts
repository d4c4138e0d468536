// scripts/spec-diff.mjs end to end, on throwaway git repositories: the gate's verdict against the
// last release tag or the first commit, its behaviour without usable history, the --base report,
// and the type tests of the base compiled against today's code.
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { GIT_TEST_ENV } from "../helpers/git-env.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "spec-diff.mjs");
const FIXTURES = join(ROOT, "test", "gate", "fixtures");

const ENV = GIT_TEST_ENV;

const fixture = (dir: string, side: "old" | "new") => readFile(join(FIXTURES, dir, `${side}.json`), "utf8");
const BASE = () => fixture("additive", "old");
const BREAKING = () => fixture("response-property-removed", "new");
const ADDITIVE = () => fixture("additive", "new");
const pkg = (version: string) => `${JSON.stringify({ name: "gate-test", version }, null, 2)}\n`;

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

const git = (repo: string, ...args: string[]) => execFileSync("git", args, { cwd: repo, env: ENV, encoding: "utf8" }).trim();

/** A git repository; `commit` writes the files (null deletes one) and commits them. */
async function makeRepo() {
  const repo = await tempDir("spec-gate-");
  git(repo, "-c", "init.defaultBranch=main", "init", "-q");
  const write = async (files: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(files)) {
      if (content === null) await rm(join(repo, path), { force: true });
      else {
        await mkdir(dirname(join(repo, path)), { recursive: true });
        await writeFile(join(repo, path), content);
      }
    }
  };
  return {
    repo,
    write,
    async commit(message: string, files: Record<string, string | null>) {
      await write(files);
      git(repo, "add", "-A");
      git(repo, "commit", "-q", "--allow-empty", "-m", message);
    },
    tag: (name: string) => git(repo, "tag", name),
  };
}

function run(repo: string, args: string[], env: NodeJS.ProcessEnv = ENV) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args, "--repo", repo], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A repository released as v1.0.0 with the fixtures' base spec. */
async function released() {
  const r = await makeRepo();
  await r.commit("release", { "package.json": pkg("1.0.0"), "generated/openapi.json": await BASE() });
  r.tag("v1.0.0");
  return r;
}

describe("the gate (--gate)", () => {
  it("fails on a breaking change at a minor bump, naming it; passes once the major version goes up", async () => {
    const r = await released();
    await r.commit("drop Pet.born", { "package.json": pkg("1.1.0"), "generated/openapi.json": await BREAKING() });
    const failed = await run(r.repo, ["--gate"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("spec-diff: v1.0.0");
    expect(failed.stdout).toContain('Breaking (1)\n  ✗ response-property-removed: response property "born" removed');
    expect(failed.stdout).toMatch(/spec gate: FAILED: 1 breaking change since v1\.0\.0 \(version 1\.0\.0\), but package\.json is still 1\.1\.0; bump the major version to 2\.0\.0/);

    await r.commit("release 2.0.0", { "package.json": pkg("2.0.0") });
    const passed = await run(r.repo, ["--gate"]);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toContain("Breaking (1)");
    expect(passed.stdout).toContain("spec gate: passed: breaking changes since v1.0.0, released as a new major version (1 → 2)");
  });

  it("passes an additive change at a minor bump with one line, comparing with the newest v* tag only", async () => {
    const r = await released();
    await r.commit("add color and replacePet", { "package.json": pkg("1.1.0"), "generated/openapi.json": await ADDITIVE() });
    r.tag("nightly-7");
    const res = await run(r.repo, ["--gate"]);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(
      "spec gate: passed: no breaking changes since v1.0.0 (3 non-breaking changes; no type tests at base (v1.0.0 has no test/types/)).",
    );
  });

  it("counts uncommitted changes: the working tree is what is compared", async () => {
    const r = await released();
    await r.write({ "generated/openapi.json": await BREAKING() });
    expect((await run(r.repo, ["--gate"])).code).toBe(1);
  });

  it("without a release tag compares with the first commit, bundling its openapi/ when it has no bundle", async () => {
    const r = await makeRepo();
    // JSON is YAML, so the base spec can stand as openapi/propexo.yaml; this commit has no package.json either.
    await r.commit("spec only", { "openapi/propexo.yaml": await BASE() });
    await r.commit("pipeline", { "package.json": pkg("0.2.0"), "openapi/propexo.yaml": await BREAKING(), "generated/openapi.json": await BREAKING() });
    const failed = await run(r.repo, ["--gate"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("no v* release tag; first commit; openapi/propexo.yaml at");
    expect(failed.stdout).toContain("bundled");
    expect(failed.stdout).toContain("response-property-removed");
    expect(failed.stdout).toContain("(version none), but package.json is still 0.2.0; bump the major version to 1.0.0");

    await r.commit("1.0.0", { "package.json": pkg("1.0.0") });
    expect((await run(r.repo, ["--gate"])).code).toBe(0);
  });

  it("passes when the first commit has no spec at all: everything in today's is new", async () => {
    const r = await makeRepo();
    await r.commit("empty", { "README.md": "hello\n" });
    await r.commit("spec", { "package.json": pkg("0.1.0"), "generated/openapi.json": await BASE() });
    const res = await run(r.repo, ["--gate"]);
    expect(res.code).toBe(0);
    // Four operations and six components (five schemas, one response), each new.
    expect(res.stdout).toMatch(/no breaking changes since [0-9a-f]{12} \(10 non-breaking changes/);
  });

  it("passes a behaviour change (a default changed) at a minor bump, but prints it", async () => {
    const r = await released();
    await r.commit("limit defaults to 50", { "package.json": pkg("1.1.0"), "generated/openapi.json": await fixture("default-changed", "new") });
    const res = await run(r.repo, ["--gate"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Behaviour changes (1)\n  ! default-changed: default changed 20 → 50 (in a request: leaving it out now means something else)");
    expect(res.stdout).toMatch(/spec gate: passed: no breaking changes since v1\.0\.0 \(1 behaviour change, listed above: not blocking; 0 non-breaking changes;/);

    const json = JSON.parse((await run(r.repo, ["--base", "v1.0.0", "--json", "--no-types"])).stdout) as { breaking: number; behaviour: number; findings: { severity: string }[] };
    expect(json).toMatchObject({ breaking: 0, behaviour: 1 });
    expect(json.findings.map((f) => f.severity)).toEqual(["behaviour"]);
  });

  it("refuses, naming the fix, when generated/openapi.json is not what openapi/ says now", async () => {
    const r = await released();
    await r.commit("keep the source", { "openapi/propexo.yaml": await BASE() });
    // The spec was edited and not regenerated.
    await r.write({ "openapi/propexo.yaml": await BREAKING() });
    for (const args of [["--gate"], ["--base", "v1.0.0", "--json"]]) {
      const res = await run(r.repo, args);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toContain("generated/openapi.json is not the bundle of openapi/propexo.yaml; run `npm run generate`");
    }
    await r.write({ "generated/openapi.json": await BREAKING() });
    const fresh = await run(r.repo, ["--base", "v1.0.0", "--no-types"]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('response-property-removed: response property "born" removed');
  });

  it("in a project with the generator, refuses when the generator's --check finds generated/ stale", async () => {
    const r = await makeRepo();
    for (const entry of ["scripts", "openapi", "generated", "redocly.yaml", ".redocly.lint-ignore.yaml", "package.json"]) {
      if (existsSync(join(ROOT, entry))) await cp(join(ROOT, entry), join(r.repo, entry), { recursive: true });
    }
    await symlink(join(ROOT, "node_modules"), join(r.repo, "node_modules"));
    await r.commit("release", { ".gitignore": "node_modules\n" });
    r.tag("v9.0.0");
    // A summary edited in the spec, generated/ left as it was.
    const specFile = join(r.repo, "openapi", "propexo.yaml");
    const spec = parseDocument(await readFile(specFile, "utf8"));
    const [path, item] = Object.entries((spec.toJS() as { paths: Record<string, Record<string, { summary?: string }>> }).paths)[0]!;
    const method = Object.keys(item).find((k) => ["get", "put", "post", "delete", "patch"].includes(k))!;
    spec.setIn(["paths", path, method, "summary"], `${item[method]!.summary ?? ""} (revised)`);
    await writeFile(specFile, spec.toString());
    const res = await run(r.repo, ["--base", "v9.0.0", "--no-types"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain("generated/ does not match openapi/propexo.yaml (scripts/generate.mjs --check failed); run `npm run generate`");
    expect(res.stderr).toContain("generated/openapi.json: differs from what the spec generates");
  });

  it("skips with exit 0 outside a git checkout, in a repository without commits and in a shallow clone", async () => {
    const plain = await tempDir("spec-gate-plain-");
    await writeFile(join(plain, "package.json"), pkg("1.0.0"));
    const outside = await run(plain, ["--gate"]);
    expect(outside).toMatchObject({ code: 0 });
    expect(outside.stdout).toMatch(/^spec gate skipped: .* is not a git checkout/);

    const empty = await makeRepo();
    const unborn = await run(empty.repo, ["--gate"]);
    expect(unborn.code).toBe(0);
    expect(unborn.stdout).toContain("spec gate skipped: the repository has no commits yet");

    const r = await released();
    await r.commit("drop Pet.born", { "package.json": pkg("1.1.0"), "generated/openapi.json": await BREAKING() });
    const clone = join(await tempDir("spec-gate-shallow-"), "clone");
    execFileSync("git", ["clone", "-q", "--depth", "1", `file://${r.repo}`, clone], { env: ENV });
    const shallow = await run(clone, ["--gate"]);
    expect(shallow.code).toBe(0);
    expect(shallow.stdout).toContain("spec gate skipped: this is a shallow clone");
    expect(shallow.stdout).toContain("git fetch --unshallow --tags");
  });

  it("fails, exit 1, when git itself is missing", async () => {
    const r = await released();
    const res = await run(r.repo, ["--gate"], { ...ENV, PATH: join(r.repo, "no-such-bin") });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("git is not installed or not on PATH");
  });
});

describe("the report (--base)", () => {
  it("exits 0 on breaking changes unless --fail-on-breaking; --json gives the findings", async () => {
    const r = await released();
    await r.commit("drop Pet.born", { "package.json": pkg("1.1.0"), "generated/openapi.json": await BREAKING() });
    const text = await run(r.repo, ["--base", "v1.0.0"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Breaking (1)");
    expect(text.stdout).toContain("Type tests: no type tests at base");
    expect((await run(r.repo, ["--base", "v1.0.0", "--fail-on-breaking"])).code).toBe(1);
    expect((await run(r.repo, ["--base", "HEAD", "--fail-on-breaking"])).code).toBe(0);

    const json = await run(r.repo, ["--base", "v1.0.0", "--json", "--no-types"]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { breaking: number; types: unknown; base: { version: string }; findings: { rule: string; breaking: boolean; location: string }[] };
    expect(report).toMatchObject({ breaking: 1, types: null, base: { version: "1.0.0" } });
    // One change, reported at each of the three places Pet is read.
    expect(report.findings.every((f) => f.rule === "response-property-removed" && f.breaking)).toBe(true);
    expect(report.findings.map((f) => f.location).sort()).toEqual([
      "GET /pets #/responses/200/content/application~1json/schema/properties/items/items/properties/born",
      "GET /pets/{pet_id} #/responses/200/content/application~1json/schema/properties/born",
      "POST /pets #/responses/201/content/application~1json/schema/properties/born",
    ]);
  });

  it("--changelog puts an entry for package.json's version at the top of CHANGELOG.md", async () => {
    const r = await released();
    await r.commit("2.0.0", {
      "package.json": pkg("2.0.0"),
      "generated/openapi.json": await BREAKING(),
      "CHANGELOG.md": "# Changelog\n\n## 1.0.0 — 2025-01-01\n\nFirst release.\n",
    });
    const res = await run(r.repo, ["--base", "v1.0.0", "--changelog", "--no-types"]);
    expect(res.code).toBe(0);
    const text = await readFile(join(r.repo, "CHANGELOG.md"), "utf8");
    expect(text).toMatch(/^# Changelog\n\n## 2\.0\.0 — \d{4}-\d{2}-\d{2}\n\n<!-- written by scripts\/spec-diff\.mjs --base v1\.0\.0 -->\n\n### Breaking\n\n/);
    expect(text).toContain('- `#/components/schemas/Pet/properties/born` (3 places): response property "born" removed');
    expect(text).toMatch(/\n## 1\.0\.0 — 2025-01-01\n\nFirst release\.\n$/);
  });

  it("exits 2 on a usage error or a ref that names no commit", async () => {
    const r = await released();
    const noBase = await run(r.repo, []);
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toContain("--base <git ref>, or --gate");
    const unknown = await run(r.repo, ["--base", "v9.9.9"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("v9.9.9 names no commit");
  });
});

// A tiny TypeScript project: the base's type tests import ../../generated/schema.js,
// ../../src/index.js and a test helper, as the project's own do.
describe("type tests of the base, compiled against today's code", () => {
  const SCHEMA = 'export interface components {\n  schemas: { Pet: { id: string; name: string } };\n}\n';
  const SRC = 'import type { components } from "../generated/schema.js";\n\nexport const petName = (pet: components["schemas"]["Pet"]): string => pet.name;\n';
  const TYPE_TEST = [
    'import type { components } from "../../generated/schema.js";',
    'import { petName } from "../../src/index.js";',
    'import { rex } from "../helpers/pets.js";',
    "",
    'export const name: string = petName(rex);',
    "// @ts-expect-error: a pet needs an id",
    'export const stray: components["schemas"]["Pet"] = { name: "Stray" };',
    "",
  ].join("\n");
  const TSCONFIG = JSON.stringify({
    compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, noEmit: true, skipLibCheck: true, types: [] },
    include: ["src", "generated", "test"],
  });

  async function typedProject() {
    const r = await makeRepo();
    await symlink(join(ROOT, "node_modules"), join(r.repo, "node_modules"));
    await r.commit("release", {
      ".gitignore": "node_modules\n.tmp/\n",
      "package.json": pkg("1.0.0"),
      "tsconfig.json": TSCONFIG,
      "generated/openapi.json": await BASE(),
      "generated/schema.ts": SCHEMA,
      "src/index.ts": SRC,
      "test/helpers/pets.ts": 'export const rex = { id: "1", name: "Rex" };\n',
      "test/types/pets.test-d.ts": TYPE_TEST,
    });
    r.tag("v1.0.0");
    return r;
  }

  it("a source change that breaks them fails the gate though the spec is unchanged, and leaves nothing behind", async () => {
    const r = await typedProject();
    await r.commit("petName takes a style", {
      "package.json": pkg("1.1.0"),
      "src/index.ts": SRC.replace("): string", ', style: "short" | "long"): string'),
      // Today's type tests are irrelevant: the base's are the contract.
      "test/types/pets.test-d.ts": null,
    });
    const res = await run(r.repo, ["--gate"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("No changes to the API description.");
    expect(res.stdout).toContain("Type tests: 1 type error compiling the type tests of v1.0.0 against today's types");
    expect(res.stdout).toMatch(/✗ test\/types\/pets\.test-d\.ts \(at v1\.0\.0\):5:\d+ TS2554 Expected 2 arguments/);
    expect(res.stdout).toContain("spec gate: FAILED: 1 breaking change since v1.0.0");
    expect((await readdir(join(r.repo, ".tmp"))).filter((e) => e.startsWith("gate-types-"))).toEqual([]);
  });

  it("a loosening (an expected error that no longer happens) is noted, not breaking; unchanged code passes", async () => {
    const r = await typedProject();
    const same = await run(r.repo, ["--gate"]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("the type tests of v1.0.0 (1 file) compile against today's types");

    await r.commit("id optional", { "package.json": pkg("1.1.0"), "generated/schema.ts": SCHEMA.replace("id: string", "id?: string") });
    const res = await run(r.repo, ["--base", "v1.0.0", "--json"]);
    expect(res.code).toBe(0);
    const { types } = JSON.parse(res.stdout) as { types: { status: string; errors: { code: string; breaking: boolean; file: string }[] } };
    expect(types.status).toBe("passed");
    expect(types.errors).toEqual([expect.objectContaining({ code: "TS2578", breaking: false, file: "test/types/pets.test-d.ts (at v1.0.0)" })]);
    expect((await run(r.repo, ["--gate"])).code).toBe(0);
    expect(existsSync(join(r.repo, ".tmp"))).toBe(true);
  });
});

// The generation pipeline: lint of the composed spec is clean and its house rules bite, whether
// the operation broken comes from Propexo's document through the overlay or from
// openapi/propexo.yaml; generation is deterministic, the drift check catches stale output, and a
// spec that fails lint leaves generated/ untouched.
import { mkdir, readFile, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it, type TestContext } from "vitest";
import { loadSpec, ROOT, runGenerate, scratchProject, snapshotDir } from "../helpers/project.js";
import { compose } from "../../scripts/lib/compose.mjs";
import { projectPaths } from "../../scripts/lib/paths.mjs";

// Where the pipeline writes the composed spec it lints (scripts/lib/pipeline.mjs).
const COMPOSED = ".tmp/propexo.composed.json";

// Each test gets its own scratch copy, removed when that test ends, so tests can run concurrently.
async function scratch(ctx: TestContext) {
  const s = await scratchProject();
  ctx.onTestFinished(() => s.dispose());
  return s.root;
}
const SOURCES = { spec: "propexo.yaml", overlay: "propexo.overlay.yaml" } as const;
async function editSpec(root: string, from: string | RegExp, to: string, source: keyof typeof SOURCES = "spec") {
  const file = join(root, "openapi", SOURCES[source]);
  const text = await readFile(file, "utf8");
  const edited = text.replace(from, to);
  expect(edited, `the edit ${from} must change ${SOURCES[source]}`).not.toBe(text);
  await writeFile(file, edited);
}
/** Appends actions to the overlay, as a maintainer would add them. */
async function addOverlayActions(root: string, yaml: string) {
  const file = join(root, "openapi", SOURCES.overlay);
  await writeFile(file, `${(await readFile(file, "utf8")).trimEnd()}\n${yaml}`);
}
const RETRY = "$.paths['/v1/admin/retry-write/{root_job_id}'].post";

describe.concurrent("lint", () => {
  it("reports zero problems on the composed spec (errors and warnings)", async (ctx) => {
    const root = await scratch(ctx);
    await mkdir(join(root, ".tmp"), { recursive: true });
    await writeFile(join(root, COMPOSED), JSON.stringify(await loadSpec(root), null, 2));
    const res = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/@redocly/cli/bin/cli.js"), "lint", COMPOSED, "--config", "redocly.yaml", "--format=json"],
      { cwd: root, encoding: "utf8", env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
    );
    const report = JSON.parse(res.stdout.slice(res.stdout.indexOf("{")));
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    // The listed trailing-slash paths, and nothing else, are exempt.
    expect(report.totals.ignored).toBeGreaterThan(0);
    expect(res.status).toBe(0);
  });

  // Operations taken from Propexo's document, broken through the overlay. One composed spec holds
  // every break, so Propexo's document goes through the overlay once; each rule must be named.
  it("the house rules stop breaks of the operations taken from Propexo's document, each named", async (ctx) => {
    const root = await scratch(ctx);
    await editSpec(root, "operationId: retryWrite", "operationId: retry_write", "overlay");
    await editSpec(root, "'400':\n        $ref: '#/components/responses/BadRequest'", "'400':\n        $ref: '#/components/responses/Unauthorized'", "overlay");
    // Propexo gives integration_id no description; the overlay's is the only one.
    await editSpec(root, /\n  - target: \$\.components\.schemas\['_v1_appointment-availability__post_input'\]\.properties\.integration_id\n.*\n/, "\n", "overlay");
    await addOverlayActions(root, ["tags", "summary", "security"].map((member) => `  - target: ${RETRY}.${member}\n    remove: true\n`).join(""));
    const res = await runGenerate(root, ["--lint-only"]);
    expect(res.code).toBe(1);
    for (const rule of ["operation-id-camel-case", "operation-400-shared-error", "property-description", "operation-tags", "operation-summary", "operation-security"]) {
      expect(res.output).toContain(`rule/${rule}`);
    }
    // Each break is named where it is: the taken operation, or the component the overlay named.
    for (const member of ["operationId", "tags", "summary", "security"]) expect(res.output).toContain(`at #/paths/~1v1~1admin~1retry-write~1{root_job_id}/post/${member}`);
    expect(res.output).toMatch(/at #\/components\/schemas\/\w+\/properties\/integration_id\/description\n[\s\S]*?rule\/property-description/);
  });

  // Operations of openapi/propexo.yaml, one break each. Each broken spec is composed on its own,
  // then Redocly lints them all, with the unbroken one, in one run: a break must add at least one
  // problem of its rule to what the unbroken spec has.
  it("each house rule stops a spec of ours that breaks it", async (ctx) => {
    const breaks: [string, string | RegExp, string][] = [
      ["rule/operation-400-shared-error", /('400':\n\s+)\$ref: '#\/components\/responses\/BadRequest'(\n\s+'401':\n\s+\$ref: '#\/components\/responses\/Unauthorized'\n\s+'429':\n\s+\$ref: '#\/components\/responses\/TooManyRequests'\n\n\s+\/v1\/events\/appointments\/leads\/resman\/\{event_id\})/, "$1$ref: '#/components/responses/Unauthorized'$2"],
      ["rule/property-description", "          description: Propexo ID of the lead source.\n", ""],
      ["propexo/per-pms-operation-names-vendor", "      x-propexo-vendor: resman\n      x-propexo-subject: leads\n      x-propexo-verb: update\n", "      x-propexo-subject: leads\n      x-propexo-verb: update\n"],
      ["propexo/per-pms-summary-names-vendor", "summary: Update a lead appointment in ResMan", "summary: Update a lead appointment somewhere"],
      // A PMS the spec does not declare (no tag with x-propexo-pms) is caught, not skipped.
      ["propexo/per-pms-operation-names-vendor", "      x-propexo-vendor: resman\n      x-propexo-subject: leads\n      x-propexo-verb: update\n", "      x-propexo-vendor: newpms\n      x-propexo-subject: leads\n      x-propexo-verb: update\n"],
      // Every PMS states how it reads appointment times: a missing or unknown zone is caught.
      ["propexo/pms-time-zone", "    x-propexo-time-zone: UTC\n", ""],
      ["propexo/pms-time-zone", "    x-propexo-time-zone: UTC\n", "    x-propexo-time-zone: Mars/Olympus_Mons\n"],
    ];
    const root = await scratch(ctx);
    const own = await readFile(join(root, "openapi", SOURCES.spec), "utf8");
    await mkdir(join(root, ".tmp"), { recursive: true });
    const files = ["unbroken", ...breaks.map((_, i) => `break-${i}`)].map((name) => `.tmp/${name}.json`);
    for (const [i, file] of files.entries()) {
      const edited = i === 0 ? own : own.replace(breaks[i - 1]![1], breaks[i - 1]![2]);
      if (i > 0) expect(edited, `the edit for ${breaks[i - 1]![0]} must change the spec`).not.toBe(own);
      await writeFile(join(root, "openapi", SOURCES.spec), edited);
      await writeFile(join(root, file), JSON.stringify(await compose(projectPaths(root))));
    }
    const res = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/@redocly/cli/bin/cli.js"), "lint", ...files, "--config", "redocly.yaml", "--format=json", "--max-problems=100000"],
      { cwd: root, encoding: "utf8", env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
    );
    // One JSON report per file, written back to back.
    const reports = JSON.parse(`[${res.stdout.slice(res.stdout.indexOf("{")).replace(/\n\}\{\n/g, "\n},{\n")}]`);
    expect(reports).toHaveLength(files.length);
    const problems = reports.flatMap((r: any) => r.problems);
    const count = (file: string, rule: string) =>
      problems.filter((p: any) => p.ruleId === rule && p.location.some((l: any) => l.source.ref.endsWith(file))).length;
    const missed = breaks.map(([rule, from, to], i) => ({ rule, from, to, added: count(files[i + 1]!, rule) - count(files[0]!, rule) })).filter((b) => b.added <= 0);
    expect(missed).toEqual([]);
  });
});

describe.concurrent("npm run generate", () => {
  it("is deterministic and reproduces the committed generated/ byte for byte", async (ctx) => {
    const root = await scratch(ctx);
    const committed = await snapshotDir(join(root, "generated"));
    await rm(join(root, "generated"), { recursive: true });
    // Once without the cache of what is taken from Propexo's document, once with it.
    expect((await runGenerate(root, [], { cache: false })).code).toBe(0);
    const first = await snapshotDir(join(root, "generated"));
    expect((await runGenerate(root)).code).toBe(0);
    const second = await snapshotDir(join(root, "generated"));
    expect(second).toEqual(first);
    expect(first).toEqual(committed);
  });

  it("--check fails and names each stale or foreign file, then passes after regeneration", async (ctx) => {
    const root = await scratch(ctx);
    const file = join(root, "generated", "schema.ts");
    await writeFile(file, (await readFile(file, "utf8")) + "\n// edited by hand\n");
    // A file in generated/ that the pipeline does not write is stale too.
    await writeFile(join(root, "generated", "extra.ts"), "export {};\n");
    const stale = await runGenerate(root, ["--check"]);
    expect(stale.code).toBe(1);
    expect(stale.output).toContain("generated/schema.ts");
    expect(stale.output).toContain("generated/extra.ts");
    expect((await runGenerate(root)).code).toBe(0);
    expect((await runGenerate(root, ["--check"])).code).toBe(0);
  });

  it("--check catches a spec edited without regenerating", async (ctx) => {
    const root = await scratch(ctx);
    await editSpec(root, "maxLength: 50\n      description: Short title", "maxLength: 40\n      description: Short title");
    const res = await runGenerate(root, ["--check"]);
    expect(res.code).toBe(1);
    expect(res.output).toContain("generated/openapi.json");
    expect(res.output).toContain("generated/validation.ts");
  });

  it("stops on a lint error with Redocly's message and leaves generated/ untouched", async (ctx) => {
    const root = await scratch(ctx);
    const before = await snapshotDir(join(root, "generated"));
    await editSpec(root, "          description: Propexo ID of the lead source.\n", "");
    const res = await runGenerate(root);
    expect(res.code).toBe(1);
    expect(res.output).toContain("rule/property-description");
    expect(res.output).toContain("lead_source_id");
    expect(res.output).toContain("generated/ was left untouched");
    expect(res.output).toContain(COMPOSED);
    expect(await snapshotDir(join(root, "generated"))).toEqual(before);
  });
});

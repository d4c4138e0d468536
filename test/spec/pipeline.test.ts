// The generation pipeline: lint of the composed spec is clean and its house rules bite, whether
// the operation broken comes from Propexo's document through the overlay or from
// openapi/propexo.yaml; generation is deterministic, the drift check catches stale output, and a
// spec that fails lint leaves generated/ untouched.
import { mkdir, readFile, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it, type TestContext } from "vitest";
import { loadSpec, ROOT, runGenerate, scratchProject, snapshotDir } from "../helpers/project.js";

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

  // [rule, how the spec is broken]: an edit of one source, or overlay actions appended to it.
  type Break = { source: keyof typeof SOURCES; from: string | RegExp; to: string } | { actions: string };
  it.for<[string, Break]>([
    // Operations taken from Propexo's document, broken through the overlay.
    ["rule/operation-id-camel-case", { source: "overlay", from: "operationId: retryWrite", to: "operationId: retry_write" }],
    ["rule/operation-tags", { actions: `  - target: ${RETRY}.tags\n    remove: true\n` }],
    ["rule/operation-summary", { actions: `  - target: ${RETRY}.summary\n    remove: true\n` }],
    ["rule/operation-security", { actions: `  - target: ${RETRY}.security\n    remove: true\n` }],
    ["rule/operation-400-shared-error", { source: "overlay", from: "'400':\n        $ref: '#/components/responses/BadRequest'", to: "'400':\n        $ref: '#/components/responses/Unauthorized'" }],
    // Propexo gives integration_id no description; the overlay's is the only one.
    ["rule/property-description", { source: "overlay", from: /\n  - target: \$\.components\.schemas\['_v1_appointment-availability__post_input'\]\.properties\.integration_id\n.*\n/, to: "\n" }],
    // Operations of openapi/propexo.yaml.
    ["rule/operation-400-shared-error", { source: "spec", from: /('400':\n\s+)\$ref: '#\/components\/responses\/BadRequest'(\n\s+'401':\n\s+\$ref: '#\/components\/responses\/Unauthorized'\n\s+'429':\n\s+\$ref: '#\/components\/responses\/TooManyRequests'\n\n\s+\/v1\/events\/appointments\/leads\/resman\/\{event_id\})/, to: "$1$ref: '#/components/responses/Unauthorized'$2" }],
    ["rule/property-description", { source: "spec", from: "          description: Propexo ID of the lead source.\n", to: "" }],
    ["propexo/per-pms-operation-names-vendor", { source: "spec", from: "      x-propexo-vendor: resman\n      x-propexo-subject: leads\n      x-propexo-verb: update\n", to: "      x-propexo-subject: leads\n      x-propexo-verb: update\n" }],
    ["propexo/per-pms-summary-names-vendor", { source: "spec", from: "summary: Update a lead appointment in ResMan", to: "summary: Update a lead appointment somewhere" }],
    // A PMS the spec does not declare (no tag with x-propexo-pms) is caught, not skipped.
    ["propexo/per-pms-operation-names-vendor", { source: "spec", from: "      x-propexo-vendor: resman\n      x-propexo-subject: leads\n      x-propexo-verb: update\n", to: "      x-propexo-vendor: newpms\n      x-propexo-subject: leads\n      x-propexo-verb: update\n" }],
  ])("%s stops a spec that breaks it", async ([rule, broken], ctx) => {
    const root = await scratch(ctx);
    if ("actions" in broken) await addOverlayActions(root, broken.actions);
    else await editSpec(root, broken.from, broken.to, broken.source);
    const res = await runGenerate(root, ["--lint-only"]);
    expect(res.code).toBe(1);
    expect(res.output).toContain(rule);
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

  it("--check fails and names the stale file, then passes after regeneration", async (ctx) => {
    const root = await scratch(ctx);
    expect((await runGenerate(root, ["--check"])).code).toBe(0);
    const file = join(root, "generated", "schema.ts");
    await writeFile(file, (await readFile(file, "utf8")) + "\n// edited by hand\n");
    const stale = await runGenerate(root, ["--check"]);
    expect(stale.code).toBe(1);
    expect(stale.output).toContain("generated/schema.ts");
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

  it("--check catches a file in generated/ that the pipeline does not write", async (ctx) => {
    const root = await scratch(ctx);
    await writeFile(join(root, "generated", "extra.ts"), "export {};\n");
    const res = await runGenerate(root, ["--check"]);
    expect(res.code).toBe(1);
    expect(res.output).toContain("generated/extra.ts");
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

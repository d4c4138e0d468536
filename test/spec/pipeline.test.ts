// The generation pipeline: lint is clean and its house rules bite, generation is deterministic,
// the drift check catches stale output, and a spec that fails lint leaves generated/ untouched.
import { readFile, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it, type TestContext } from "vitest";
import { ROOT, runGenerate, scratchProject, snapshotDir } from "../helpers/project.js";

// Each test gets its own scratch copy, removed when that test ends, so tests can run concurrently.
async function scratch(ctx: TestContext) {
  const s = await scratchProject();
  ctx.onTestFinished(() => s.dispose());
  return s.root;
}
async function editSpec(root: string, from: string | RegExp, to: string) {
  const file = join(root, "openapi", "propexo.yaml");
  const text = await readFile(file, "utf8");
  const edited = text.replace(from, to);
  expect(edited, `the edit ${from} must change the spec`).not.toBe(text);
  await writeFile(file, edited);
}

describe.concurrent("lint", () => {
  it("reports zero problems on the spec (errors and warnings)", () => {
    const res = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/@redocly/cli/bin/cli.js"), "lint", "openapi/propexo.yaml", "--format=json"],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
    );
    const report = JSON.parse(res.stdout.slice(res.stdout.indexOf("{")));
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(res.status).toBe(0);
  });

  it.for<[string, string | RegExp, string]>([
    ["rule/operation-id-camel-case", "operationId: retryWrite", "operationId: retry_write"],
    ["rule/operation-tags", "tags: [admin]\n      security:\n        - bearerAuth: []\n      x-propexo-resource: writes\n      x-propexo-verb: retry", "tags: []\n      security:\n        - bearerAuth: []\n      x-propexo-resource: writes\n      x-propexo-verb: retry"],
    ["rule/operation-summary", "      summary: Retry a failed write job\n", ""],
    ["rule/operation-security", "operationId: retryWrite\n      summary: Retry a failed write job\n", "operationId: retryWrite\n      summary: Retry a failed write job\n"],
    ["rule/operation-400-shared-error", /('400':\n\s+)\$ref: '#\/components\/responses\/BadRequest'(\n\s+'401':\n\s+\$ref: '#\/components\/responses\/Unauthorized'\n\s+'429':\n\s+\$ref: '#\/components\/responses\/TooManyRequests'\n\n\s+\/v1\/admin\/retry-write)/, "$1$ref: '#/components/responses/Unauthorized'$2"],
    ["rule/property-description", "          description: Propexo ID of the lead source.\n", ""],
    ["propexo/per-pms-operation-names-vendor", "      x-propexo-vendor: resman\n      x-propexo-subject: leads\n      x-propexo-verb: update\n", "      x-propexo-subject: leads\n      x-propexo-verb: update\n"],
    ["propexo/per-pms-summary-names-vendor", "summary: Update a lead appointment in ResMan", "summary: Update a lead appointment somewhere"],
    // A PMS the spec does not declare (no tag with x-propexo-pms) is caught, not skipped.
    ["propexo/per-pms-operation-names-vendor", "      x-propexo-vendor: resman\n      x-propexo-subject: leads\n      x-propexo-verb: update\n", "      x-propexo-vendor: newpms\n      x-propexo-subject: leads\n      x-propexo-verb: update\n"],
    // Every PMS states how it reads appointment times: a missing or unknown zone is caught.
    ["propexo/pms-time-zone", "    x-propexo-time-zone: UTC\n", ""],
    ["propexo/pms-time-zone", "    x-propexo-time-zone: UTC\n", "    x-propexo-time-zone: Mars/Olympus_Mons\n"],
  ])("%s stops a spec that breaks it", async ([rule, from, to], ctx) => {
    const root = await scratch(ctx);
    if (rule === "rule/operation-security") {
      // Security is stated per operation; drop it from one.
      const file = join(root, "openapi", "propexo.yaml");
      const text = await readFile(file, "utf8");
      const at = text.indexOf("operationId: retryWrite");
      const edited = text.slice(0, at) + text.slice(at).replace("      security:\n        - bearerAuth: []\n", "");
      expect(edited).not.toBe(text);
      await writeFile(file, edited);
    } else {
      await editSpec(root, from, to);
    }
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
    expect((await runGenerate(root)).code).toBe(0);
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
    expect(await snapshotDir(join(root, "generated"))).toEqual(before);
  });
});

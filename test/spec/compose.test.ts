// Composing the spec: an overlay action that no longer matches Propexo's document stops the
// pipeline and is named (never skipped), and so do an operation or component that both sources
// define, a component of Propexo's that reaches the spec without a name of ours, and one name
// given to two different nodes.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, type TestContext } from "vitest";
import { compose } from "../../scripts/lib/compose.mjs";
import { projectPaths } from "../../scripts/lib/paths.mjs";
import { runGenerate, scratchProject, snapshotDir } from "../helpers/project.js";

async function scratch(ctx: TestContext) {
  const s = await scratchProject();
  ctx.onTestFinished(() => s.dispose());
  return s.root;
}
async function edit(root: string, file: string, from: string | RegExp, to: string) {
  const path = join(root, "openapi", file);
  const text = await readFile(path, "utf8");
  const edited = text.replace(from, to);
  expect(edited, `the edit ${from} must change ${file}`).not.toBe(text);
  await writeFile(path, edited);
}
/** The problems composing reports, or [] when it succeeds. */
async function problems(root: string): Promise<string[]> {
  try {
    await compose(projectPaths(root));
    return [];
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
}

describe.concurrent("composing the spec", () => {
  it("succeeds on the project as it is", async (ctx) => {
    expect(await problems(await scratch(ctx))).toEqual([]);
  });

  it("stops on an overlay action that matches nothing, names it, and leaves generated/ untouched", async (ctx) => {
    const root = await scratch(ctx);
    const before = await snapshotDir(join(root, "generated"));
    await edit(root, "propexo.overlay.yaml", "target: $.paths['/v1/events/appointments/leads/cancel'].post\n", "target: $.paths['/v1/events/appointments/leads/annul'].post\n");
    const res = await runGenerate(root);
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/1 overlay action of openapi\/propexo\.overlay\.yaml no longer matches Propexo's document/);
    expect(res.output).toContain("$.paths['/v1/events/appointments/leads/annul'].post (take the generic lead appointment cancel)");
    expect(res.output).toContain("generated/ was left untouched");
    expect(await snapshotDir(join(root, "generated"))).toEqual(before);
  });

  it("reports every unmatched action, and an action openapi-format refuses as unmatched", async (ctx) => {
    const root = await scratch(ctx);
    await edit(root, "propexo.overlay.yaml", ".properties.lead_source_id\n", ".properties.lead_source\n");
    await edit(root, "propexo.overlay.yaml", /(  - target: \$\.components\.schemas\.Event\.properties\.id\n)(    update:)/, "$1    remove: false\n$2");
    const found = await problems(root);
    expect(found.filter((p) => p.startsWith("action #"))).toHaveLength(2);
    expect(found.some((p) => p.includes(".properties.lead_source"))).toBe(true);
    expect(found.some((p) => p.includes("$.components.schemas.Event.properties.id"))).toBe(true);
    expect(found.some((p) => p.startsWith("openapi-format:") && p.includes('"remove" must be set to true'))).toBe(true);
  });

  it("stops on an operation that both sources define", async (ctx) => {
    const root = await scratch(ctx);
    await edit(
      root,
      "propexo.yaml",
      "\npaths:\n",
      `
paths:
  /v1/admin/retry-write/{root_job_id}:
    post:
      summary: Retry a failed write job here too
      parameters:
        - $ref: '#/components/parameters/EventId'
      responses:
        '200':
          $ref: '#/components/responses/RentmanagerAppointmentCancelled'
`,
    );
    expect(await problems(root)).toContain("POST /v1/admin/retry-write/{root_job_id} is both in openapi/propexo.yaml and taken from Propexo's document");
  });

  it("stops on a component that both sources define", async (ctx) => {
    const root = await scratch(ctx);
    await edit(root, "propexo.yaml", "\n    WriteJobMeta:\n", "\n    WriteStatus:\n      type: object\n      description: A second WriteStatus.\n    WriteJobMeta:\n");
    expect(await problems(root)).toContain("components.schemas.WriteStatus is both in openapi/propexo.yaml and taken from Propexo's document; keep one");
  });

  it("stops on a component of Propexo's that would reach our types under Propexo's generated name", async (ctx) => {
    const root = await scratch(ctx);
    await edit(root, "propexo.overlay.yaml", "update: { x-propexo-name: IntegrationVendor, description: *vendor }", "update: { description: *vendor }");
    expect(await problems(root)).toEqual([expect.stringContaining("components.schemas.Enum1 comes from Propexo's document unnamed")]);
  });

  it("stops on one name given to two nodes that differ", async (ctx) => {
    const root = await scratch(ctx);
    await edit(root, "propexo.overlay.yaml", "x-propexo-name: EventEnvelope", "x-propexo-name: EventList");
    expect(await problems(root)).toEqual([expect.stringMatching(/are both named EventList but differ/)]);
  });
});

// `npm run spec:update` end to end, on a throwaway git repository holding a copy of the project's
// spec sources released as v0.1.0. Propexo's document is changed the ways Propexo could change it:
// a field added to a generic request body (a non-breaking addition), an enum value added on the
// request side (not breaking) and on the response side (breaking), and an operation the overlay
// curates removed (its actions reported as unmatched, the command fails and changes nothing).
// The same document again changes nothing. What is changed is chosen from the spec, not named.
import { execFile, execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIT_TEST_ENV } from "../helpers/git-env.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "spec-update.mjs");
const UPSTREAM = "openapi/upstream/propexo-published.yml";
const LONG = 300_000; // the whole pipeline and the gate's diff, on a machine that may be busy

const ENV = GIT_TEST_ENV;

let repo: string;
let work: string;
let published: any; // Propexo's document as vendored
let bundled: any; // generated/openapi.json as released

const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, env: ENV, encoding: "utf8" }).trim();

function specUpdate(file: string) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [SCRIPT, file, "--root", repo], { env: ENV, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/** Writes a changed copy of Propexo's document outside the repository; resolves to its path. */
async function changedCopy(name: string, change: (doc: any) => void) {
  const doc = structuredClone(published);
  change(doc);
  const file = join(work, name);
  await writeFile(file, stringify(doc, { lineWidth: 0 }));
  return file;
}

/** The report's Breaking and Non-breaking sections. */
function sections(output: string) {
  const report = output.slice(output.indexOf("== Breaking changes since"), output.indexOf("== The CHANGELOG.md entry"));
  const start = report.search(/^Non-breaking \(/m);
  return { breaking: start === -1 ? report : report.slice(0, start), nonBreaking: start === -1 ? "" : report.slice(start) };
}

const deref = (doc: any, node: any): any => {
  while (node?.$ref) node = node.$ref.slice(2).split("/").map((p: string) => p.replace(/~1/g, "/").replace(/~0/g, "~")).reduce((a: any, k: string) => a?.[k], doc);
  return node;
};
const taken = () =>
  Object.entries<any>(bundled.paths).flatMap(([path, item]) =>
    ["get", "put", "post", "delete", "patch"].filter((m) => item[m]?.["x-propexo-upstream"]).map((method) => ({ path, method, op: item[method] })),
  );
/** The component of Propexo's document that a taken operation's request or 200 body refers to. */
const upstreamSchema = (path: string, method: string, where: "request" | "response") => {
  const op = published.paths[path][method];
  const media = where === "request" ? op.requestBody?.content?.["application/json"] : op.responses["200"]?.content?.["application/json"];
  return media?.schema?.$ref ? deref(published, media.schema) : undefined;
};

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "spec-update-"));
  work = await mkdtemp(join(tmpdir(), "spec-update-docs-"));
  for (const entry of ["openapi", "generated", "redocly.yaml", ".redocly.lint-ignore.yaml", "scripts/lint", "package.json"]) {
    await cp(join(ROOT, entry), join(repo, entry), { recursive: true });
  }
  await writeFile(join(repo, ".gitignore"), ".tmp/\n");
  git("-c", "init.defaultBranch=main", "init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "release");
  git("tag", "v0.1.0");
  published = parse(await readFile(join(repo, UPSTREAM), "utf8"));
  bundled = JSON.parse(await readFile(join(repo, "generated", "openapi.json"), "utf8"));
}, LONG);
afterAll(async () => {
  await Promise.all([repo, work].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

describe("npm run spec:update", () => {
  it(
    "with the same document changes nothing, whether or not the copy has the provenance header",
    async () => {
      const text = await readFile(join(repo, UPSTREAM), "utf8");
      const bare = join(work, "same.yml");
      await writeFile(bare, text.split("\n").filter((line, i, all) => !(line.startsWith("#") && all.slice(0, i).every((l) => l.startsWith("#")))).join("\n"));
      for (const file of [join(repo, UPSTREAM), bare]) {
        const res = await specUpdate(file);
        expect(res.code, res.output).toBe(0);
        expect(res.output).toContain("none: every action of openapi/propexo.overlay.yaml matches the new document");
        expect(res.output).toContain("openapi/upstream/propexo-published.yml: unchanged; generated/: unchanged.");
        expect(res.output).toContain("No breaking changes.");
        expect(res.output).toContain("No changes to the API.");
        expect(git("status", "--porcelain"), "the working tree after the run").toBe("");
      }
    },
    LONG,
  );

  it(
    "reports a field added to a generic body and a request enum value as non-breaking, a response enum value as breaking",
    async () => {
      // A taken POST whose body is a component of Propexo's with a string enum member, and a taken
      // GET whose 200 body has one.
      const write = taken().find((o) => o.method === "post" && Object.values<any>(upstreamSchema(o.path, o.method, "request")?.properties ?? {}).some((p) => p.enum));
      const read = taken().find((o) => o.method === "get" && Object.values<any>(upstreamSchema(o.path, o.method, "response")?.properties ?? {}).some((p) => p.enum));
      expect(write, "a taken write with an enum in its body").toBeDefined();
      expect(read, "a taken read with an enum in its answer").toBeDefined();
      const requestEnum = Object.keys(upstreamSchema(write!.path, write!.method, "request").properties).find((k) => upstreamSchema(write!.path, write!.method, "request").properties[k].enum)!;
      const responseEnum = Object.keys(upstreamSchema(read!.path, read!.method, "response").properties).find((k) => upstreamSchema(read!.path, read!.method, "response").properties[k].enum)!;
      const file = await changedCopy("grown.yml", (doc) => {
        const body = deref(doc, doc.paths[write!.path][write!.method].requestBody.content["application/json"].schema);
        body.properties.preferred_contact_channel = { type: "string", description: "Preferred way to contact the person" };
        body.properties[requestEnum].enum.push("ADDED_REQUEST_VALUE");
        deref(doc, doc.paths[read!.path][read!.method].responses["200"].content["application/json"].schema).properties[responseEnum].enum.push("ADDED_RESPONSE_VALUE");
      });

      const res = await specUpdate(file);
      expect(res.code, res.output).toBe(0);
      expect(res.output).toContain("none: every action of openapi/propexo.overlay.yaml matches the new document");
      const { breaking, nonBreaking } = sections(res.output);
      const where = (o: { path: string; method: string }) => `${o.method.toUpperCase()} ${o.path} `;
      expect(nonBreaking).toMatch(/"preferred_contact_channel" added/);
      expect(nonBreaking).toContain(`${where(write!)}#/requestBody/content/application~1json/schema/properties/preferred_contact_channel`);
      expect(nonBreaking).toMatch(/"ADDED_REQUEST_VALUE" added \(in a request\)/);
      expect(breaking).toMatch(/"ADDED_RESPONSE_VALUE" added \(in a response\)/);
      expect(breaking).toContain(`${where(read!)}#/responses/200/content/application~1json/schema/properties/${responseEnum}`);
      expect(breaking).not.toMatch(/preferred_contact_channel|ADDED_REQUEST_VALUE/);
      expect(nonBreaking).not.toMatch(/ADDED_RESPONSE_VALUE/);
      // The CHANGELOG entry files them the same way, under the major version they call for; not written.
      const entry = res.output.slice(res.output.indexOf("== The CHANGELOG.md entry"));
      expect(entry).toMatch(/## 1\.0\.0 — /);
      expect(entry.slice(entry.indexOf("### Breaking"), entry.indexOf("### Added"))).toContain("ADDED_RESPONSE_VALUE");
      expect(entry.slice(entry.indexOf("### Added"))).toContain("preferred_contact_channel");
      expect(entry).toContain('set "version" in package.json to 1.0.0');
      // Propexo's description of the new field is reported for rewording.
      expect(res.output).toMatch(/Propexo's own words to reword in the overlay[\s\S]*preferred_contact_channel\/description/);
      // The document was taken with a provenance header, and generated/ follows it.
      const vendored = await readFile(join(repo, UPSTREAM), "utf8");
      expect(vendored.split("\n").slice(0, 3).every((l) => l.startsWith("#"))).toBe(true);
      expect(vendored).toContain("copied from grown.yml");
      const regenerated = JSON.parse(await readFile(join(repo, "generated", "openapi.json"), "utf8"));
      expect(deref(regenerated, regenerated.paths[write!.path][write!.method].requestBody.content["application/json"].schema).properties).toHaveProperty("preferred_contact_channel");
      expect(git("diff", "--stat", "--", "CHANGELOG.md")).toBe("");
      git("checkout", "-q", "--", ".");
    },
    LONG,
  );

  it(
    "fails on an operation the overlay curates that Propexo removed, lists every action that no longer matches, and changes nothing",
    async () => {
      // A taken operation alone on its path, so the path goes with it.
      const gone = taken().find((o) => Object.keys(published.paths[o.path]).length === 1)!;
      expect(gone).toBeDefined();
      const file = await changedCopy("shrunk.yml", (doc) => {
        delete doc.paths[gone.path];
      });
      const res = await specUpdate(file);
      expect(res.code, res.output).toBe(1);
      const quoted = `$.paths['${gone.path}'].${gone.method}`;
      expect(res.output).toMatch(/\d+ overlay actions? of openapi\/propexo\.overlay\.yaml no longer match/);
      expect(res.output).toContain(`  - action #`);
      expect(res.output).toContain(quoted);
      // Every action aimed at that operation alone is listed, not only the first.
      const overlay = parse(await readFile(join(repo, "openapi", "propexo.overlay.yaml"), "utf8"));
      const aimed = overlay.actions.filter((a: any) => a.target.startsWith(quoted));
      expect(aimed.length).toBeGreaterThan(1);
      for (const action of aimed) expect(res.output).toContain(action.target);
      expect(res.output).toContain("Nothing was changed");
      expect(res.output).not.toContain("== Breaking changes since");
      expect(git("status", "--porcelain")).toBe("");
    },
    LONG,
  );
});

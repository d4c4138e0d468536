// What an editor shows: the TypeScript language service's hover (quick info) over the client's
// methods and over the fields of a call, for operations picked from the spec by their shape (a
// per-PMS write, an operation of no PMS, a list, a write job's wait). The hover must carry the
// spec's summary, every body field's description and the named result type; go-to-definition
// must land in generated/client.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { operations } from "../../generated/operations.js";
import { ROOT } from "../helpers/project.js";
import { inputsFor } from "../helpers/inputs.js";
import { argumentSource, type RowLike } from "../helpers/typed-calls.js";

const doc = JSON.parse(readFileSync(join(ROOT, "generated", "openapi.json"), "utf8"));
const rows = Object.values(operations) as unknown as RowLike[];
const inputs = inputsFor(doc);
const opOf = (row: RowLike) => doc.paths[row.path][row.method.toLowerCase()];
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// Operations by shape, from the table: nothing here names one.
const perPmsWrite = rows.find((r) => r.supported && r.returns === "job" && (r as any).vendor && r.body === "required")!;
const noPms = rows.find((r) => r.supported && !(r as any).vendor && r.returns !== "page")!;
const list = rows.find((r) => r.supported && r.returns === "page")!;

const FILE = join(ROOT, "test", "types", "__hover__.ts");
let source = "";
let service: ts.LanguageService;

function line(row: RowLike): string {
  const input = inputs.fullInput(opOf(row), doc.paths[row.path]);
  // Keys unquoted, as people write them: an editor shows a property's docs on a bare key.
  const args = argumentSource(row, input).map((a) => a.replace(/"([A-Za-z_$][\w$]*)":/g, "$1:"));
  return `void propexo.${row.placement.join(".")}(${args.join(", ")});`;
}

beforeAll(() => {
  source = [
    `import { Propexo } from ${JSON.stringify(join(ROOT, "src", "index.js"))};`,
    "declare const propexo: Propexo;",
    line(perPmsWrite),
    line(noPms),
    line(list),
    `async function follow() { const job = await propexo.${perPmsWrite.placement.join(".")}({} as never); return job.wait(); }`,
    "void follow;",
  ].join("\n");
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile).config, ts.sys, ROOT);
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [FILE],
    getScriptVersion: () => "1",
    getScriptSnapshot: (name) => {
      const text = name === FILE ? source : ts.sys.readFile(name);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: ts.getDefaultLibFilePath,
    fileExists: (name) => name === FILE || ts.sys.fileExists(name),
    readFile: (name) => (name === FILE ? source : ts.sys.readFile(name)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  service = ts.createLanguageService(host);
});

/** The hover at the first occurrence of `needle` after `after`: signature, docs and tags as text. */
function hover(needle: string, after = ""): { signature: string; docs: string; tags: string } {
  const from = after ? source.indexOf(after) : 0;
  const at = source.indexOf(needle, from);
  expect(at, `${needle} in the probe source`).toBeGreaterThanOrEqual(0);
  const info = service.getQuickInfoAtPosition(FILE, at + 1);
  expect(info, `quick info at ${needle}`).toBeDefined();
  return {
    signature: ts.displayPartsToString(info!.displayParts),
    docs: ts.displayPartsToString(info!.documentation),
    tags: (info!.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`).join("\n"),
  };
}

const methodCall = (row: RowLike) => `propexo.${row.placement.join(".")}(`;
const verbIn = (row: RowLike) => `.${row.placement.at(-1)}(`;

function expectMethodHover(row: RowLike) {
  const op = opOf(row);
  const h = hover(verbIn(row).slice(1, -1), methodCall(row));
  expect(h.docs).toContain(op.summary);
  expect(h.docs).toContain(`${row.method} ${row.path}`);
  expect(h.signature).toContain(`${pascal(row.operationId)}${row.returns === "page" ? "Result" : "Result"}`);
  for (const name of row.pathParams) expect(h.signature).toContain(`${name}: string`);
  expect(h.tags).toMatch(/@throws/);
  expect(h.tags).toMatch(/@example/);
  return h;
}

/** Every body field's hover shows its description, from the field or the schema it refers to. */
function expectFieldHovers(row: RowLike) {
  const op = opOf(row);
  const schema = inputs.deref(op.requestBody.content["application/json"].schema);
  const after = methodCall(row);
  for (const [name, node] of Object.entries<any>(schema.properties)) {
    const described = node.description ?? inputs.deref(node).description;
    expect(described, `${row.operationId} body.${name} has a description in the spec`).toBeTruthy();
    const h = hover(`${name}:`, after);
    expect(h.docs.replace(/\s+/g, " "), `hover on ${name}`).toContain(String(described).trim().replace(/\s+/g, " ").slice(0, 60));
  }
}

describe("hover in an editor", () => {
  it("shows a per-PMS write's summary, route, named types, errors and example, and every field's description", () => {
    const h = expectMethodHover(perPmsWrite);
    expect(h.signature).toContain(`body: ${pascal(perPmsWrite.operationId)}Params`);
    expectFieldHovers(perPmsWrite);
  });

  it("shows an operation of no particular PMS with its docs", () => {
    expectMethodHover(noPms);
  });

  it("shows a list's pager over its named item type", () => {
    const h = expectMethodHover(list);
    expect(h.signature).toContain(`${pascal(list.operationId)}Result`);
    expect(h.tags).toMatch(/for await/);
  });

  it("shows a write job's wait() with its docs", () => {
    const h = hover("wait(", "const job");
    expect(h.signature).toMatch(/wait\(options\?: WaitOptions/);
    expect(h.docs.length).toBeGreaterThan(20);
  });

  it("goes to the declaration in generated/client.ts", () => {
    const at = source.indexOf(verbIn(perPmsWrite).slice(1, -1), source.indexOf(methodCall(perPmsWrite)));
    const defs = service.getDefinitionAtPosition(FILE, at + 1) ?? [];
    expect(defs.map((d) => d.fileName)).toContain(join(ROOT, "generated", "client.ts"));
  });
});

// The pipeline holds for Propexo's whole published document (openapi/upstream/, 211 operations
// without operationIds or placement extensions): `npm run generate -- --spec FILE --out DIR`
// generates it with no warnings but the counted lint findings, the client's own sources compile
// against that output with a typed call for one operation of every tag, and each call works
// through the client against Prism serving the generated bundle.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedData, recordingFetch, TOKEN } from "../helpers/contract.js";
import { inputsFor } from "../helpers/inputs.js";
import { startPrism, type PrismServer } from "../helpers/prism.js";
import { ROOT, operationsOf } from "../helpers/project.js";
import {
  callThrough,
  generateClientFor,
  importBundled,
  readTable,
  scratchDir,
  typeCheck,
  typedCalls,
  writeCalls,
  type RowLike,
  type TypedCall,
} from "../helpers/typed-calls.js";
import { readViolations } from "../helpers/violations.js";

const PUBLISHED = join(ROOT, "openapi", "upstream", "propexo-published.yml");

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let output: string;
let table: Record<string, RowLike>;
let doc: any;
let calls: TypedCall[];
let chosen: Map<string, RowLike>;
let prism: PrismServer | undefined;
let module: { calls: Record<string, (client: unknown, options: unknown) => unknown> };
let Propexo: any;

/** Per tag, the first operation a call can be made up for from the document alone, GETs first. */
function onePerTag(): Map<string, RowLike> {
  const inputs = inputsFor(doc);
  const byPath = new Map(operationsOf(doc).map((o) => [`${o.method} ${o.path}`, o.op]));
  const out = new Map<string, RowLike>();
  const rows = Object.values(table).sort((a, b) => Number(a.method !== "GET") - Number(b.method !== "GET"));
  for (const row of rows) {
    const op = byPath.get(`${row.method} ${row.path}`);
    const tag = op.tags?.[0] ?? "(untagged)";
    if (out.has(tag) || !row.supported) continue;
    try {
      inputs.fullInput(op, doc.paths[row.path]);
      out.set(tag, row);
    } catch {
      // A constrained field without an example; another operation of the tag will do.
    }
  }
  return out;
}

beforeAll(async () => {
  scratch = await scratchDir("propexo-published-");
  output = await generateClientFor(PUBLISHED, scratch.dir);
  table = await readTable(join(scratch.dir, "generated"));
  doc = JSON.parse(await readFile(join(scratch.dir, "generated", "openapi.json"), "utf8"));
  chosen = onePerTag();
  const keep = new Set([...chosen.values()].map((r) => r.operationId));
  calls = typedCalls(doc, table, (row) => keep.has(row.operationId));
  const dir = join(scratch.dir, "run");
  module = await importBundled(await writeCalls(dir, calls, join(scratch.dir, "src", "index.ts")));
  ({ Propexo } = await importBundled<any>(await writeCalls(join(scratch.dir, "client"), [], join(scratch.dir, "src", "index.ts")).then(async (file) => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(file, `export * from ${JSON.stringify(join(scratch.dir, "src", "index.ts"))};\n`);
    return file;
  })));
  prism = await startPrism({ spec: join(scratch.dir, "generated", "openapi.json") });
}, 240_000);
afterAll(async () => {
  await prism?.stop();
  await scratch?.dispose();
});

describe("Propexo's whole published document", () => {
  it("generates, reporting only counted lint findings, with a method for every operation", () => {
    // The generator prints one line per step, the findings line and where it wrote; nothing else.
    const lines = output.split("\n").filter((l) => l.trim() !== "");
    const expected = /^\s+\w+\s+\d+ ms$|^\s+findings\s+\d+ \(|^changed: |written in \d+ ms$/;
    expect(lines.filter((l) => !expected.test(l))).toEqual([]);
    expect(output).toMatch(/findings\s+\d+ \(house rules and style, not stopping\)/);
    expect(Object.keys(table).length).toBe(operationsOf(doc).length);
    expect(Object.keys(table).length).toBeGreaterThan(200);
  });

  it("has a callable operation for every tag", () => {
    const tags = new Set(operationsOf(doc).map((o) => o.op.tags?.[0] ?? "(untagged)"));
    expect([...chosen.keys()].sort()).toEqual([...tags].sort());
  });

  it("compiles the client's sources against it, with a typed call per chosen operation", async () => {
    const file = await writeCalls(join(scratch.dir, "typed"), calls, join(scratch.dir, "src", "index.js"));
    expect(typeCheck([file])).toEqual([]);
  });

  it("works through the client against Prism, one operation of every tag", async () => {
    const failures: string[] = [];
    const documentFindings: string[] = [];
    for (const call of calls) {
      const recorder = recordingFetch();
      const client = new Propexo({ token: TOKEN, baseUrl: prism!.url, maxRetries: 0, rateLimit: false, logLevel: "off", fetch: recorder.fetch });
      try {
        const { data, response } = await callThrough(() => module.calls[call.key]!(client, {}), call.row);
        // The request must be flawless. What Prism finds wrong with its own answer is the
        // document's example disagreeing with its schema, which is counted, not blamed on the client.
        const violations = readViolations(recorder.exchanges[0]!.response);
        const request = violations.filter((v) => v.location[0] !== "response");
        documentFindings.push(...violations.filter((v) => v.location[0] === "response").map((v) => `${call.key}: ${v.message}`));
        if (response.status !== 200 || request.length) failures.push(`${call.key}: ${response.status} ${JSON.stringify(request)}`);
        else expect(data, call.key).toEqual(expectedData(call.row as never, JSON.parse(recorder.exchanges[0]!.text)));
      } catch (error) {
        failures.push(`${call.key}: ${(error as Error).message}`);
      }
    }
    if (documentFindings.length) console.info(`the published document's own examples break its schemas in ${documentFindings.length} places:\n  ${documentFindings.join("\n  ")}`);
    expect(failures).toEqual([]);
  });
});

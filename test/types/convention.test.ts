// What the compiler says, for every operation of the spec: a call to an operation the spec marks
// not supported fails with a message that says why; an options object in the query's place, an
// unknown query key and a query where only options may follow all fail to compile. The calls are
// emitted from the operation table and checked with the TypeScript compiler API, so tomorrow's
// operations are checked like today's.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../../generated/operations.js";
import { ROOT } from "../helpers/project.js";
import { scratchDir, typeCheck, type RowLike } from "../helpers/typed-calls.js";

const rows = Object.values(operations) as unknown as RowLike[];
const unsupported = rows.filter((r) => !r.supported);
const queryOnly = rows.filter((r) => r.supported && r.body === "none" && r.queryParams.length > 0);
const noObject = rows.filter((r) => r.supported && r.body === "none" && r.queryParams.length === 0);

interface Case {
  what: string;
  row: RowLike;
  /** The arguments, as source. */
  args: string;
  /** What the compiler's message must say. */
  says: RegExp;
}

const path = (row: RowLike) => row.pathParams.map((p) => JSON.stringify(`${p}_1`));
const cases: Case[] = [
  ...unsupported.map((row) => ({ what: "not supported", row, args: "", says: new RegExp(`Not supported: Propexo always answers 405 to ${row.method} ${row.path.replace(/[{}]/g, "\\$&")} because the PMS cannot do this`) })),
  ...queryOnly.map((row) => ({ what: "options in the query's place", row, args: [...path(row), "{ signal: new AbortController().signal }"].join(", "), says: /'signal' does not exist/ })),
  ...queryOnly.map((row) => ({ what: "an unknown query key", row, args: [...path(row), "{ zz_not_a_parameter: 1 }"].join(", "), says: /'zz_not_a_parameter' does not exist/ })),
  ...noObject.map((row) => ({ what: "a query where only options may follow", row, args: [...path(row), `{ ${JSON.stringify(rows.flatMap((r) => r.queryParams)[0] ?? "limit")}: 1 }`].join(", "), says: /does not exist in type 'RequestOptions'/ })),
];

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let diagnostics: string[];
let source: string[];

beforeAll(async () => {
  scratch = await scratchDir("propexo-convention-");
  source = [
    `import { Propexo } from ${JSON.stringify(join(ROOT, "src", "index.js"))};`,
    "declare const propexo: Propexo;",
    ...cases.map((c) => `void propexo.${c.row.placement.join(".")}(${c.args}); // ${c.what}`),
    // One call that must compile, so that a broken setup cannot pass as "every call failed".
    `void propexo.${noObject[0]!.placement.join(".")}(${path(noObject[0]!).join(", ")});`,
  ];
  const file = join(scratch.dir, "convention.ts");
  await writeFile(file, source.join("\n") + "\n");
  diagnostics = typeCheck([file]);
  // A whole program's type check: generous, for a loaded machine.
}, 120_000);
afterAll(() => scratch?.dispose());

describe("the compiler refuses, for every operation of the spec", () => {
  it("finds operations of every kind", () => {
    expect([unsupported.length, queryOnly.length, noObject.length].every((n) => n > 0)).toBe(true);
  });

  it.each(cases.map((c, i) => [`${c.row.placement.join(".")}: ${c.what}`, c, i] as const))("%s", (_name, c, i) => {
    const line = i + 3;
    const here = diagnostics.filter((d) => d.includes(`convention.ts:${line}: `));
    expect(here, `${source[i + 2]}\n${diagnostics.join("\n")}`).not.toEqual([]);
    expect(here.join("\n")).toMatch(c.says);
  });

  it("and nothing else: a call by the convention compiles", () => {
    const last = source.length;
    expect(diagnostics.filter((d) => d.includes(`convention.ts:${last}: `))).toEqual([]);
    expect(diagnostics.filter((d) => !/convention\.ts:\d+: /.test(d))).toEqual([]);
  });
});

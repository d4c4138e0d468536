// Every operation's method, called the way the contract tier calls it at run time, must
// type-check: the calls are emitted from the spec (required inputs, then every input) and
// compiled with the project's compiler options. So a method whose types disagree with its
// runtime (a path parameter too few, a body the types do not take) fails here, for any
// operation the spec gains, not only for those the hand-written type tests name.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../../generated/operations.js";
import { ROOT } from "../helpers/project.js";
import { argumentSource, scratchDir, typeCheck, typedCalls, writeCalls, type RowLike, type TypedCall } from "../helpers/typed-calls.js";

const table = operations as unknown as Record<string, RowLike>;
let doc: any;
let calls: TypedCall[];
let scratch: Awaited<ReturnType<typeof scratchDir>>;

beforeAll(async () => {
  doc = JSON.parse(await readFile(join(ROOT, "generated", "openapi.json"), "utf8"));
  calls = typedCalls(doc, table);
  scratch = await scratchDir("propexo-typed-calls-");
});
afterAll(() => scratch?.dispose());

describe("a typed call per operation", () => {
  it("covers every supported operation, with its required and with all of its inputs", () => {
    const supported = Object.values(table).filter((r) => r.supported);
    expect(calls.map((c) => c.key).sort()).toEqual(supported.flatMap((r) => [`${r.operationId} full`, `${r.operationId} minimal`]).sort());
  });

  it("compiles against the client's types", async () => {
    const file = await writeCalls(join(scratch.dir, "ok"), calls, join(ROOT, "src", "index.js"));
    expect(typeCheck([file])).toEqual([]);
  });

  it("fails to compile when a call drops a path parameter or a required argument (the check can fail)", async () => {
    // Each broken call loses its last argument; every one must be reported.
    const broken = calls.filter((c) => c.key.endsWith(" full") && argumentSource(c.row, c.input).length > 0);
    expect(broken.length).toBeGreaterThan(0);
    const file = await writeCalls(join(scratch.dir, "broken"), [], join(ROOT, "src", "index.js"));
    const source = (await readFile(file, "utf8")).replace(
      "};\n",
      broken
        .map((c) => {
          const args = argumentSource(c.row, c.input).slice(0, -1);
          return `  ${JSON.stringify(c.key)}: (client) => client${c.row.placement.map((k) => `.${k}`).join("")}(${args.join(", ")}),\n`;
        })
        .join("") + "};\n",
    );
    await writeFile(file, source);
    const diagnostics = typeCheck([file]);
    // Dropping a path parameter or a required body must not compile; dropping an optional query
    // object may.
    const mustFail = broken.filter((c) => argumentSource(c.row, c.input).length === c.row.pathParams.length || c.row.body === "required");
    for (const c of mustFail) {
      const line = source.split("\n").findIndex((l) => l.includes(JSON.stringify(c.key))) + 1;
      expect(diagnostics.some((d) => d.includes(`calls.ts:${line}:`)), `${c.key} without its last argument must not compile`).toBe(true);
    }
    expect(mustFail.length).toBeGreaterThan(0);
  });
});

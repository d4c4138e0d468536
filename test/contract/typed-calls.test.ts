// The typed calls the types tier compiles (one per operation, emitted from the spec), run
// through the real client against the Prism mock: what compiles is what works. Prism must find
// nothing wrong with any request or answer, and each method must resolve to its part of the 200.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { operations } from "../../generated/operations.js";
import { expectedData, makeClient, recordingFetch } from "../helpers/contract.js";
import { ROOT } from "../helpers/project.js";
import { callThrough, importBundled, scratchDir, typedCalls, writeCalls, type RowLike, type TypedCall } from "../helpers/typed-calls.js";
import { readViolations } from "../helpers/violations.js";

const table = operations as unknown as Record<string, RowLike>;
const base = inject("prismUrl");
const doc = JSON.parse(await readFile(join(ROOT, "generated", "openapi.json"), "utf8"));
const calls: TypedCall[] = typedCalls(doc, table);
let module: { calls: Record<string, (client: unknown, options: unknown) => unknown> };
let scratch: Awaited<ReturnType<typeof scratchDir>>;

beforeAll(async () => {
  scratch = await scratchDir("propexo-typed-run-");
  module = await importBundled(await writeCalls(scratch.dir, calls, join(ROOT, "src", "index.ts")));
});
afterAll(() => scratch?.dispose());

describe.each(calls)("the typed call $key", (call) => {
  it("is accepted by Prism and resolves to its part of the answer", async () => {
    const recorder = recordingFetch();
    const client = makeClient(base, { validate: true, fetch: recorder.fetch });
    const { data, response } = await callThrough(() => module.calls[call.key]!(client, {}), call.row);
    expect(response.status).toBe(200);
    expect(recorder.exchanges).toHaveLength(1);
    expect(readViolations(recorder.exchanges[0]!.response)).toEqual([]);
    expect(data).toEqual(expectedData(call.row as never, JSON.parse(recorder.exchanges[0]!.text)));
  });
});

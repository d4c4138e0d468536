// Regeneration holds for operations of every shape: a scratch copy of the project's spec is
// grown the way a maintainer would grow it (spec edits only, plus a trailing-slash lint
// exemption) with a new PMS and subject, a minLength field, date/email/uri formats, array query
// parameters, two path parameters declared out of path order, both write envelopes, a body with a
// query, an optional body and a DELETE without one (test/fixtures/spec-growth/additions.yaml). The
// real pipeline must accept it under the house lint rules, the client's own sources must compile
// with a typed call per operation, and every call must work against Prism serving the result.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedData, recordingFetch, TOKEN } from "../helpers/contract.js";
import { startPrism, type PrismServer } from "../helpers/prism.js";
import { runGenerate, scratchProject } from "../helpers/project.js";
import { callThrough, copyClientSources, importBundled, readTable, typeCheck, typedCalls, writeCalls, type RowLike, type TypedCall } from "../helpers/typed-calls.js";
import { readViolations } from "../helpers/violations.js";
// @ts-expect-error: a plain ESM script, without declarations
import { applyAdditions, readAdditions } from "../fixtures/spec-growth/apply.mjs";

const additions = await readAdditions();
const added = new Set(Object.keys(additions.paths));

let project: Awaited<ReturnType<typeof scratchProject>>;
let generated: { code: number | null; output: string };
let table: Record<string, RowLike>;
let doc: any;
let calls: TypedCall[];
let prism: PrismServer | undefined;
let module: { calls: Record<string, (client: unknown, options: unknown) => unknown> };
let client: any;
let Propexo: any;
let RequestValidationError: any;

beforeAll(async () => {
  project = await scratchProject();
  await applyAdditions(project.root);
  generated = await runGenerate(project.root);
  if (generated.code !== 0) return;
  await copyClientSources(project.root);
  table = await readTable(join(project.root, "generated"));
  doc = JSON.parse(await readFile(join(project.root, "generated", "openapi.json"), "utf8"));
  calls = typedCalls(doc, table);
  module = await importBundled(await writeCalls(join(project.root, "calls"), calls, join(project.root, "src", "index.ts")));
  const client_ = await importBundled<any>(await writeClientEntry(project.root));
  ({ Propexo, RequestValidationError } = client_);
  prism = await startPrism({ spec: join(project.root, "generated", "openapi.json") });
}, 180_000);
afterAll(async () => {
  await prism?.stop();
  await project?.dispose();
});

async function writeClientEntry(root: string): Promise<string> {
  const file = join(root, "calls", "client.ts");
  await writeFile(file, `export * from ${JSON.stringify(join(root, "src", "index.ts"))};\n`);
  return file;
}

function clientFor(fetch?: (r: Request) => Promise<Response>, options: { validate?: boolean } = {}) {
  return new Propexo({ token: TOKEN, baseUrl: prism!.url, maxRetries: 0, rateLimit: false, logLevel: "off", ...(fetch && { fetch }), ...options });
}

const rowOf = (method: string, path: string) => Object.values(table).find((r) => r.method === method && r.path === path)!;

describe("a spec grown in every shape", () => {
  it("passes the house lint rules and generates", () => {
    expect(generated.code, generated.output).toBe(0);
  });

  it("gives every new operation a method, placed by its extensions or by the rule", () => {
    const rows = Object.values(table).filter((r) => added.has(r.path));
    expect(rows.length).toBe(Object.values(additions.paths).reduce((n: number, item: any) => n + Object.keys(item).length, 0));
    expect(rowOf("POST", "/v1/events/appointments/prospects/samplepms/").placement).toEqual(["appointments", "samplepms", "prospects", "create"]);
    expect(rowOf("GET", "/v1/fixture-events").placement).toEqual(["fixtures", "fixtureEvents", "list"]);
    expect(rowOf("GET", "/v1/fixture-events/{fixture_event_id}/attendees/{attendee_id}")).toMatchObject({
      placement: ["fixtures", "fixtureEvents", "attendees", "retrieve"],
      operationId: "retrieveFixturesFixtureEventsAttendees",
      pathParams: ["fixture_event_id", "attendee_id"],
    });
    expect(rowOf("POST", "/v1/fixture-events/{fixture_event_id}/archive").placement).toEqual(["fixtures", "fixtureEvents", "archive"]);
  });

  it("compiles the client's sources with a typed call per operation, and types each write's result as its answer", async () => {
    const file = await writeCalls(join(project.root, "calls-typed"), calls, join(project.root, "src", "index.js"));
    // The result type of every write, in both envelopes, against openapi-typescript's own type of
    // the answer (generated/schema.ts `paths`): its `result` member, or the whole answer.
    const jobs = Object.values(table).filter((row) => row.returns === "job" && row.supported);
    expect(new Set(jobs.map((row) => row.envelope))).toEqual(new Set(["meta", "top"]));
    const results = join(project.root, "calls-typed", "results.ts");
    const checks = jobs.map((row, i) => {
      const status = ["200", "201"].find((code) => doc.paths[row.path][row.method.toLowerCase()].responses[code]);
      const answer = `paths[${JSON.stringify(row.path)}][${JSON.stringify(row.method.toLowerCase())}]["responses"][${status}]["content"]["application/json"]`;
      const call = `Awaited<ReturnType<typeof calls[${JSON.stringify(`${row.operationId} minimal`)}]>>`;
      return `const result${i}: Equal<${call}["result"], ${row.envelope === "meta" ? `${answer}["result"]` : answer}> = true; // ${row.operationId}\nconst jobId${i}: Equal<${call}["jobId"], string> = true;`;
    });
    await writeFile(
      results,
      `import type { paths } from ${JSON.stringify(join(project.root, "generated", "schema.js"))};\n` +
        `import type { calls } from "./results-calls.js";\n` +
        "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;\n" +
        `${checks.join("\n")}\nexport {};\n`,
    );
    // The calls again, each typed as its method returns rather than as `unknown`.
    await writeCalls(join(project.root, "calls-typed"), calls, join(project.root, "src", "index.js"), { typedResults: true, name: "results-calls.ts" });
    expect(typeCheck([file, results])).toEqual([]);
  });

  it("works against Prism for every typed call", async () => {
    const failures: string[] = [];
    for (const call of calls) {
      const recorder = recordingFetch();
      try {
        const { data, response } = await callThrough(() => module.calls[call.key]!(clientFor(recorder.fetch), {}), call.row);
        const violations = readViolations(recorder.exchanges[0]!.response);
        if (response.status !== 200 || violations.length) failures.push(`${call.key}: ${response.status} ${JSON.stringify(violations)}`);
        else expect(data, call.key).toEqual(expectedData(call.row as never, JSON.parse(recorder.exchanges[0]!.text)));
      } catch (error) {
        failures.push(`${call.key}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("fills two path parameters in path order, whatever order they are declared in", async () => {
    const recorder = recordingFetch();
    const answer = await clientFor(recorder.fetch).fixtures.fixtureEvents.attendees.retrieve("fev_1", "att_2");
    expect(recorder.exchanges[0]!.url.pathname).toBe("/v1/fixture-events/fev_1/attendees/att_2");
    expect(answer).toMatchObject({ fixture_event_id: "fev_1", attendee_id: "att_2" });
  });

  it("sends an array query parameter as one repeated parameter per value", async () => {
    const recorder = recordingFetch();
    const page = await clientFor(recorder.fetch).fixtures.fixtureEvents.list({ event_types: ["TOUR", "MOVE_IN"], labels: ["a b"] }).firstPage();
    const url = recorder.exchanges[0]!.url;
    expect(url.searchParams.getAll("event_types")).toEqual(["TOUR", "MOVE_IN"]);
    expect(url.searchParams.getAll("labels")).toEqual(["a b"]);
    expect(readViolations(recorder.exchanges[0]!.response)).toEqual([]);
    expect(page.results.length).toBeGreaterThan(0);
  });

  it("refuses an array query value outside its enum, naming the element", async () => {
    const err = await clientFor().fixtures.fixtureEvents.list({ event_types: ["TOUR", "NAP"] }).firstPage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestValidationError);
    expect(err.issues).toEqual([expect.objectContaining({ path: "query.event_types.1", rule: "enum", value: "NAP" })]);
  });

  it("splits one object into the body and the query", async () => {
    const recorder = recordingFetch();
    // A POST to a literal under an item is the action that literal names (the placement rule).
    await clientFor(recorder.fetch).fixtures.fixtureEvents.notes("fev_1", { text: "Bring ID", notify: true });
    expect(recorder.exchanges[0]!.url.searchParams.get("notify")).toBe("true");
    expect(recorder.exchanges[0]!.body).toEqual({ text: "Bring ID" });
    expect(readViolations(recorder.exchanges[0]!.response)).toEqual([]);
  });

  it("names a cycle in that one object where the caller made it, with validation on or off; nothing is sent", async () => {
    for (const validate of [true, false]) {
      const recorder = recordingFetch();
      const given: Record<string, unknown> = { notify: true };
      given.text = given;
      const error = await clientFor(recorder.fetch, { validate }).fixtures.fixtureEvents.notes("fev_1", given).catch((e: any) => e);
      expect(error.issues, `validate: ${validate}`).toContainEqual(expect.objectContaining({ path: "body.text", rule: "cycle", message: "must not refer back to body" }));
      expect(recorder.exchanges).toEqual([]);
    }
  });

  it("takes an optional body or none", async () => {
    const recorder = recordingFetch();
    await clientFor(recorder.fetch).fixtures.fixtureEvents.archive("fev_1");
    await clientFor(recorder.fetch).fixtures.fixtureEvents.attendees.delete("fev_1", "att_2");
    expect(recorder.exchanges.map((e) => [e.method, e.body])).toEqual([["POST", undefined], ["DELETE", undefined]]);
    for (const e of recorder.exchanges) expect(readViolations(e.response)).toEqual([]);
  });

  it("returns a top-level { job_id, ... } answer as a job whose result is the whole answer", async () => {
    const job = await clientFor().appointments.samplepms.prospects.create({ integration_id: "int_1", prospect_id: "pro_1", notes: "Tour" });
    expect(job.jobId).toBe("job_top_1");
    expect(job.result).toEqual({ job_id: "job_top_1", data: { prospect_id: "pro_1" } });
  });

  it("refuses what the new keywords and formats forbid, naming field and rule", async () => {
    const issues = async (body: Record<string, unknown>) =>
      (await clientFor().appointments.samplepms.prospects.create({ integration_id: "i", prospect_id: "p", notes: "n", ...body }).catch((e: any) => e)).issues;
    expect(await issues({ notes: "" })).toEqual([expect.objectContaining({ path: "body.notes", rule: "minLength" })]);
    expect(await issues({ appointment_date: "2024-02-30" })).toEqual([expect.objectContaining({ path: "body.appointment_date", rule: "format" })]);
    expect(await issues({ contact: "not an address" })).toEqual([expect.objectContaining({ path: "body.contact", rule: "format" })]);
    expect(await issues({ link: "no scheme" })).toEqual([expect.objectContaining({ path: "body.link", rule: "format" })]);
    expect(await issues({ tags: [] })).toEqual([expect.objectContaining({ path: "body.tags", rule: "minItems" })]);
    expect(await issues({ tags: ["a", "b", "c", "d"] })).toEqual([expect.objectContaining({ path: "body.tags", rule: "maxItems" })]);
  });
});

// Request shapes and keywords that the validator implements before our spec uses them, judged by
// the client and by a Prism of their own on a scratch spec written here (never
// openapi/propexo.yaml): array query parameters sent one value at a time or repeated, minLength,
// the date, email and uri formats, const, oneOf, a false schema, uniqueItems, exclusiveMaximum,
// annotations, and read-only body properties. The client's side is the generator's data for the
// scratch spec walked by src/core/validate.ts, and the request goes out through openapi-fetch's
// default serializers, as the client sends it. Each case must get the same verdict and the same
// blamed fields from both.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validationData } from "../../scripts/lib/validators.mjs";
import { isDate, isDateTime, isEmail, isUri } from "../../src/core/formats.js";
import { requestIssues, type SchemaContext } from "../../src/core/validate.js";
import { blamedField } from "../helpers/contract.js";
import { startPrism, type PrismServer } from "../helpers/prism.js";
import { readViolations } from "../helpers/violations.js";

const json = (example: unknown) => ({ "application/json": { schema: { type: "object" }, example } });
const responses = {
  "200": { description: "ok", content: json({ ok: true }) },
  "400": { description: "refused", content: json({ error: "bad request" }) },
};

const SPEC = {
  openapi: "3.1.0",
  jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
  info: { title: "Scratch spec for request shapes", version: "1" },
  paths: {
    "/events": {
      get: {
        operationId: "listEvents",
        parameters: [
          {
            name: "event_types",
            in: "query",
            style: "form",
            explode: true,
            schema: { type: "array", maxItems: 2, items: { type: "string", enum: ["TOUR", "CALL", "EMAIL"] } },
          },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, exclusiveMaximum: 100 } },
          { name: "models", in: "query", schema: { type: "array", items: { type: "string", enum: ["units", "leads"] } } },
        ],
        responses,
      },
    },
    "/contacts": {
      post: {
        operationId: "createContact",
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/Contact" } } } },
        responses,
      },
    },
  },
  components: {
    schemas: {
      Contact: {
        type: "object",
        additionalProperties: false,
        required: ["id", "name", "kind"],
        properties: {
          id: { type: "string", readOnly: true, description: "Given by the server." },
          name: { type: "string", minLength: 2, maxLength: 10, title: "Name", deprecated: true, "x-note": "annotations only" },
          kind: { const: "person" },
          email: { type: "string", format: "email" },
          site: { type: "string", format: "uri" },
          born: { type: "string", format: "date" },
          seen: { type: "string", format: "date-time" },
          score: { type: "number", exclusiveMaximum: 10 },
          tags: { type: "array", minItems: 1, maxItems: 3, uniqueItems: true, items: { type: "string" } },
          reach: { oneOf: [{ type: "string", format: "email" }, { type: "string", format: "uri" }] },
          legacy: false,
          pets: { type: "array", items: { $ref: "#/components/schemas/Pet" } },
        },
      },
      Pet: {
        type: "object",
        additionalProperties: false,
        required: ["id", "name"],
        properties: { id: { type: "string", readOnly: true }, name: { type: "string", minLength: 1 } },
      },
    },
  },
};

const data = validationData(SPEC);
const context: SchemaContext = { defs: data.defs, formats: { date: isDate, "date-time": isDateTime, email: isEmail, uri: isUri } };

interface Verdict {
  valid: boolean;
  fields: string[];
}

const sorted = (fields: string[]) => [...new Set(fields)].sort();

function clientVerdict(operationId: "listEvents" | "createContact", request: { query?: Record<string, unknown>; body?: unknown }): Verdict {
  const issues = requestIssues(data.requests[operationId]!, { path: {}, query: request.query ?? {}, body: request.body }, context);
  return { valid: issues.length === 0, fields: sorted(issues.map((i) => i.path)) };
}

function prismVerdict(response: Response): Verdict {
  const violations = readViolations(response).filter((v) => v.location[0] === "request");
  const fields = violations.map((v) => blamedField(v));
  if (fields.some((f) => f === undefined)) throw new Error(`violations that name no field: ${JSON.stringify(violations)}`);
  const valid = violations.length === 0;
  expect(response.status, JSON.stringify(violations)).toBe(valid ? 200 : 400);
  return { valid, fields: sorted(fields as string[]) };
}

let prism: PrismServer;
let dir: string;
let api: ReturnType<typeof createClient>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "propexo-shapes-"));
  const spec = join(dir, "openapi.json");
  await writeFile(spec, JSON.stringify(SPEC, null, 2));
  prism = await startPrism({ spec });
  api = createClient({ baseUrl: prism.url });
}, 60_000);

afterAll(async () => {
  await prism?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sendQuery(query: Record<string, unknown>) {
  const { response } = await api.GET("/events" as never, { params: { query }, parseAs: "text" } as never);
  return response as Response;
}

async function sendBody(body: unknown) {
  const { response } = await api.POST("/contacts" as never, { body, parseAs: "text" } as never);
  return response as Response;
}

describe("array query parameters: the client judges the query string as Prism reads it", () => {
  it.each<[string, Record<string, unknown>]>([
    ["one value", { event_types: "TOUR" }],
    ["one value that is no member", { event_types: "MEAL" }],
    ["two values", { event_types: ["TOUR", "CALL"] }],
    ["a list with one value", { event_types: ["EMAIL"] }],
    ["a member and a non-member", { event_types: ["TOUR", "MEAL"] }],
    ["too many values", { event_types: ["TOUR", "CALL", "EMAIL"] }],
    ["an empty list, which is not sent", { event_types: [] }],
    ["another parameter beside it", { event_types: "CALL", limit: 5 }],
    ["an integer below its minimum", { event_types: "CALL", limit: 0 }],
    ["an integer at its exclusive maximum", { limit: 100 }],
  ])("%s", async (_name, query) => {
    const response = await sendQuery(query);
    const sent = new URL(response.url).searchParams;
    // Sent as the spec says: one value once, a list as repeated values.
    for (const [name, value] of Object.entries(query)) expect(sent.getAll(name)).toEqual([value].flat().map(String));
    expect(clientVerdict("listEvents", { query })).toEqual(prismVerdict(response));
  });

  // The one place the verdicts differ, on purpose: Prism, like Propexo, ignores a query key it
  // does not know; the client refuses it, as a misspelt filter would otherwise widen a list.
  it("an unknown parameter: Prism ignores it, the client refuses it by name", async () => {
    const query = { event_types: "TOUR", colour: "blue" };
    expect(prismVerdict(await sendQuery(query))).toEqual({ valid: true, fields: [] });
    expect(clientVerdict("listEvents", { query })).toEqual({ valid: false, fields: ["query.colour"] });
  });

  // OpenAPI's default for form style is explode: true, and Prism reads a parameter that leaves
  // it out that way too: repeated values, a comma being part of a value.
  it.each<[string, Record<string, unknown>]>([
    ["explode left out: repeated values", { models: ["units", "leads"] }],
    ["explode left out: a non-member first", { models: ["bogus", "units"] }],
    ["explode left out: a comma inside one value", { models: "units,leads" }],
    ["explode left out: one value", { models: "leads" }],
  ])("%s", async (_name, query) => {
    expect(clientVerdict("listEvents", { query })).toEqual(prismVerdict(await sendQuery(query)));
  });
});

describe("body keywords and formats: the client and Prism agree", () => {
  const base = { name: "Ada", kind: "person" };
  it.each<[string, unknown]>([
    ["the required members", base],
    ["every member valid", { ...base, email: "ada@example.com", site: "https://example.com/a?b#c", born: "1815-12-10", seen: "2024-05-01T09:30:00+01:00", score: 9.5, tags: ["a", "b"], reach: "mailto:ada@example.com", pets: [{ name: "Rex" }] }],
    ["a name too short", { ...base, name: "A" }],
    ["a name of two emoji, which is two characters", { ...base, name: "😀😀" }],
    ["a name too long", { ...base, name: "x".repeat(11) }],
    ["another kind", { ...base, kind: "company" }],
    ["an e-mail address without a dotted host", { ...base, email: "ada@localhost" }],
    ["a quoted e-mail local part", { ...base, email: '"ada lovelace"@example.com' }],
    ["a relative URI", { ...base, site: "/contacts/1" }],
    ["a URI with a single slash before the host", { ...base, site: "http:/[::1]" }],
    ["a day that does not exist", { ...base, born: "2023-02-29" }],
    ["a date-time without a zone", { ...base, seen: "2024-05-01T09:30:00" }],
    ["a score at its exclusive maximum", { ...base, score: 10 }],
    ["no tags", { ...base, tags: [] }],
    ["a repeated tag", { ...base, tags: ["a", "a"] }],
    ["too many tags", { ...base, tags: ["a", "b", "c", "d"] }],
    ["a reach that is neither e-mail nor URI", { ...base, reach: "ada" }],
    ["a member that a false schema forbids", { ...base, legacy: "yes" }],
    ["the read-only id, which Prism leaves out of the request schema", { ...base, id: "c_1" }],
    ["a pet with its read-only id", { ...base, pets: [{ id: "p_1", name: "Rex" }] }],
    ["a pet without a name", { ...base, pets: [{}] }],
    ["several faults at once", { name: "", kind: null, tags: [1], extra: true }],
  ])("%s", async (_name, body) => {
    expect(clientVerdict("createContact", { body })).toEqual(prismVerdict(await sendBody(body)));
  });
});

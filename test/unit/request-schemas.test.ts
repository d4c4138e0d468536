// The generator's reduction of request schemas (scripts/lib/validators.mjs) together with the
// walker (src/core/validate.ts), on small documents written for each rule: what is dropped, what
// is refused and how, and the places where Prism reads a request its own way (read-only body
// properties, array query parameters). Verdicts on real keywords are compared with Ajv set up as
// Prism sets it up.
import { transform } from "esbuild";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SchemaNode } from "../../generated/validation.js";
import { ANNOTATIONS, validationData, validationSource } from "../../scripts/lib/validators.mjs";
import { isDate, isDateTime, isEmail, isUri } from "../../src/core/formats.js";
import { requestIssues, schemaIssues, type SchemaContext } from "../../src/core/validate.js";
import { prismAjv } from "../helpers/prism-ajv.js";
import { loadOfficial } from "../helpers/project.js";

const FORMATS: SchemaContext["formats"] = { date: isDate, "date-time": isDateTime, email: isEmail, uri: isUri };

/** A document with one POST operation `op` whose JSON body has `schema`, plus `components`. */
function bodyDoc(schema: unknown, components: Record<string, unknown> = {}) {
  return {
    openapi: "3.1.0",
    paths: { "/things": { post: { operationId: "op", requestBody: { required: true, content: { "application/json": { schema } } }, responses: {} } } },
    components: { schemas: components },
  };
}

/** A document with one GET operation `op` with these parameters. */
function paramDoc(parameters: unknown[], components: Record<string, unknown> = {}) {
  return { openapi: "3.1.0", paths: { "/things": { get: { operationId: "op", parameters, responses: {} } } }, components: { schemas: components } };
}

function judge(doc: unknown, request: { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown }) {
  const data = validationData(doc);
  const context = { defs: data.defs, formats: FORMATS };
  return requestIssues(data.requests.op!, { path: {}, query: {}, ...request }, context).map((i) => `${i.path} ${i.rule}`);
}

const bodyOf = (doc: unknown) => validationData(doc).requests.op!.properties!.body;

describe("annotations", () => {
  it("are dropped from the data, whatever the vocabulary", () => {
    const schema: Record<string, unknown> = { type: "string", "x-propexo": { note: 1 }, "x-fern-availability": "deprecated" };
    for (const key of ANNOTATIONS) if (key !== "readOnly") schema[key] = key === "examples" ? ["a"] : key === "deprecated" ? true : { any: "thing" };
    schema.$schema = "https://json-schema.org/draft/2020-12/schema";
    expect(bodyOf(bodyDoc(schema))).toEqual({ type: "string" });
    expect(ANNOTATIONS).toEqual(new Set(["title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples", "example", "$comment", "contentMediaType", "contentEncoding", "contentSchema", "externalDocs", "xml", "discriminator"]));
  });

  it("a $ref beside annotations keeps only the reference", () => {
    const doc = bodyDoc({ $ref: "#/components/schemas/Title", description: "Shown to the resident", deprecated: true }, { Title: { type: "string", maxLength: 5 } });
    expect(bodyOf(doc)).toEqual({ $ref: "Title" });
    expect(validationData(doc).defs).toEqual({ Title: { type: "string", maxLength: 5 } });
  });
});

describe("refusals name the place and the reason", () => {
  it.each<[string, unknown, RegExp]>([
    ["an unimplemented keyword", { type: "object", patternProperties: { "^x": {} } }, /^op body: the client's validator does not implement the keyword "patternProperties"$/],
    ["allOf, with Prism's reason", { allOf: [{ type: "string" }] }, /"allOf" \(Prism merges allOf branches/],
    ["a nested keyword", { type: "object", properties: { tags: { type: "array", contains: { const: "x" } } } }, /^op body\.tags: .*"contains"/],
    ["an unimplemented format", { type: "string", format: "uuid" }, /format "uuid" \(it implements date-time, date, email, uri\)/],
    ["another dialect", { $schema: "http://json-schema.org/draft-07/schema#", type: "string" }, /only implements JSON Schema 2020-12/],
    ["a reference to another file", { $ref: "common.yaml#/Title" }, /only references inside the document/],
    ["an anchor", { $ref: "#title" }, /does not implement anchors/],
    ["a dangling reference", { $ref: "#/components/schemas/Nope" }, /unresolved \$ref #\/components\/schemas\/Nope/],
    ["an empty enum", { enum: [] }, /"enum" must be a non-empty array/],
    ["a negative minLength", { type: "string", minLength: -1 }, /"minLength" must be a whole number/],
    ["an unknown type", { type: "text" }, /"type" must be a JSON type/],
    ["a pattern JavaScript cannot compile", { type: "string", pattern: "(" }, /pattern "\(" is not a valid regular expression/],
    ["nullable without a type", { nullable: true }, /"nullable" needs "type"/],
    ["a $ref sibling that Prism would let win", { $ref: "#/components/schemas/Short", maxLength: 10 }, /"maxLength" beside a \$ref to a schema with another "maxLength"/],
    ["a non-schema", { type: "object", properties: { a: "string" } }, /^op body\.a: expected a schema/],
  ])("%s", (_name, schema, message) => {
    expect(() => validationData(bodyDoc(schema, { Short: { type: "string", maxLength: 5 } }))).toThrow(message);
  });

  it("a keyword in a component no request uses is refused too", () => {
    expect(() => validationData(bodyDoc({ type: "string" }, { Unused: { type: "object", minProperties: 1 } }))).toThrow(/^Unused: .*"minProperties"/);
  });

  it("an operation without operationId needs a name from keyOf, and names must be unique", () => {
    const doc = { openapi: "3.1.0", paths: { "/a": { get: { responses: {} } }, "/b": { get: { responses: {} } } } };
    expect(() => validationData(doc)).toThrow("GET /a has no operationId to name its request schema by");
    expect(Object.keys(validationData(doc, (e) => `${e.method} ${e.path}`).requests)).toEqual(["get /a", "get /b"]);
    expect(() => validationData(doc, () => "same")).toThrow("GET /b: the request schema name same is used twice");
  });
});

describe("keywords beyond the spec's first ones", () => {
  const check = (schema: unknown, value: unknown) => schemaIssues(schema as SchemaNode, value, { defs: {}, formats: FORMATS });

  it("name the rule, the limit and the value", () => {
    expect(check({ type: "string", minLength: 3 }, "ab")).toEqual([{ path: "", rule: "minLength", message: "must have at least 3 characters", value: "ab" }]);
    // Ajv counts code points: two emoji are two characters, not four.
    expect(check({ type: "string", minLength: 3 }, "😀😀").map((i) => i.rule)).toEqual(["minLength"]);
    expect(check({ type: "string", minLength: 2 }, "😀😀")).toEqual([]);
    expect(check({ type: "array", minItems: 1 }, [])).toEqual([{ path: "", rule: "minItems", message: "must have at least 1 items", value: [] }]);
    expect(check({ type: "array", maxItems: 1 }, [1, 2]).map((i) => i.message)).toEqual(["must have at most 1 items"]);
    expect(check({ exclusiveMaximum: 10 }, 10).map((i) => i.message)).toEqual(["must be less than 10"]);
    expect(check({ uniqueItems: true }, [{ a: 1 }, { a: 1 }]).map((i) => i.rule)).toEqual(["uniqueItems"]);
    expect(check({ const: "WEEK_BASED" }, "DAY_BASED")).toEqual([{ path: "", rule: "const", message: "must be WEEK_BASED", value: "DAY_BASED" }]);
    expect(check({ oneOf: [{ type: "integer" }, { type: "number" }] }, 1).map((i) => i.message)).toEqual(["must be exactly one of: an integer, or a number"]);
    expect(check({ not: { type: "null" } }, null).map((i) => i.message)).toEqual(["must not be null"]);
    for (const [format, bad] of [["date", "2023-02-29"], ["email", "office@localhost"], ["uri", "/tours"]]) {
      expect(check({ type: "string", format }, bad)).toEqual([{ path: "", rule: "format", message: `must be a ${format}`, value: bad }]);
    }
  });

  it("enum and const compare arrays and objects by value, not by reference", () => {
    const schema = { enum: [[1, 2], { a: 1, b: [true] }, "x"] };
    expect(check(schema, [1, 2])).toEqual([]);
    expect(check(schema, { b: [true], a: 1 })).toEqual([]);
    expect(check(schema, [2, 1]).map((i) => i.message)).toEqual(['must be one of: [1,2], {"a":1,"b":[true]}, x']);
    expect(check(schema, { a: 1 }).map((i) => i.rule)).toEqual(["enum"]);
    expect(check(schema, ["x"]).map((i) => i.rule)).toEqual(["enum"]);
    expect(check({ const: { a: [1] } }, { a: [1] })).toEqual([]);
    expect(check({ const: { a: [1] } }, { a: [1, 1] }).map((i) => i.rule)).toEqual(["const"]);
  });

  it("a false schema refuses what it covers, and is kept in the data", () => {
    const doc = bodyDoc({ type: "object", properties: { legacy: false, any: true, tags: { type: "array", items: false } } });
    expect(bodyOf(doc)).toEqual({ type: "object", properties: { legacy: false, any: true, tags: { type: "array", items: false } } });
    expect(judge(doc, { body: { legacy: 1, any: { x: 1 } } })).toEqual(["body.legacy false schema"]);
    expect(judge(doc, { body: { tags: [] } })).toEqual([]);
    expect(judge(doc, { body: { tags: ["a"] } })).toEqual(["body.tags.0 false schema"]);
    expect(judge(bodyDoc(false), { body: {} })).toEqual(["body false schema"]);
  });

  it("nullable adds null to the types, as Ajv reads it", () => {
    const schema = { type: "string", nullable: true, maxLength: 2 };
    expect(bodyOf(bodyDoc(schema))).toEqual({ type: ["string", "null"], maxLength: 2 });
    const ajv = prismAjv().compile(schema);
    for (const value of [null, "ab", "abc", 1]) expect(judge(bodyDoc(schema), { body: value }).length === 0, String(value)).toBe(ajv(value));
  });

  it("local references of any kind, recursion included", () => {
    const doc = bodyDoc(
      { $ref: "#/components/schemas/Node" },
      { Node: { type: "object", properties: { name: { $ref: "#/components/schemas/Node/properties/label" }, children: { type: "array", items: { $ref: "#/components/schemas/Node" } } } } },
    );
    (doc.components.schemas.Node as any).properties.label = { type: "string", minLength: 1 };
    const data = validationData(doc);
    expect(Object.keys(data.defs).sort()).toEqual(["#/components/schemas/Node/properties/label", "Node"]);
    expect(judge(doc, { body: { name: "a", children: [{ name: "b", children: [{ name: "" }] }] } })).toEqual(["body.children.0.children.0.name minLength"]);
  });
});

describe('a property or schema named "__proto__"', () => {
  // JSON.parse defines "__proto__" as an own key, as a spec read from YAML or JSON has it.
  const doc = JSON.parse(`{
    "openapi": "3.1.0",
    "paths": { "/things": { "post": { "operationId": "op", "responses": {},
      "requestBody": { "required": true, "content": { "application/json": { "schema": {
        "type": "object", "additionalProperties": false, "required": ["__proto__"],
        "properties": { "__proto__": { "$ref": "#/components/schemas/__proto__" } } } } } } } } },
    "components": { "schemas": { "__proto__": { "type": "string", "minLength": 2 } } }
  }`);

  it("keeps its schema through the generated source, minified as a browser bundle is", async () => {
    const source = validationSource(doc, "// test");
    expect(source).toContain('["__proto__"]:');
    const { code } = await transform(source, { loader: "ts", minify: true, format: "cjs" });
    const module = { exports: {} as { defs: SchemaContext["defs"]; requests: Record<string, SchemaNode>; formats: SchemaContext["formats"] } };
    new Function("module", "exports", code)(module, module.exports);
    const { defs, requests, formats } = module.exports;
    expect(Object.keys(defs)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(defs)).toBe(Object.prototype);
    const issues = (body: unknown) => schemaIssues(requests.op!, { path: {}, query: {}, body }, { defs, formats }).map((i) => `${i.path} ${i.rule}`);
    expect(issues(JSON.parse('{ "__proto__": "ok" }'))).toEqual([]);
    expect(issues(JSON.parse('{ "__proto__": "x" }'))).toEqual(["body.__proto__ minLength"]);
    expect(issues(JSON.parse('{ "__proto__": 5 }'))).toEqual(["body.__proto__ type"]);
    // Without an own "__proto__" there is nothing to send, whatever the prototype says.
    expect(issues({})).toEqual(["body.__proto__ required"]);
    expect(issues({ other: 1 })).toEqual(["body.__proto__ required", "body.other additionalProperties"]);
  });
});

describe("read-only body properties, as Prism reads a request", () => {
  const item = { type: "object", additionalProperties: false, required: ["id", "name"], properties: { id: { type: "string", readOnly: true }, name: { type: "string" } } };

  it("leave properties and required, so sending one is an extra member", () => {
    const doc = bodyDoc(item);
    expect(bodyOf(doc)).toEqual({ type: "object", additionalProperties: false, required: ["name"], properties: { name: { type: "string" } } });
    expect(judge(doc, { body: { name: "a" } })).toEqual([]);
    expect(judge(doc, { body: { name: "a", id: "x" } })).toEqual(["body.id additionalProperties"]);
  });

  it("are found through references and in array items, and only what changes is inlined", () => {
    const doc = bodyDoc(
      { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Item" } }, plain: { $ref: "#/components/schemas/Plain" } } },
      { Item: item, Plain: { type: "object", properties: { note: { type: "string" } } } },
    );
    const body = bodyOf(doc) as SchemaNode;
    expect((body.properties!.items as SchemaNode).items).toEqual({ type: "object", additionalProperties: false, required: ["name"], properties: { name: { type: "string" } } });
    expect(body.properties!.plain).toEqual({ $ref: "Plain" });
    expect(judge(doc, { body: { items: [{ name: "a" }, { name: "b", id: "x" }] } })).toEqual(["body.items.1.id additionalProperties"]);
  });

  it("end on a recursive schema", () => {
    const doc = bodyDoc({ $ref: "#/components/schemas/Tree" }, { Tree: { type: "object", properties: { id: { type: "string", readOnly: true }, kids: { type: "array", items: { $ref: "#/components/schemas/Tree" } } } } });
    expect(judge(doc, { body: { kids: [{ kids: [] }] } })).toEqual([]);
  });

  it("a read-only body is not validated at all", () => {
    expect(bodyOf(bodyDoc({ type: "string", readOnly: true }))).toBe(true);
  });
});

describe("array query parameters, as Prism reads the query string", () => {
  const eventTypes = (extra: object = {}) => ({ name: "event_types", in: "query", schema: { type: "array", items: { type: "string", enum: ["TOUR", "CALL"] } }, ...extra });

  it("take a single value as a one-element array", () => {
    const doc = paramDoc([eventTypes(), { name: "limit", in: "query", schema: { type: "integer" } }]);
    const query = validationData(doc).requests.op!.properties!.query as SchemaNode;
    expect(query.properties!.event_types).toEqual({ asArray: true, type: "array", items: { type: "string", enum: ["TOUR", "CALL"] } });
    expect(query.properties!.limit).toEqual({ type: "integer" });
    expect(judge(doc, { query: { event_types: "TOUR" } })).toEqual([]);
    expect(judge(doc, { query: { event_types: ["TOUR", "CALL"] } })).toEqual([]);
    expect(judge(doc, { query: { event_types: "MEAL" } })).toEqual(["query.event_types.0 enum"]);
    expect(judge(doc, { query: { event_types: ["TOUR", "MEAL"] } })).toEqual(["query.event_types.1 enum"]);
    // Only a parameter's own "array" type is read that way, as Prism tests it.
    expect(judge(doc, { query: { limit: [1] } })).toEqual(["query.limit type"]);
  });

  it("also through a reference, in form style only", () => {
    const byRef = paramDoc([{ name: "event_types", in: "query", schema: { $ref: "#/components/schemas/EventTypes" } }], { EventTypes: eventTypes().schema });
    expect(judge(byRef, { query: { event_types: "CALL" } })).toEqual([]);
    const spaced = paramDoc([eventTypes({ style: "spaceDelimited" })]);
    expect(judge(spaced, { query: { event_types: "CALL" } })).toEqual(["query.event_types type"]);
    const nullable = paramDoc([{ name: "event_types", in: "query", schema: { type: ["array", "null"], items: { type: "string" } } }]);
    expect(judge(nullable, { query: { event_types: "CALL" } })).toEqual(["query.event_types type"]);
  });
});

describe("Propexo's published document", () => {
  // The subset kept in test/fixtures (its operations have no operationId, so they are named by
  // method and path here); the whole document goes through the same reduction.
  it("reduces without a refusal, with the keywords and formats it uses", async () => {
    const doc = await loadOfficial();
    const data = validationData(doc, (e) => `${e.method.toUpperCase()} ${e.path}`);
    expect(Object.keys(data.requests).length).toBeGreaterThan(0);
    expect(data.formats).toEqual(expect.arrayContaining(["date-time"]));
    const bodies = Object.values(data.requests).filter((r) => r.properties!.body !== undefined);
    expect(bodies.length).toBeGreaterThan(0);
  });
});

describe("the generated source", () => {
  it("imports the checkers of the formats the requests use, and no other", () => {
    const doc = bodyDoc({ type: "object", properties: { when: { type: "string", format: "date-time" }, site: { $ref: "#/components/schemas/Site" } } }, {
      Site: { type: "string", format: "uri" },
      Unused: { type: "string", format: "email" },
    });
    const source = validationSource(doc, "// test");
    expect(source).toContain('import { isDateTime, isUri } from "../src/core/formats.js";');
    expect(source).toContain('> = {\n  "date-time": isDateTime,\n  "uri": isUri,\n};');
    expect(validationSource(bodyDoc({ type: "string" }), "// test")).not.toContain("import");
  });
});

describe("the format checkers agree with Prism's", () => {
  const ajv = prismAjv();
  const prism = Object.fromEntries(["date", "email", "uri"].map((f) => [f, ajv.compile({ type: "string", format: f })]));
  const runs = { numRuns: Number(process.env.FUZZ_RUNS ?? 300) * 3, seed: Number(process.env.FUZZ_SEED ?? 20240501) };

  const uriChars = fc.constantFrom(..."abcxyz019:/?#[]@!$&'()*+,;=%-._~AZ ", "%20", "%zz", "::", "//", "[::1]", "[v1.x]", "é");
  const nearUri = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.tuple(fc.constantFrom("http:", "urn:", "a+b.c-d:", "1http:", ":", "HTTP:", ""), fc.string({ unit: uriChars, maxLength: 20 })).map(([s, r]) => s + r),
    fc.string({ unit: uriChars, maxLength: 25 }),
  );
  const emailChars = fc.constantFrom(..."abz09.-_+@\"!#$%&'*/=?^`{|}~ []:", "é", "..", "@@");
  const nearEmail = fc.oneof(fc.emailAddress(), fc.string({ unit: emailChars, maxLength: 25 }), fc.emailAddress().map((e) => e.replace(/\.[^.]*$/, "")));
  const nearDate = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`),
    fc.string({ unit: fc.constantFrom(..."0123456789-T:Z "), maxLength: 12 }),
  );

  it.each<[string, (v: string) => boolean, fc.Arbitrary<string>]>([
    ["uri", isUri, nearUri],
    ["email", isEmail, nearEmail],
    ["date", isDate, nearDate],
  ])("%s", (format, ours, strings) => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(fc.oneof(strings, fc.string({ unit: "binary", maxLength: 20 })), (s) => {
        const expected = prism[format]!(s) as boolean;
        seen[expected ? "valid" : "invalid"]++;
        expect(ours(s), JSON.stringify(s)).toBe(expected);
      }),
      runs,
    );
    // Agreeing only on one verdict would prove little.
    expect(Math.min(seen.valid, seen.invalid)).toBeGreaterThan(runs.numRuns / 20);
  });
});

describe("webhook payloads", () => {
  const hookDoc = (webhooks: Record<string, unknown>, schemas: Record<string, unknown> = {}) => ({ openapi: "3.1.0", paths: {}, webhooks, components: { schemas } });
  const hook = (schema: unknown) => ({ post: { requestBody: { content: { "application/json": { schema } } }, responses: {} } });
  const payload = (trigger: unknown) => ({ type: "object", required: ["trigger", "id"], properties: { trigger, id: { type: "string", minLength: 2 } } });

  it("are keyed by webhook name, with the one trigger value each names, and validate like requests", () => {
    const data = validationData(hookDoc({ ONE: hook({ $ref: "#/components/schemas/One" }), TWO: hook(payload({ const: "two" })) }, { One: payload({ type: "string", enum: ["one"] }) }));
    expect(Object.keys(data.webhooks)).toEqual(["ONE", "TWO"]);
    expect(data.webhooks.ONE!.trigger).toBe("one");
    expect(data.webhooks.TWO!.trigger).toBe("two");
    expect(Object.keys(data.defs)).toEqual(["One"]);
    const issues = schemaIssues(data.webhooks.ONE!.payload, { trigger: "one", id: "x" }, { defs: data.defs, formats: FORMATS });
    expect(issues.map((i) => `${i.path} ${i.rule}`)).toEqual(["id minLength"]);
  });

  it("are refused without one fixed trigger, with two webhooks on one trigger, or without a JSON payload", () => {
    expect(() => validationData(hookDoc({ A: hook(payload({ type: "string" })) }))).toThrow(/webhook A: .*"trigger" one string value/);
    expect(() => validationData(hookDoc({ A: hook(payload({ enum: ["a", "b"] })) }))).toThrow(/webhook A: .*"trigger" one string value/);
    expect(() => validationData(hookDoc({ A: hook(payload({ const: "x" })), B: hook(payload({ const: "x" })) }))).toThrow("webhook B: its trigger x is also the trigger of webhook A");
    expect(() => validationData(hookDoc({ A: { post: { responses: {} } } }))).toThrow("webhook A: needs exactly one operation with a JSON payload");
  });
});

// What the contract tests derive from the bundled spec (generated/openapi.json) rather than from
// the client's own request schemas (generated/validation.ts), so that a schema the generator
// reduced wrongly shows up as a disagreement instead of being tested against itself: valid
// arguments for every operation, one broken request per constraint, the named examples, and a
// generic way to call any operation's method through the real client.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { operations, Propexo, type OperationId, type RequestOptions } from "../../src/index.js";
import { ROOT, deref as derefIn, operationsOf } from "./project.js";
import { inputsFor, type CallInput } from "./inputs.js";
import type { Violation } from "./violations.js";

export type { CallInput } from "./inputs.js";

export const spec: any = JSON.parse(readFileSync(join(ROOT, "generated", "openapi.json"), "utf8"));
export const JSON_TYPE = "application/json";
export const TOKEN = "contract-test-token";

type Row = (typeof operations)[OperationId];

export const deref = (node: any): any => derefIn(spec, node);

/** An operation of the table together with its definition in the bundled spec. */
export interface SpecOperation {
  id: OperationId;
  row: Row;
  /** The operation object of the spec. */
  op: any;
}

/** Every operation of the table joined with the spec; throws when the two disagree. */
export function specOperations(): SpecOperation[] {
  const inSpec = new Map(operationsOf(spec).map((o) => [o.op.operationId as string, o]));
  const out: SpecOperation[] = [];
  for (const id of Object.keys(operations) as OperationId[]) {
    const row = operations[id];
    const found = inSpec.get(id);
    if (!found || found.method !== row.method || found.path !== row.path) {
      throw new Error(`operations.ts row ${id} (${row.method} ${row.path}) is not in generated/openapi.json`);
    }
    out.push({ id, row, op: found.op });
  }
  if (out.length !== inSpec.size) throw new Error("generated/openapi.json has operations that operations.ts lacks");
  return out;
}

export type { Parameter } from "./inputs.js";

// Bound to the bundled spec, which is what every contract test talks to Prism about.
const inputs = inputsFor(spec);
export const { parametersOf, named, bodySchemaOf, requestExamples, validValue, minimalInput, fullInput } = inputs;

export const jsonContent = (response: any): any => deref(response)?.content?.[JSON_TYPE];

/** Every named example of every JSON response of `op`. */
export function responseExamples(op: any): { code: string; name: string; value: unknown }[] {
  return Object.keys(op.responses).flatMap((code) =>
    named(jsonContent(op.responses[code])?.examples).map(([name, value]) => ({ code, name, value })),
  );
}

// ---- Response validation ----------------------------------------------------------------------

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ ...spec, $id: "spec" });

const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");

/** An Ajv 2020 validator of the JSON body that `op` declares for `status`, refs resolved in the spec. */
export function responseValidator(row: Row, status: string) {
  const response = spec.paths[row.path][row.method.toLowerCase()].responses[status];
  if (!response) throw new Error(`${row.operationId} declares no ${status} response`);
  const base = typeof response.$ref === "string" ? response.$ref : `#/${pointer("paths", row.path, row.method.toLowerCase(), "responses", status)}`;
  const validate = ajv.getSchema(`spec${base}/${pointer("content", JSON_TYPE, "schema")}`);
  if (!validate) throw new Error(`${row.operationId} ${status}: no JSON schema`);
  return validate;
}

const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

/** An Ajv 2020 validator of one schema node of the spec (refs resolved in the spec). */
export function schemaValidator(schema: any) {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile(inline(schema))));
  return validate;
}

// Schemas handed to schemaValidator are already dereferenced, but their inner refs still point
// into the spec; rewriting "#/..." to "spec#/..." lets Ajv resolve them there.
function inline(schema: any): any {
  if (Array.isArray(schema)) return schema.map(inline);
  if (!schema || typeof schema !== "object") return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#") ? `spec${v}` : inline(v);
  return out;
}

// ---- Broken requests --------------------------------------------------------------------------

/** One request that breaks exactly one rule of the spec. */
export interface Fault {
  /** The broken value as the client names it: "body.title", "query.limit", "query.types.0", "path.event_id", "body". */
  field: string;
  /** The Ajv keyword, which is also the client's rule name. */
  rule: string;
  /** For the test name. */
  label: string;
  input: CallInput;
  /**
   * Whether the client sends it when validation is off. Path faults never leave: the client
   * refuses an empty or non-string path segment in any case, since it would reach another route.
   */
  sent: boolean;
  /**
   * Whether the server accepts it all the same: Prism, like Propexo, ignores a query key it does
   * not know, while the client refuses one on purpose (a misspelt filter would widen a list).
   */
  serverIgnores?: boolean;
}

// Near misses of the spec's string formats; each field gets those that its schema refuses.
const STRING_MISSES = ["9:30:00", "24:00:00", "12:60:00", "2024-7-20", "2024-02-30T09:30:00Z", "2024-07-20T09:30:00", "leasing@localhost", "/appointments/1"];
const TYPE_MISSES: unknown[] = [42, 1.5, "30", null, true];
// Query values travel as text, so only what stays wrong as text can be a type fault there.
const QUERY_TYPE_MISSES: unknown[] = ["abc", 1.5, true];

const jsonTypeOk = (type: string, v: unknown): boolean =>
  type === "integer" ? Number.isInteger(v)
  : type === "number" ? typeof v === "number"
  : type === "null" ? v === null
  : type === "array" ? Array.isArray(v)
  : type === "object" ? typeof v === "object" && v !== null && !Array.isArray(v)
  : typeof v === type;

function typesOf(schema: any): string[] {
  if (schema.type !== undefined) return ([] as string[]).concat(schema.type);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.flatMap((s: any) => typesOf(deref(s)));
  return [];
}

const show = (v: unknown) => {
  if (typeof v === "string" && [...v].length > 20) return `${JSON.stringify([...v].slice(0, 6).join(""))}… (${[...v].length} characters)`;
  return JSON.stringify(v) ?? String(v);
};

/**
 * Values that break one keyword of `schema`, each with the keyword the client should name and,
 * for a value inside an array, where below the field it is blamed (".0").
 */
export function brokenValues(schema: any, where: "body" | "query"): { rule: string; value: unknown; at?: string }[] {
  const out: { rule: string; value: unknown; at?: string }[] = [];
  const types = typesOf(schema);
  if (types.includes("array")) return brokenArrays(schema, where);
  const typeRule = schema.type !== undefined ? "type" : schema.anyOf ? "anyOf" : schema.oneOf ? "oneOf" : undefined;
  if (typeRule && types.length > 0) {
    const pool = where === "query" ? QUERY_TYPE_MISSES : TYPE_MISSES;
    // A query parameter that takes text takes anything once it is serialised.
    if (!(where === "query" && types.includes("string"))) {
      for (const v of pool.filter((v) => !types.some((t) => jsonTypeOk(t, v))).slice(0, 3)) out.push({ rule: typeRule, value: v });
    }
  }
  if (schema.pattern !== undefined || schema.format !== undefined || schema.anyOf || schema.oneOf) {
    const accepts = schemaValidator(schema);
    const rule = schema.anyOf ? "anyOf" : schema.oneOf ? "oneOf" : schema.pattern !== undefined ? "pattern" : "format";
    for (const v of STRING_MISSES.filter((v) => !accepts(v))) out.push({ rule, value: v });
  }
  if (schema.maxLength !== undefined) {
    out.push({ rule: "maxLength", value: "x".repeat(schema.maxLength + 1) });
    // Ajv counts code points: an emoji is one character, not two UTF-16 units.
    out.push({ rule: "maxLength", value: "😀".repeat(schema.maxLength + 1) });
  }
  if (schema.minLength !== undefined && schema.minLength > 0) {
    out.push({ rule: "minLength", value: "x".repeat(schema.minLength - 1) });
    // Two UTF-16 units each, yet one character each.
    if (schema.minLength > 1) out.push({ rule: "minLength", value: "😀".repeat(schema.minLength - 1) });
  }
  if (schema.exclusiveMinimum !== undefined) {
    out.push({ rule: "exclusiveMinimum", value: schema.exclusiveMinimum });
    out.push({ rule: "exclusiveMinimum", value: schema.exclusiveMinimum - 1 });
  }
  if (schema.exclusiveMaximum !== undefined) {
    out.push({ rule: "exclusiveMaximum", value: schema.exclusiveMaximum });
    out.push({ rule: "exclusiveMaximum", value: schema.exclusiveMaximum + 1 });
  }
  if (schema.minimum !== undefined) out.push({ rule: "minimum", value: schema.minimum - 1 });
  if (schema.maximum !== undefined) out.push({ rule: "maximum", value: schema.maximum + 1 });
  if (schema.enum) out.push({ rule: "enum", value: "NOT_A_MEMBER" });
  if (schema.const !== undefined) out.push({ rule: "const", value: "NOT_THE_CONSTANT" });
  return out;
}

/**
 * Broken arrays: too few or too many items, a repeated item, an item that breaks the items'
 * schema (blamed at ".0"), or no array at all. In the query a single value is a one-element
 * array (Prism reads it so), so it breaks the items rather than the type, and an empty list is
 * not sent at all.
 */
function brokenArrays(schema: any, where: "body" | "query"): { rule: string; value: unknown; at?: string }[] {
  const out: { rule: string; value: unknown; at?: string }[] = [];
  const items = deref(schema.items ?? {});
  const good = validValue("item", { type: "array", items, minItems: Math.max(1, (schema.maxItems ?? 1) + 1) }) as unknown[];
  if (schema.minItems !== undefined && schema.minItems > (where === "query" ? 1 : 0)) out.push({ rule: "minItems", value: good.slice(0, schema.minItems - 1) });
  if (schema.maxItems !== undefined) out.push({ rule: "maxItems", value: good.slice(0, schema.maxItems + 1) });
  if (schema.uniqueItems && (schema.maxItems ?? 2) >= 2) out.push({ rule: "uniqueItems", value: [good[0], good[0]] });
  // The rest of a broken list are good items, as many as minItems asks for.
  const rest = good.slice(1, Math.max(1, schema.minItems ?? 1));
  for (const { rule, value, at } of brokenValues(items, where)) {
    out.push({ rule, value: where === "query" && rest.length === 0 ? value : [value, ...rest], at: `.0${at ?? ""}` });
  }
  if (where === "body" && schema.type !== undefined) out.push({ rule: "type", value: "not-a-list" });
  return out;
}

/** One request per broken rule of every body member, query parameter and path parameter. */
export function faultsOf(op: any): Fault[] {
  const faults: Fault[] = [];
  const full = fullInput(op);
  const fields = full.body as Record<string, unknown> | undefined;
  const schema = bodySchemaOf(op);
  if (schema && fields && op.requestBody?.required) {
    // A method that takes a body and a query takes them in one object: with no body, or a body
    // that is an array, there is no object to carry the query, which a required one rules out.
    const query = parametersOf(op).filter((p) => p.in === "query");
    if (!query.some((p) => p.required)) {
      const rest = { ...full, query: query.length ? undefined : full.query };
      faults.push({ field: "body", rule: "required", label: "body missing", input: { ...rest, body: undefined }, sent: true });
      faults.push({ field: "body", rule: "type", label: "body is an array", input: { ...rest, body: [fields] }, sent: true });
    }
  }
  if (schema && fields) {
    for (const name of (schema.required ?? []) as string[]) {
      const { [name]: _dropped, ...rest } = fields;
      faults.push({ field: `body.${name}`, rule: "required", label: `body.${name} missing`, input: { ...full, body: rest }, sent: true });
    }
    for (const [name, ref] of Object.entries<any>(schema.properties ?? {})) {
      for (const { rule, value, at = "" } of brokenValues(deref(ref), "body")) {
        faults.push({ field: `body.${name}${at}`, rule, label: `body.${name}${at} ${rule} ${show(value)}`, input: { ...full, body: { ...fields, [name]: value } }, sent: true });
      }
    }
    if (schema.additionalProperties === false) {
      faults.push({ field: "body.foo", rule: "additionalProperties", label: "body.foo not allowed", input: { ...full, body: { ...fields, foo: "bar" } }, sent: true });
    }
  }
  // An unknown key in a query-only object (with a body beside it, it would be a body member).
  if (!op.requestBody && parametersOf(op).some((p) => p.in === "query")) {
    faults.push({ field: "query.foo", rule: "additionalProperties", label: "query.foo not allowed", input: { ...full, query: { ...full.query, foo: "bar" } }, sent: true, serverIgnores: true });
  }
  for (const p of parametersOf(op)) {
    if (p.in === "query") {
      for (const { rule, value, at = "" } of brokenValues(p.schema, "query")) {
        faults.push({ field: `query.${p.name}${at}`, rule, label: `query.${p.name}${at} ${rule} ${show(value)}`, input: { ...full, query: { ...full.query, [p.name]: value } }, sent: true });
      }
    } else if (p.in === "path") {
      faults.push({ field: `path.${p.name}`, rule: "required", label: `path.${p.name} missing`, input: { ...full, path: { ...full.path, [p.name]: undefined } }, sent: false });
      faults.push({ field: `path.${p.name}`, rule: "type", label: `path.${p.name} type 42`, input: { ...full, path: { ...full.path, [p.name]: 42 } }, sent: false });
    }
  }
  return faults;
}

// ---- Prism's findings, named like the client's ----------------------------------------------

/**
 * The request field a violation blames, written like a ValidationIssue path ("body.title").
 * Prism puts required and additionalProperties faults at the object and names the member only
 * in the message, and reports a missing (or null) body at the bare request.
 */
export function blamedField(v: Violation): string | undefined {
  const [side, ...rest] = v.location;
  if (side !== "request") return undefined;
  if (rest.length === 0) return v.code === "required" && /^Body parameter is required/.test(v.message) ? "body" : undefined;
  const member =
    v.code === "required" ? /required property '([\s\S]*)'$/.exec(v.message)?.[1]
    : v.code === "additionalProperties" ? /found '([\s\S]*)'$/.exec(v.message)?.[1]
    : undefined;
  return [...rest, ...(member === undefined ? [] : [member])].join(".");
}

// ---- Calling the client -----------------------------------------------------------------------

export function makeClient(baseUrl: string, options: { validate: boolean; fetch?: (request: Request) => Promise<Response> }): Propexo {
  return new Propexo({ token: TOKEN, baseUrl, maxRetries: 0, rateLimit: false, logLevel: "off", ...options });
}

/** One request the client handed to its fetch, and what came back. */
export interface Exchange {
  method: string;
  url: URL;
  headers: Headers;
  /** The body as sent, parsed; undefined when there was none. */
  body: unknown;
  status: number;
  response: Response;
  /** The response body as received. */
  text: string;
}

/** A fetch for the client that forwards to `target` and keeps every exchange. */
export function recordingFetch(target: (request: Request) => Promise<Response> = (r) => globalThis.fetch(r)) {
  const exchanges: Exchange[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const sent = await request.clone().text();
    const response = await target(request);
    const text = await response.clone().text();
    exchanges.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: sent === "" ? undefined : JSON.parse(sent),
      status: response.status,
      response,
      text,
    });
    return response;
  };
  return { fetch, exchanges };
}

/** The client method of a table row, found at the row's placement (`client.appointments.list`). */
export function methodOf(client: Propexo, row: Row): (...args: unknown[]) => any {
  const where: readonly string[] = row.placement;
  let node: any = client;
  for (const key of where) node = node?.[key];
  if (typeof node !== "function") throw new Error(`client.${where.join(".")} is not a method`);
  return node;
}

/** The method's arguments: path parameters, then the body and/or query as one object, then the options. */
export function argsOf(row: Row, input: CallInput, options: RequestOptions): unknown[] {
  const args: unknown[] = row.pathParams.map((name) => input.path[name]);
  const body: string = row.body;
  const takesBody = body === "required" || body === "optional";
  const plainBody = typeof input.body === "object" && input.body !== null && !Array.isArray(input.body);
  if (takesBody && row.queryParams.length > 0) {
    // One object carries the body's members and the query's. A body that is no such object (an
    // array, a string) cannot carry the query: the method gets it alone, as a caller would pass it.
    if (input.body !== undefined && !plainBody) args.push(input.body);
    else if (input.body === undefined && input.query === undefined) args.push(undefined);
    else args.push({ ...(input.body as object), ...input.query });
  } else if (takesBody) args.push(input.body);
  else if (row.queryParams.length > 0) args.push(input.query);
  args.push(options);
  return args;
}

/** What a call came to: the method's result with its response, or what it threw. */
export type Outcome = { ok: true; data: unknown; response: Response } | { ok: false; error: unknown };

/** Calls operation `row` through `client`; a list is read with `firstPage()`. */
export async function invoke(client: Propexo, row: Row, input: CallInput, options: RequestOptions = {}): Promise<Outcome> {
  try {
    const result = methodOf(client, row)(...argsOf(row, input, options));
    if (row.returns === "page") {
      const page = await result.firstPage();
      return { ok: true, data: { meta: page.meta, results: page.results }, response: page.response };
    }
    const { data, response } = await result.withResponse();
    return { ok: true, data, response };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The part of a 200 body that the client's method resolves to, by the row's `returns`. */
export function expectedData(row: Row, body: any): unknown {
  switch (row.returns) {
    case "page":
      return { meta: body.meta, results: body.results };
    case "item":
      return body.results;
    case "job":
      return (row as { envelope?: string }).envelope === "meta" ? { jobId: body.meta.job_id, result: body.result } : { jobId: body.job_id, result: body };
    default:
      return body;
  }
}

/** The members of a method's result that come from the body (a job also carries its response and wait()). */
export function dataOf(row: Row, data: any): unknown {
  if (row.returns !== "job") return data;
  if (typeof data?.wait !== "function" || !(data.response instanceof Response)) throw new Error(`not a write job: ${JSON.stringify(data)}`);
  return { jobId: data.jobId, result: data.result };
}

/** The route with the path parameters filled in, as the client should send it. */
export const filledPath = (row: Row, path: Record<string, unknown>) =>
  row.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(path[name])));

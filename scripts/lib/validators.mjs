// Reduces the spec's request schemas to the data the client's validator walks: one schema per
// operation over `{ path, query, body }`, plus the schemas they refer to, with annotations
// removed. Shipping data instead of compiled code keeps the browser bundle small; the walker
// (src/core/validate.ts) implements exactly the keywords listed in KEYWORDS and the formats in
// FORMATS, and the generator refuses a spec that uses any other, so a spec change can never be
// silently validated less strictly than it says.
//
// The verdicts to match are Prism's (the contract tests run against it): Ajv 2020 on the
// dereferenced document, after Prism's own reading of parameters and bodies. Where Prism reads a
// request differently from plain JSON Schema, the data says so (see `asArray` and
// withoutReadOnly below); where the two cannot be reconciled cheaply, the generator refuses.
import { deref, listOperations } from "./operations.mjs";

/** JSON Schema 2020-12 keywords the client's validator implements (boolean schemas too). */
export const KEYWORDS = new Set([
  "$ref", "type", "enum", "const", "required", "properties", "additionalProperties", "items",
  "anyOf", "oneOf", "not", "pattern", "minLength", "maxLength", "minimum", "maximum",
  "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "format",
]);

/** Formats the client's validator implements, with the src/core/formats.ts function of each. */
export const FORMATS = new Map([
  ["date-time", "isDateTime"],
  ["date", "isDate"],
  ["email", "isEmail"],
  ["uri", "isUri"],
]);

/**
 * Keywords that change no verdict, dropped from the data: JSON Schema's meta-data and content
 * vocabularies, `$comment`, OpenAPI's own schema fields, and any `x-` extension. `readOnly`
 * matters in request bodies, where Prism takes such properties out first (withoutReadOnly).
 * `discriminator` is only a hint in OpenAPI 3.1, and Ajv (with Prism's options) ignores it.
 */
export const ANNOTATIONS = new Set([
  "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
  "example", "$comment", "contentMediaType", "contentEncoding", "contentSchema", "externalDocs",
  "xml", "discriminator",
]);

// Why a keyword is left out when the reason is not only that no spec of ours has used it yet.
const WHY_NOT = {
  allOf: " (Prism merges allOf branches in request bodies before validating, which JSON Schema does not do)",
  $id: " (references are resolved in the document only)",
};

// The only dialect the walker speaks; Prism tells it apart with this same test.
const DIALECT = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;
const COMPONENT_REF = /^#\/components\/schemas\/([^/]+)$/;
const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v) => Number.isInteger(v) && v >= 0;
const unescape = (part) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~");

/** Calls `fn` on each direct subschema of a reduced schema. */
function eachSubschema(node, fn) {
  if (!isObject(node)) return;
  for (const key of ["items", "additionalProperties", "not"]) if (node[key] !== undefined) fn(node[key]);
  for (const key of ["anyOf", "oneOf"]) node[key]?.forEach(fn);
  if (node.properties) Object.values(node.properties).forEach(fn);
}

/** Structural equality of JSON values, as Ajv's `enum`, `const` and `uniqueItems` compare. */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

/** The node a local reference (`#`, `#/a/b`, percent- and ~-escaped) points to in `doc`. */
function resolvePointer(doc, ref, where) {
  if (typeof ref !== "string" || !ref.startsWith("#")) {
    throw new Error(`${where}: only references inside the document (#/...) are supported, got ${JSON.stringify(ref)}`);
  }
  if (ref !== "#" && !ref.startsWith("#/")) throw new Error(`${where}: the client's validator does not implement anchors ($ref ${ref})`);
  let node = doc;
  for (const raw of ref === "#" ? [] : ref.slice(2).split("/")) {
    const part = unescape(raw);
    if (!(isObject(node) || Array.isArray(node)) || !Object.hasOwn(node, part)) throw new Error(`${where}: unresolved $ref ${ref}`);
    node = node[part];
  }
  return node;
}

/**
 * A reducer over one document: `reduce(schema, where)` copies a schema with annotations removed
 * and references turned into names of `defs` (a component's own name, else the reference
 * itself), reducing each referenced schema once. Throws, naming the place, on anything the
 * walker does not implement.
 */
export function schemaReducer(doc) {
  /** Reduced schemas by name; undefined while one is being reduced (recursion). */
  const defs = new Map();

  function ref(value, where) {
    const target = resolvePointer(doc, value, where);
    const component = COMPONENT_REF.exec(value)?.[1];
    const name = component === undefined ? value : unescape(component);
    if (!defs.has(name)) {
      defs.set(name, undefined);
      defs.set(name, reduce(target, name));
    }
    return name;
  }

  function reduce(schema, where) {
    if (typeof schema === "boolean") return schema;
    if (!isObject(schema)) throw new Error(`${where}: expected a schema (an object or a boolean), got ${JSON.stringify(schema)}`);
    const out = {};
    const bad = (key, what) => new Error(`${where}: "${key}" must be ${what}, got ${JSON.stringify(schema[key])}`);
    for (const [key, value] of Object.entries(schema)) {
      if (ANNOTATIONS.has(key) || key.startsWith("x-") || key === "$defs" || key === "nullable") continue;
      if (key === "$schema") {
        if (!DIALECT.test(value)) throw new Error(`${where}: the client's validator only implements JSON Schema 2020-12, not $schema ${value}`);
        continue;
      }
      if (!KEYWORDS.has(key)) throw new Error(`${where}: the client's validator does not implement the keyword "${key}"${WHY_NOT[key] ?? ""}`);
      switch (key) {
        case "$ref":
          out.$ref = ref(value, `${where}.$ref`);
          break;
        case "properties":
          if (!isObject(value)) throw bad(key, "an object");
          // fromEntries defines own keys, so a property named "__proto__" stays a property.
          out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reduce(v, `${where}.${k}`)]));
          break;
        case "items":
        case "additionalProperties":
        case "not":
          out[key] = reduce(value, `${where}.${key}`);
          break;
        case "anyOf":
        case "oneOf":
          if (!Array.isArray(value) || value.length === 0) throw bad(key, "a non-empty array");
          out[key] = value.map((v, i) => reduce(v, `${where}.${key}[${i}]`));
          break;
        case "type":
          if (![value].flat().every((t) => TYPES.has(t)) || (Array.isArray(value) && value.length === 0)) throw bad(key, "a JSON type or a list of them");
          out.type = value;
          break;
        case "enum":
          // Ajv refuses to compile an empty enum, and Prism then validates nothing at all.
          if (!Array.isArray(value) || value.length === 0) throw bad(key, "a non-empty array");
          out.enum = value;
          break;
        case "required":
          if (!Array.isArray(value) || !value.every((k) => typeof k === "string")) throw bad(key, "an array of names");
          if (value.length) out.required = value;
          break;
        case "pattern":
          if (typeof value !== "string") throw bad(key, "a string");
          // Ajv compiles patterns with the "u" flag; fail generation, not the client, on one JavaScript cannot compile.
          try {
            new RegExp(value, "u");
          } catch (err) {
            throw new Error(`${where}: pattern ${JSON.stringify(value)} is not a valid regular expression (${err.message})`);
          }
          out.pattern = value;
          break;
        case "format":
          if (!FORMATS.has(value)) throw new Error(`${where}: the client's validator does not implement format "${value}" (it implements ${[...FORMATS.keys()].join(", ")})`);
          out.format = value;
          break;
        case "minLength":
        case "maxLength":
        case "minItems":
        case "maxItems":
          if (!isCount(value)) throw bad(key, "a whole number of at least 0");
          out[key] = value;
          break;
        case "minimum":
        case "maximum":
        case "exclusiveMinimum":
        case "exclusiveMaximum":
          if (!Number.isFinite(value)) throw bad(key, "a number");
          out[key] = value;
          break;
        case "uniqueItems":
          if (typeof value !== "boolean") throw bad(key, "a boolean");
          if (value) out.uniqueItems = true;
          break;
        default:
          out[key] = value; // const
      }
    }
    // OpenAPI 3.0's nullable, which Ajv still honours: it adds "null" to the types (and needs them).
    if (schema.nullable === true) {
      if (out.type === undefined) throw new Error(`${where}: "nullable" needs "type" beside it (Ajv refuses it alone)`);
      if (![out.type].flat().includes("null")) out.type = [...[out.type].flat(), "null"];
    } else if (schema.nullable !== undefined && schema.nullable !== false) throw bad("nullable", "a boolean");
    // Prism dereferences the document first, and a $ref with siblings becomes the target with the
    // siblings written over it, whereas JSON Schema applies both. They agree unless a sibling
    // keyword is also in the target with another value; that case is refused.
    if (schema.$ref !== undefined) {
      const target = resolvePointer(doc, schema.$ref, where);
      for (const key of Object.keys(out)) {
        if (key !== "$ref" && isObject(target) && Object.hasOwn(target, key) && !same(target[key], schema[key])) {
          throw new Error(`${where}: "${key}" beside a $ref to a schema with another "${key}" (Prism keeps only this one, JSON Schema applies both)`);
        }
      }
    }
    return out;
  }

  return { reduce, defs };
}

/**
 * The body schema as Prism validates a request: prism-http takes every property marked
 * `readOnly: true` out of `properties` and `required` first (stripReadOnlyProperties), walking
 * the dereferenced body through `properties` and through `items` (whose properties it then
 * prefers). A reference is followed, and inlined only where something was taken out. Undefined
 * when the body itself is read-only, which Prism then does not validate at all.
 */
function withoutReadOnly(doc, node) {
  const SAME = Symbol("unchanged");
  const open = new Set(); // references being followed, so that a recursive schema ends
  // `fn` applied to the schema `n` stands for, through references (siblings written over the
  // target, as Prism's dereferencing does): a new schema, undefined to drop it, or SAME.
  const apply = (n, fn) => {
    if (!isObject(n)) return SAME;
    if (typeof n.$ref !== "string") return fn(n);
    if (open.has(n.$ref)) return SAME;
    let target;
    try {
      target = resolvePointer(doc, n.$ref, "");
    } catch {
      return SAME; // reduce() reports it, with the place
    }
    open.add(n.$ref);
    try {
      return apply(isObject(target) ? { ...target, ...omitRef(n) } : target, fn);
    } finally {
      open.delete(n.$ref);
    }
  };
  const stripProperties = (h) => {
    if (!isObject(h.properties)) return SAME;
    const kept = [];
    const dropped = [];
    let changed = false;
    for (const [k, v] of Object.entries(h.properties)) {
      const w = strip(v);
      if (w === undefined) dropped.push(k);
      else kept.push([k, w === SAME ? v : w]);
      changed ||= w !== SAME;
    }
    if (!changed) return SAME;
    const required = Array.isArray(h.required) ? { required: h.required.filter((k) => !dropped.includes(k)) } : {};
    return { ...h, properties: Object.fromEntries(kept), ...required };
  };
  const strip = (n) =>
    apply(n, (s) => {
      if (s.readOnly === true) return undefined;
      // Prism filters the properties of `items` when it has some, else the schema's own.
      let inItems = false;
      const items = apply(s.items, (t) => (isObject(t.properties) ? ((inItems = true), stripProperties(t)) : SAME));
      if (inItems) return items === SAME ? SAME : { ...s, items };
      return stripProperties(s);
    });
  const result = strip(node);
  return result === SAME ? node : result;
}

function omitRef(node) {
  const { $ref: _ref, ...rest } = node;
  return rest;
}

/**
 * The `{ path, query, body }` schema of one operation. A query parameter of `type: array` in
 * form style (the default) is marked `asArray`: Prism reads such a parameter from the query
 * string, where `?event_types=a` is a one-element array, so the client judges a single value
 * as `[value]` (and sends it as that one value).
 */
function requestSchema(doc, { op, item }, key, reduce) {
  const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p));
  const group = (where) => {
    const list = params.filter((p) => p.in === where);
    const required = list.filter((p) => p.required).map((p) => p.name);
    const node = (p) => {
      const reduced = reduce(p.schema ?? {}, `${key} ${where} ${p.name}`);
      const form = where === "query" && (p.style ?? "form") === "form";
      // Prism's test is exactly this: the parameter schema's own `type` is "array".
      return form && deref(doc, p.schema)?.type === "array" ? { asArray: true, ...reduced } : reduced;
    };
    return {
      type: "object",
      properties: Object.fromEntries(list.map((p) => [p.name, node(p)])),
      ...(required.length ? { required } : {}),
      // An unknown query key is refused like an unknown body member, on purpose: Prism and
      // Propexo ignore one, so a misspelt filter (`leadId`) would silently widen a list, and an
      // options object passed in the query's place would be sent as `?signal=...`.
      ...(where === "query" ? { additionalProperties: false } : {}),
    };
  };
  const properties = { path: group("path"), query: group("query") };
  const required = ["path", "query"];
  const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
  const media = body?.content?.["application/json"];
  if (media?.schema !== undefined) {
    const schema = withoutReadOnly(doc, media.schema);
    properties.body = schema === undefined ? true : reduce(schema, `${key} body`);
    if (body.required) required.push("body");
  }
  return { type: "object", properties, required };
}

/**
 * The validator's data for a whole document: `requests` (one schema per operation, keyed by
 * `keyOf`, by default the operationId), `webhooks` (each webhook's payload schema and trigger),
 * the `defs` they use, and the formats they use. Every component schema is reduced, used or
 * not, so a keyword the walker lacks is refused wherever it appears. Throws with the place and the reason on anything the walker does not implement.
 */
export function validationData(doc, keyOf = (entry) => entry.op.operationId) {
  const { reduce, defs } = schemaReducer(doc);
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    reduce({ $ref: `#/components/schemas/${encodeURIComponent(name.replace(/~/g, "~0").replace(/\//g, "~1"))}` }, name);
  }
  const requests = {};
  for (const entry of listOperations(doc)) {
    const key = keyOf(entry);
    const where = `${entry.method.toUpperCase()} ${entry.path}`;
    if (typeof key !== "string" || key === "") throw new Error(`${where} has no operationId to name its request schema by`);
    if (Object.hasOwn(requests, key)) throw new Error(`${where}: the request schema name ${key} is used twice`);
    Object.defineProperty(requests, key, { value: requestSchema(doc, entry, key, reduce), enumerable: true, writable: true, configurable: true });
  }
  const webhooks = webhookSchemas(doc, reduce);
  // Only what the requests and webhooks reach is shipped, and only the formats that reach uses.
  const used = new Set();
  const formats = new Set();
  const collect = (node) => {
    if (!isObject(node)) return;
    if (node.format !== undefined) formats.add(node.format);
    if (node.$ref !== undefined && !used.has(node.$ref)) {
      used.add(node.$ref);
      collect(defs.get(node.$ref));
    }
    eachSubschema(node, collect);
  };
  Object.values(requests).forEach(collect);
  Object.values(webhooks).forEach((w) => collect(w.payload));
  return {
    requests,
    webhooks,
    defs: Object.fromEntries([...defs].filter(([name]) => used.has(name))),
    formats: [...FORMATS.keys()].filter((f) => formats.has(f)),
  };
}

const WEBHOOK_METHODS = ["post", "put", "patch", "get", "delete"];

/**
 * The payload schema of every webhook in the spec's `webhooks` section, keyed by the webhook's
 * name, with the value of its payload's `trigger` member, which is how a received payload says
 * which webhook it is (parseWebhook in src/webhooks.ts). Throws when a webhook has no JSON
 * payload, or its `trigger` is not one fixed value, or two webhooks share a trigger.
 */
function webhookSchemas(doc, reduce) {
  const out = {};
  const triggers = new Map();
  for (const [name, item] of Object.entries(doc.webhooks ?? {})) {
    const where = `webhook ${name}`;
    const bodies = WEBHOOK_METHODS.filter((m) => item?.[m]).map((m) => deref(doc, item[m].requestBody)?.content?.["application/json"]?.schema).filter(Boolean);
    if (bodies.length !== 1) throw new Error(`${where}: needs exactly one operation with a JSON payload (application/json request body), has ${bodies.length}`);
    const trigger = deref(doc, deref(doc, bodies[0])?.properties?.trigger);
    const value = trigger?.const !== undefined ? trigger.const : trigger?.enum?.length === 1 ? trigger.enum[0] : undefined;
    if (typeof value !== "string") {
      throw new Error(`${where}: parseWebhook tells webhooks apart by their payload's "trigger" member, so the payload schema must give "trigger" one string value (an enum of one, or const)`);
    }
    if (triggers.has(value)) throw new Error(`${where}: its trigger ${value} is also the trigger of webhook ${triggers.get(value)}`);
    triggers.set(value, name);
    Object.defineProperty(out, name, { value: { trigger: value, payload: reduce(bodies[0], `${where} payload`) }, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// JSON text is a JavaScript object literal except for one key: `"__proto__": x` in a literal
// sets the prototype instead of defining a property. A computed key defines it.
const literal = (value) => JSON.stringify(value, null, 2).replace(/^(\s*)"__proto__":/gm, '$1["__proto__"]:');

/**
 * TypeScript source of generated/validation.ts. `keyOf` names each operation's schema (the
 * operationId unless given).
 */
export function validationSource(doc, header, keyOf) {
  const { requests, webhooks, defs, formats } = validationData(doc, keyOf);
  const imports = formats.map((f) => FORMATS.get(f));
  return `${header}
${imports.length ? `import { ${[...new Set(imports)].sort().join(", ")} } from "../src/core/formats.js";\n` : ""}
/**
 * A JSON Schema 2020-12 node, reduced to the keywords the client validates; \`true\` accepts
 * everything and \`false\` nothing.
 */
export type Schema = SchemaNode | boolean;

/** A schema object: JSON Schema keywords, plus the client's own \`asArray\`. */
export interface SchemaNode {
  /** The name of a schema in \`defs\`, applied alongside the other keywords. */
  $ref?: string;
  type?: string | readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  required?: readonly string[];
  properties?: Readonly<Record<string, Schema>>;
  additionalProperties?: Schema;
  items?: Schema;
  anyOf?: readonly Schema[];
  oneOf?: readonly Schema[];
  not?: Schema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  format?: string;
  /** A form-style query parameter: a single value is judged as the one-element array \`[value]\`. */
  asArray?: boolean;
}

/** The format checkers the request schemas use, by format name. */
export const formats: Readonly<Record<string, (value: string) => boolean>> = {${formats.map((f) => `\n  ${JSON.stringify(f)}: ${FORMATS.get(f)},`).join("")}${formats.length ? "\n" : ""}};

/** Schemas that requests refer to by name (\`$ref: "AppointmentTime"\`). */
export const defs: Readonly<Record<string, Schema>> = ${literal(defs)};

/** One schema per operation, over the request's \`{ path, query, body }\`. */
export const requests: Readonly<Record<string, SchemaNode>> = ${literal(requests)};

/**
 * The payload schema of each webhook, by the webhook's name, with the \`trigger\` value that
 * names it in a received payload.
 */
export const webhooks: Readonly<Record<string, { readonly trigger: string; readonly payload: Schema }>> = ${literal(webhooks)};
`;
}

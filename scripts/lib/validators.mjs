// Reduces the spec's request schemas to the data the client's validator walks: one schema per
// operation over `{ path, query, body }`, plus the component schemas they share, with
// descriptions, examples and annotations removed. Shipping data instead of compiled code keeps
// the browser bundle small; the walker (src/core/validate.ts) implements exactly the keywords
// listed in KEYWORDS, and the generator refuses a spec that uses any other, so a spec change can
// never be silently validated less strictly than it says.
import { deref, listOperations } from "./operations.mjs";

/** JSON Schema 2020-12 keywords the client's validator implements. */
export const KEYWORDS = new Set([
  "type", "enum", "required", "properties", "additionalProperties", "items", "anyOf",
  "pattern", "maxLength", "minimum", "maximum", "exclusiveMinimum", "format",
]);
/** Keywords that only annotate; dropped from the validator's data. */
const ANNOTATIONS = new Set(["description", "example", "examples", "default", "title", "x-propexo-inferred"]);
/** Formats the client's validator implements. */
const FORMATS = new Set(["date-time"]);

const COMPONENT_REF = /^#\/components\/schemas\/(.+)$/;

/** Copies `schema` with annotations removed and component refs shortened to their name. */
function reduce(schema, where) {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new Error(`${where}: expected a schema object`);
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (key === "$ref") {
      const m = COMPONENT_REF.exec(value);
      if (!m) throw new Error(`${where}: only refs to #/components/schemas/* are supported, got ${value}`);
      out.$ref = m[1];
    } else if (!KEYWORDS.has(key)) {
      throw new Error(`${where}: the client's validator does not implement the keyword "${key}"`);
    } else if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reduce(v, `${where}.${k}`)]));
    } else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) {
      out[key] = reduce(value, `${where}.${key}`);
    } else if (key === "anyOf") {
      out.anyOf = value.map((v, i) => reduce(v, `${where}.anyOf[${i}]`));
    } else if (key === "format") {
      if (!FORMATS.has(value)) throw new Error(`${where}: the client's validator does not implement format "${value}"`);
      out.format = value;
    } else if (key === "pattern") {
      new RegExp(value, "u"); // fail generation, not the client, on a pattern JavaScript cannot compile
      out.pattern = value;
    } else {
      out[key] = value;
    }
  }
  // A $ref with siblings (3.1 allows annotations beside it) keeps only the ref once they are dropped.
  if (out.$ref && Object.keys(out).length > 1) throw new Error(`${where}: a $ref may only sit beside annotations`);
  return out;
}

/** The `{ path, query, body }` schema of one operation. */
function requestSchema(doc, { op, item }) {
  const id = op.operationId;
  const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p));
  const group = (where) => {
    const list = params.filter((p) => p.in === where);
    const required = list.filter((p) => p.required).map((p) => p.name);
    return {
      type: "object",
      properties: Object.fromEntries(list.map((p) => [p.name, reduce(p.schema ?? {}, `${id} ${where} ${p.name}`)])),
      ...(required.length ? { required } : {}),
    };
  };
  const properties = { path: group("path"), query: group("query") };
  const required = ["path", "query"];
  const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
  const media = body?.content?.["application/json"];
  if (media?.schema) {
    properties.body = reduce(media.schema, `${id} body`);
    if (body.required) required.push("body");
  }
  return { type: "object", properties, required };
}

/** TypeScript source of generated/validation.ts. */
export function validationSource(doc, header) {
  const used = new Set();
  const collect = (node) => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (!node || typeof node !== "object") return;
    if (typeof node.$ref === "string" && !used.has(node.$ref)) {
      used.add(node.$ref);
      collect(defs[node.$ref]);
    }
    Object.values(node).forEach(collect);
  };
  const components = doc.components?.schemas ?? {};
  const defs = Object.fromEntries(Object.entries(components).map(([name, s]) => [name, reduce(s, name)]));
  const requests = Object.fromEntries(listOperations(doc).map((entry) => [entry.op.operationId, requestSchema(doc, entry)]));
  collect(requests);
  const usedDefs = Object.fromEntries(Object.entries(defs).filter(([name]) => used.has(name)));
  return `${header}

/** A JSON Schema 2020-12 node, reduced to the keywords the client validates. */
export interface SchemaNode {
  $ref?: string;
  type?: string | readonly string[];
  enum?: readonly unknown[];
  required?: readonly string[];
  properties?: Readonly<Record<string, SchemaNode>>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: readonly SchemaNode[];
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  format?: string;
}

/** Component schemas that requests refer to by name (\`$ref: "AppointmentTime"\`). */
export const defs: Readonly<Record<string, SchemaNode>> = ${JSON.stringify(usedDefs, null, 2)};

/** One schema per operation, over the request's \`{ path, query, body }\`. */
export const requests: Readonly<Record<string, SchemaNode>> = ${JSON.stringify(requests, null, 2)};
`;
}

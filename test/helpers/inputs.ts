// Valid inputs for any operation of any OpenAPI document, read from the document itself: its
// examples first, then values made from each schema. The contract tier uses it on the bundled
// spec; the shape and whole-document tiers use it on other documents.
import { deref as derefIn, operationsOf } from "./project.js";

const JSON_TYPE = "application/json";

/** The inputs of one call: path parameters, body, query. */
export interface CallInput {
  path: Record<string, unknown>;
  body?: unknown;
  query?: Record<string, unknown>;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: any;
  example: unknown;
}

/** Example and schema readers for one document. */
export function inputsFor(doc: any) {
  const deref = (node: any): any => derefIn(doc, node);

  /** The named examples of an `examples` map as [name, value]. */
  const named = (examples: Record<string, any> | undefined): [string, unknown][] =>
    Object.entries(examples ?? {}).map(([name, example]) => [name, deref(example).value]);

  const parametersOf = (op: any, item: any = {}): Parameter[] =>
    [...(item.parameters ?? []), ...(op.parameters ?? [])].map((ref: any) => {
      const p = deref(ref);
      return { name: p.name, in: p.in, required: p.required === true, schema: deref(p.schema) ?? {}, example: named(p.examples)[0]?.[1] ?? p.example };
    });

  const bodySchemaOf = (op: any): any => deref(deref(op.requestBody)?.content?.[JSON_TYPE]?.schema);
  const requestExamples = (op: any): [string, unknown][] => {
    const media = deref(op.requestBody)?.content?.[JSON_TYPE];
    return [...named(media?.examples), ...(media?.example !== undefined ? [["example", media.example] as [string, unknown]] : [])];
  };

  /** Every value the document's request examples give to a field, across all operations. */
  const exampleFields = new Map<string, unknown>();
  for (const { op } of operationsOf(doc)) {
    for (const [, body] of requestExamples(op)) {
      if (body && typeof body === "object" && !Array.isArray(body)) for (const [k, v] of Object.entries(body)) if (!exampleFields.has(k)) exampleFields.set(k, v);
    }
  }

  const FORMAT_SAMPLES: Record<string, string> = {
    date: "2024-07-20",
    "date-time": "2024-07-20T09:15:00Z",
    email: "sample@example.com",
    uri: "https://example.com/sample",
  };

  /**
   * A value the document allows for `name`: the operation's own example, else another
   * operation's example of the same field, else the schema's own example, default, const or
   * first enum member, else one made from the type (strings sized to their length bounds, arrays
   * to minItems, objects from their required members). A string with a pattern and no example
   * is an error: better an example in the spec than a guess here.
   */
  function validValue(name: string, schema: any, own?: Record<string, unknown>): unknown {
    schema = deref(schema) ?? {};
    if (own && Object.hasOwn(own, name)) return own[name];
    if (exampleFields.has(name)) return exampleFields.get(name);
    if (schema.examples?.length) return schema.examples[0];
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return schema.enum[0];
    const branch = schema.anyOf ?? schema.oneOf;
    if (branch) return validValue(name, branch.find((b: any) => ([] as string[]).concat(deref(b).type ?? []).some((t) => t !== "null")) ?? branch[0]);
    if (schema.allOf) return validValue(name, Object.assign({}, ...schema.allOf.map(deref)));
    const type = ([] as string[]).concat(schema.type ?? []).find((t) => t !== "null") ?? (schema.properties ? "object" : undefined);
    if (type === "string" && schema.pattern === undefined) {
      if (schema.format !== undefined && FORMAT_SAMPLES[schema.format]) return FORMAT_SAMPLES[schema.format];
      if (schema.format === undefined) {
        const text = `sample-${name}`.padEnd(schema.minLength ?? 0, "x");
        return schema.maxLength !== undefined ? text.slice(0, Math.max(schema.maxLength, schema.minLength ?? 0)) : text;
      }
    }
    if (type === "integer" || type === "number") {
      if (schema.exclusiveMinimum !== undefined) return schema.exclusiveMinimum + 1;
      const n = schema.minimum ?? (schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
      return schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum ? schema.exclusiveMaximum - 1 : n;
    }
    if (type === "boolean") return true;
    if (type === "array") {
      const items = deref(schema.items) ?? {};
      // Distinct members where the items are an enum, so that uniqueItems holds.
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, (_, i) => (items.enum ? items.enum[i % items.enum.length] : validValue(`${name}.${i}`, items)));
    }
    if (type === "object") {
      return Object.fromEntries(((schema.required ?? []) as string[]).map((k) => [k, validValue(k, schema.properties?.[k] ?? {})]));
    }
    if (type === undefined) return `sample-${name}`;
    throw new Error(`no example value for ${name} (${JSON.stringify(schema)}); add an example to the spec`);
  }

  function pathValues(op: any, item?: any): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const p of parametersOf(op, item).filter((p) => p.in === "path")) {
      out[p.name] = validValue(p.name, p.schema, p.example === undefined ? undefined : { [p.name]: p.example });
    }
    return out;
  }

  function bodyFields(op: any, which: "required" | "all"): Record<string, unknown> | undefined {
    const schema = bodySchemaOf(op);
    if (!schema) return undefined;
    // The operation's first example wins, then its later ones fill in the members it lacks.
    const merged: Record<string, unknown> = Object.assign({}, ...requestExamples(op).map(([, v]) => v).reverse());
    const names = which === "all" ? Object.keys(schema.properties ?? {}) : ((schema.required ?? []) as string[]);
    return Object.fromEntries(names.map((n) => [n, validValue(n, schema.properties?.[n] ?? {}, merged)]));
  }

  const queryValues = (op: any, item: any, which: "required" | "all") =>
    Object.fromEntries(
      parametersOf(op, item)
        .filter((p) => p.in === "query" && (which === "all" || p.required))
        .map((p) => [p.name, validValue(p.name, p.schema, p.example === undefined ? undefined : { [p.name]: p.example })]),
    );

  /** Required fields only: required query parameters and the body's required members. */
  function minimalInput(op: any, item?: any): CallInput {
    const body = bodyFields(op, "required");
    const query = queryValues(op, item, "required");
    return { path: pathValues(op, item), ...(body && { body }), ...(Object.keys(query).length > 0 && { query }) };
  }

  /** Every field: all query parameters and every member of the body. */
  function fullInput(op: any, item?: any): CallInput {
    const body = bodyFields(op, "all");
    const query = queryValues(op, item, "all");
    return { path: pathValues(op, item), ...(body && { body }), ...(Object.keys(query).length > 0 && { query }) };
  }

  return { deref, named, parametersOf, bodySchemaOf, requestExamples, validValue, minimalInput, fullInput };
}

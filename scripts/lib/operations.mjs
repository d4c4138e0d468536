// Builds the operation table: one row of facts per operation, read from the bundled spec. The
// client turns these rows into methods, so a new operation in the spec becomes a new method by
// regenerating (the Octokit pattern: the generated layer is data, one function makes methods).

const METHODS = ["get", "put", "post", "delete", "patch"];

/** Resolves a local `#/components/...` reference (one hop is all the spec uses). */
export function deref(doc, node) {
  if (!node || typeof node.$ref !== "string") return node;
  const parts = node.$ref.replace(/^#\//, "").split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let target = doc;
  for (const p of parts) target = target?.[p];
  if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  return deref(doc, target);
}

/** Every operation in document order, with its path and method. */
export function listOperations(doc) {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      if (item[method]) ops.push({ path, method, op: item[method], item });
    }
  }
  return ops;
}

/** The table rows, keyed by operationId, in document order. Throws on a spec the client cannot serve. */
export function operationTable(doc) {
  const rows = {};
  for (const { path, method, op, item } of listOperations(doc)) {
    const id = op.operationId;
    if (!id) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
    if (rows[id]) throw new Error(`operationId ${id} is used twice`);
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p));
    const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
    const resource = op["x-propexo-resource"];
    const verb = op["x-propexo-verb"];
    if (!resource || !verb) throw new Error(`${id} needs x-propexo-resource and x-propexo-verb to place it in the client`);
    const vendor = op["x-propexo-vendor"] ?? null;
    const subject = op["x-propexo-subject"] ?? null;
    if ((vendor === null) !== (subject === null)) throw new Error(`${id}: x-propexo-vendor and x-propexo-subject go together`);
    rows[id] = {
      operationId: id,
      method: method.toUpperCase(),
      path,
      resource,
      vendor,
      subject,
      verb,
      supported: op["x-propexo-supported"] !== false,
      pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
      query: params.some((p) => p.in === "query"),
      body: bodyKind(doc, body),
      returns: returnKind(doc, id, op),
    };
  }
  return rows;
}

/**
 * How the client takes the body: "required" or "optional" as the spec says, "empty" when the
 * schema has no members (the client then sends `{}` itself), "none" when there is no body.
 */
function bodyKind(doc, body) {
  if (!body) return "none";
  const schema = deref(doc, body.content?.["application/json"]?.schema);
  if (schema && Object.keys(schema.properties ?? {}).length === 0 && !schema.required?.length) return "empty";
  return body.required ? "required" : "optional";
}

/**
 * What the client makes of a 200 body, read from its schema: "job" for `{ meta: { job_id }, result }`
 * or `{ job_id }` (a write job to follow), "page" for `{ meta, results: [...] }` (a pager),
 * "item" for `{ meta, results: {...} }` (the single result), else "body" (the body as is).
 */
function returnKind(doc, id, op) {
  const ok = deref(doc, op.responses?.["200"]);
  const schema = deref(doc, ok?.content?.["application/json"]?.schema);
  if (!schema) throw new Error(`${id} has no JSON 200 response`);
  const props = schema.properties ?? {};
  const meta = deref(doc, props.meta);
  if (meta?.properties?.job_id && props.result) return "job";
  if (props.job_id) return "job";
  const results = deref(doc, props.results);
  if (results && meta?.properties?.orderBy) return results.type === "array" ? "page" : "item";
  return "body";
}

/** TypeScript source of generated/operations.ts. */
export function operationsSource(table, header) {
  const json = JSON.stringify(table, null, 2);
  return `${header}
/** One row per operation of the spec: where it lives in the client and how it is called. */
export const operations = ${json} as const;

/** The operationId of every operation in the spec. */
export type OperationId = keyof typeof operations;

/** The facts of one operation. */
export type OperationRow = (typeof operations)[OperationId];
`;
}

// Builds the operation table: one row of facts per operation, read from the bundled spec. The
// client turns these rows into methods, so a new operation in the spec becomes a new method by
// regenerating (the Octokit pattern: the generated layer is data, one function makes methods).
//
// Where an operation sits in the client (its placement) and its operationId come from the
// spec's `x-propexo-*` extensions when it has them, and otherwise from a fixed rule over its tag,
// method and path (see `derivePlacement`), so that any document, Propexo's whole published one
// included, can be generated without editing it.

const METHODS = ["get", "put", "post", "delete", "patch"];

/** Resolves a local `#/...` reference, following chains of refs. */
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

/** `back-sync`, `property_lists`, `Write Status` → `backSync`, `propertyLists`, `writeStatus`. */
export function camelCase(text) {
  const words = String(text).split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() : w.charAt(0).toUpperCase()) + w.slice(1)).join("");
}

const isParam = (segment) => /^\{[^}]+\}$/.test(segment);

/**
 * The placement rule for an operation without `x-propexo-*` extensions:
 *
 * - The path is split into segments; empty ones and a leading version (`v1`) are dropped.
 * - The resource is the operation's first tag (camelCased), else its first segment. A first
 *   segment that names the resource is not repeated below it.
 * - Each remaining literal segment (not a `{parameter}`) becomes a nested namespace, camelCased.
 * - The verb follows the method: GET is `retrieve` when the path ends in a parameter and `list`
 *   otherwise; PUT is `update`; PATCH is `update`, or `patch` when the same path also has a PUT;
 *   DELETE is `delete`; POST is `create`, except that a POST to a path that has no other
 *   method and whose last segment is a literal under an item (`.../{id}/back-sync`) or under a
 *   path that itself takes a POST (`.../leads/cancel` beside `POST .../leads`) is the action that
 *   segment names (`backSync`, `cancel`) on the namespace above it.
 *
 * The derived operationId is the verb followed by the namespaces, e.g. `listAdminLogsJobs`.
 */
export function derivePlacement(doc, { path, method, op, item }) {
  const segments = path.split("/").filter(Boolean);
  if (segments.length && /^v\d+$/i.test(segments[0])) segments.shift();
  const literals = segments.filter((s) => !isParam(s)).map(camelCase);
  const resource = op.tags?.length ? camelCase(op.tags[0]) : literals[0] ?? "root";
  if (literals[0] === resource) literals.shift();
  const endsInParam = segments.length > 0 && isParam(segments[segments.length - 1]);
  let verb;
  if (method === "get") verb = endsInParam ? "retrieve" : "list";
  else if (method === "put") verb = "update";
  else if (method === "patch") verb = item.put ? "patch" : "update";
  else if (method === "delete") verb = "delete";
  else {
    verb = "create";
    const others = METHODS.filter((m) => m !== "post" && item[m]);
    if (!endsInParam && others.length === 0 && literals.length > 0 && underItemOrCollection(doc, path)) verb = literals.pop();
  }
  if (!/^[A-Za-z_$][\w$]*$/.test(verb)) verb = camelCase(`do ${verb}`);
  return { placement: [resource, ...literals, verb], operationId: camelCase([verb, resource, ...literals].join(" ")) };
}

/** Whether the path one segment up is an item (ends in a parameter) or takes a POST itself. */
function underItemOrCollection(doc, path) {
  const parent = path.replace(/\/+$/, "").replace(/\/[^/]+$/, "");
  if (parent === "") return false;
  if (isParam(parent.slice(parent.lastIndexOf("/") + 1))) return true;
  return [parent, `${parent}/`].some((p) => Object.hasOwn(doc.paths, p) && doc.paths[p].post);
}

/** Names in the path template, in the order they appear in the path. */
export function pathParamsInOrder(path) {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

/**
 * Where the operation sits in the client and its operationId: `operationId` where the spec gives
 * one, else the rule's. When any of `x-propexo-resource`, `-vendor`, `-subject` or `-verb` is
 * present the placement is `[resource, vendor?, subject?, verb]`, with a missing resource or verb
 * taken from the rule; without them it is the rule's placement.
 */
export function placementOf(doc, entry) {
  const { op } = entry;
  const derived = derivePlacement(doc, entry);
  const resource = op["x-propexo-resource"];
  const verb = op["x-propexo-verb"];
  const vendor = op["x-propexo-vendor"] ?? null;
  const subject = op["x-propexo-subject"] ?? null;
  const where = `${entry.method.toUpperCase()} ${entry.path}`;
  const placed = resource !== undefined || verb !== undefined || vendor !== null || subject !== null;
  const placement = placed
    ? [resource ?? derived.placement[0], ...(vendor ? [vendor] : []), ...(subject ? [subject] : []), verb ?? derived.placement.at(-1)]
    : derived.placement;
  const bad = placement.find((key) => typeof key !== "string" || !/^[A-Za-z_$][\w$]*$/.test(key));
  if (bad !== undefined) throw new Error(`${where}: ${JSON.stringify(bad)} cannot name a client property; use letters, digits and _`);
  return { operationId: op.operationId ?? derived.operationId, placement, vendor, subject, derived: !placed };
}

/** The table rows, keyed by operationId, in document order. Throws on a spec the client cannot serve. */
export function operationTable(doc) {
  const rows = {};
  const spots = new Map();
  for (const entry of listOperations(doc)) {
    const { path, method, op, item } = entry;
    const where = `${method.toUpperCase()} ${path}`;
    const { operationId: id, placement, vendor, subject } = placementOf(doc, entry);
    if (rows[id]) throw new Error(`${where}: operationId ${id} is already used by ${rows[id].method} ${rows[id].path}`);
    const spot = placement.join(".");
    if (spots.has(spot)) {
      throw new Error(`${where} and ${spots.get(spot)} would both be client.${spot}; give one of them x-propexo-resource/x-propexo-verb`);
    }
    spots.set(spot, where);
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p));
    const declared = new Set(params.filter((p) => p.in === "path").map((p) => p.name));
    const pathParams = pathParamsInOrder(path);
    for (const name of pathParams) if (!declared.has(name)) throw new Error(`${where}: path parameter {${name}} is not declared`);
    const queryParams = params.filter((p) => p.in === "query").map((p) => p.name);
    const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
    const kind = bodyKind(doc, body);
    if (kind !== "none" && kind !== "empty") {
      const fields = Object.keys(deref(doc, body.content?.["application/json"]?.schema)?.properties ?? {});
      const clash = queryParams.find((q) => fields.includes(q));
      if (clash) throw new Error(`${where}: "${clash}" is both a query parameter and a body field, so one argument object cannot carry both`);
    }
    rows[id] = {
      operationId: id,
      method: method.toUpperCase(),
      path,
      placement,
      resource: placement[0],
      vendor,
      subject,
      verb: placement.at(-1),
      supported: op["x-propexo-supported"] !== false,
      pathParams,
      queryParams,
      body: kind,
      ...returnKind(doc, where, op),
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
  // A schema that names no members and does not invite free-form ones (`additionalProperties`
  // true or a schema) has nothing for the caller to fill in.
  const free = schema?.additionalProperties === true || typeof schema?.additionalProperties === "object";
  if (schema && Object.keys(schema.properties ?? {}).length === 0 && !schema.required?.length && !free) return "empty";
  return body.required ? "required" : "optional";
}

/**
 * What the client makes of a 200 (or first 2xx) body, read from its schema:
 * - "job" for a write to follow: `{ meta: { job_id }, result }` (envelope "meta") or
 *   `{ job_id, ... }` at the top level (envelope "top");
 * - "page" for `{ meta, results: [...] }` where meta pages (a pager);
 * - "item" for `{ meta, results: {...} }` (the single result);
 * - "body" for anything else, including a response with no JSON body (the body as is).
 */
function returnKind(doc, where, op) {
  const code = Object.keys(op.responses ?? {}).filter((c) => /^2\d\d$/.test(c)).sort()[0];
  const ok = deref(doc, op.responses?.[code]);
  const schema = deref(doc, ok?.content?.["application/json"]?.schema);
  if (!schema) return { returns: "body" };
  const props = schema.properties ?? {};
  const meta = deref(doc, props.meta);
  if (meta?.properties?.job_id && props.result) return { returns: "job", envelope: "meta" };
  if (props.job_id) return { returns: "job", envelope: "top" };
  const results = deref(doc, props.results);
  if (results && meta?.properties?.orderBy) return { returns: results.type === "array" ? "page" : "item" };
  return { returns: "body" };
}

/**
 * Writes every derived operationId into the bundled document, so that everything downstream (the
 * types, which openapi-typescript keys by operationId, the request schemas, the mock server and
 * the docs) names each operation as the client does. Mutates and returns `doc`.
 */
export function nameOperations(doc) {
  for (const entry of listOperations(doc)) {
    if (!entry.op.operationId) entry.op.operationId = placementOf(doc, entry).operationId;
  }
  return doc;
}

/**
 * The operation that reports a write job's state, which \`wait()\` polls: the one marked
 * \`x-propexo-write-status: true\`, else the only GET with one path parameter (the job ID) whose
 * 200 body has a required \`write_status\`. Null when the document has none.
 */
export function writeStatusOperation(doc, table) {
  const rows = Object.values(table);
  const marked = listOperations(doc).filter((e) => e.op["x-propexo-write-status"] === true);
  if (marked.length > 1) throw new Error(`x-propexo-write-status marks ${marked.length} operations; mark one`);
  if (marked.length === 1) return rows.find((r) => r.method === marked[0].method.toUpperCase() && r.path === marked[0].path).operationId;
  const shaped = listOperations(doc).filter(({ method, op, path }) => {
    if (method !== "get" || pathParamsInOrder(path).length !== 1) return false;
    const schema = deref(doc, deref(doc, op.responses?.["200"])?.content?.["application/json"]?.schema);
    return schema?.required?.includes("write_status") && schema.properties?.write_status !== undefined;
  });
  if (shaped.length > 1) throw new Error(`${shaped.length} operations look like a write-status operation; mark the one wait() polls with x-propexo-write-status: true`);
  return shaped.length ? rows.find((r) => r.method === "GET" && r.path === shaped[0].path).operationId : null;
}

/**
 * How each PMS of the document reads an appointment's date and time: its tag (one that carries
 * `x-propexo-pms`) names the rule in `x-propexo-time-zone`, either an IANA time zone the PMS reads
 * every time in (`UTC`, `America/Denver`) or `property` when it reads them in the property's own
 * zone. Keyed by the tag's name, which is the vendor slug of the PMS's paths; PMS tags without a
 * rule are left out (the house lint rule `propexo/pms-time-zone` refuses them in our spec).
 */
export function pmsTimeZones(doc) {
  const out = {};
  for (const tag of doc.tags ?? []) {
    if (typeof tag?.["x-propexo-pms"] === "string" && typeof tag["x-propexo-time-zone"] === "string") {
      out[tag.name] = { name: tag["x-propexo-pms"], zone: tag["x-propexo-time-zone"] };
    }
  }
  return out;
}

/** TypeScript source of generated/operations.ts. */
export function operationsSource(table, header, writeStatus = null, timeZones = {}) {
  const json = JSON.stringify(table, null, 2);
  const zones = Object.entries(timeZones).map(([vendor, { name, zone }]) => {
    const rule = zone === "property" ? "the property's own time zone" : zone;
    return `  /** ${name}: ${rule}. */\n  ${JSON.stringify(vendor)}: ${JSON.stringify(zone)},`;
  });
  return `${header}
/** One row per operation of the spec: where it lives in the client and how it is called. */
export const operations = ${json} as const;

/**
 * The time zone each PMS reads an appointment's date and time in, from its tag's
 * \`x-propexo-time-zone\`: an IANA time zone, or "property" for the property's own zone.
 */
export const pmsTimeZones = {${zones.length ? `\n${zones.join("\n")}\n` : ""}} as const;

/**
 * The operation that reports a write job's state, polled by \`wait()\`, which the client places
 * beside it; null when the spec has none.
 */
export const writeStatusOperation = ${JSON.stringify(writeStatus)} as const;

/** The operationId of every operation in the spec. */
export type OperationId = keyof typeof operations;

/** The facts of one operation. */
export type OperationRow = (typeof operations)[OperationId];
`;
}

// What the rules look at: two bundled OpenAPI 3.1 documents lined up operation by operation, and
// every pair of schemas that sit at the same place in both, each tagged with the direction its
// data flows. The rules stay small because the lining-up happens once, here.
export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
/** One JSON Pointer segment: `application/json` becomes `application~1json`. */
export const escape = (segment) => String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
const unescape = (segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~");

/** JSON.stringify with sorted keys, so that key order never counts as a change. */
export function stable(value) {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Follows internal `$ref`s. OpenAPI 3.1 lets a `$ref` carry siblings (most often a local
 * `description`); they are laid over the target because that is how readers of the spec see it.
 */
export function makeResolver(doc) {
  return function resolve(node) {
    let ref;
    let current = node;
    for (let hops = 0; isObject(current) && typeof current.$ref === "string"; hops++) {
      if (hops > 64) throw new Error(`$ref chain too long at ${ref}`);
      const { $ref, ...siblings } = current;
      if (!$ref.startsWith("#")) throw new Error(`external $ref ${$ref}: spec-diff reads bundled documents only`);
      const target = $ref
        .slice(1)
        .split("/")
        .slice(1)
        .map(unescape)
        .reduce((at, key) => (at === undefined ? undefined : at[key]), doc);
      if (target === undefined) throw new Error(`unresolved $ref ${$ref}`);
      ref = $ref;
      current = Object.keys(siblings).length ? { ...target, ...siblings } : target;
    }
    return { value: current, ref };
  };
}

/**
 * Merges `allOf` members into one schema, so that moving properties into a shared base schema
 * reads as no change. Conflicting definitions of one property are kept as an `allOf` of both.
 */
export function flatten(schema, resolve) {
  if (!isObject(schema) || !Array.isArray(schema.allOf)) return schema;
  const { allOf, ...out } = schema;
  for (const member of allOf) {
    const part = flatten(resolve(member).value, resolve);
    if (!isObject(part)) continue;
    for (const [key, value] of Object.entries(part)) {
      if (key === "properties") {
        out.properties = { ...out.properties };
        for (const [name, prop] of Object.entries(value)) {
          out.properties[name] = name in out.properties ? { allOf: [out.properties[name], prop] } : prop;
        }
      } else if (key === "required") {
        out.required = [...new Set([...(out.required ?? []), ...value])];
      } else if (!(key in out)) {
        out[key] = value;
      }
    }
  }
  return out;
}

const jsonType = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);

/**
 * The JSON types a schema admits, or null for "anything". `withBranches` folds anyOf/oneOf in;
 * without it only the schema's own keywords count, for when the branches are compared one by one.
 */
export function typeSet(schema, resolve, withBranches = true) {
  if (!isObject(schema)) return schema === false ? new Set() : null;
  let own = null;
  if (schema.type !== undefined) own = new Set([schema.type].flat());
  else if ("const" in schema) own = new Set([jsonType(schema.const)]);
  else if (Array.isArray(schema.enum)) own = new Set(schema.enum.map(jsonType));
  const branches = schema.anyOf ?? schema.oneOf;
  if (withBranches && Array.isArray(branches)) {
    let union = new Set();
    for (const b of branches) {
      const t = typeSet(flatten(resolve(b).value, resolve), resolve);
      if (t === null) {
        union = null;
        break;
      }
      for (const x of t) union.add(x);
    }
    own = own === null ? union : union === null ? own : new Set([...own].filter((t) => admits(union, t)));
  }
  if (own === null && !Array.isArray(branches)) {
    if (schema.properties || schema.required || schema.additionalProperties !== undefined) own = new Set(["object"]);
    else if (schema.items !== undefined || schema.prefixItems) own = new Set(["array"]);
  }
  return own;
}

const admits = (set, t) => set === null || set.has(t) || (t === "integer" && set.has("number"));
/** Whether every value of type set `a` is allowed by type set `b` (null = any type). */
export const typeSubset = (a, b) => b === null || (a !== null && [...a].every((t) => admits(b, t)));
export const typeLabel = (set) => (set === null ? "any" : [...set].sort().join(" | ") || "nothing");

// Paths are matched with their template names blanked, so that renaming `{id}` to `{event_id}`
// reads as a parameter change on the same operation rather than a removed and an added operation.
const pathKey = (path) => path.replace(/\{[^}]*\}/g, "{}");

// OpenAPI 3.x: header parameters of these names "SHALL be ignored" (the media types and the
// security scheme say the same things); a client never sends them from the parameter list.
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

function parametersOf(resolve, pathItem, op) {
  const params = new Map();
  // Operation-level parameters come second, so they override a path-level one of the same name.
  for (const raw of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const { value: p, ref } = resolve(raw);
    if (p.in === "header" && IGNORED_HEADERS.has(String(p.name).toLowerCase())) continue;
    const name = p.in === "header" ? p.name.toLowerCase() : p.name;
    params.set(`${p.in}:${name}`, ref ? { ...p, [REF]: ref } : p);
  }
  return params;
}

function operationsOf(doc) {
  const resolve = makeResolver(doc);
  const ops = new Map();
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = resolve(rawItem).value;
    for (const method of METHODS) {
      if (!isObject(item[method])) continue;
      ops.set(`${method} ${pathKey(path)}`, { method, path, op: item[method], item, params: parametersOf(resolve, item, item[method]) });
    }
  }
  return ops;
}

function webhooksOf(doc, resolve) {
  const hooks = new Map();
  for (const [name, rawItem] of Object.entries(doc.webhooks ?? {})) {
    const item = resolve(rawItem).value;
    for (const method of METHODS) if (isObject(item?.[method])) hooks.set(`${method} ${name}`, { method, name, op: item[method] });
  }
  return hooks;
}

const templateNames = (path) => [...path.matchAll(/\{([^}]*)\}/g)].map((t) => t[1]);

/**
 * Path parameters renamed in the template, old key → new key (`path:id` → `path:event_id`). The
 * name of a template variable never reaches the wire, so `{id}` → `{event_id}` at the same place
 * is one parameter under a new name, matched by position, not one removed and one added.
 */
function pathParameterRenames(o, n) {
  const [before, after] = [templateNames(o.path), templateNames(n.path)];
  const renames = new Map();
  before.forEach((name, i) => {
    const next = after[i];
    if (next !== undefined && next !== name && !n.params.has(`path:${name}`) && !o.params.has(`path:${next}`) && o.params.has(`path:${name}`) && n.params.has(`path:${next}`)) {
      renames.set(`path:${name}`, `path:${next}`);
    }
  });
  return renames;
}

const schemaOfParameter = (p) => p.schema ?? Object.values(p.content ?? {})[0]?.schema;
// Where a parameter, response or header came from when it was a $ref; kept off the enumerable
// keys so that it never shows up as a difference.
const REF = Symbol("ref");
const within = (ref, ...segments) => ref && [ref, ...segments.map(escape)].join("/");

/**
 * Lines the two documents up. Returns the operations (matched by method and path, or by
 * operationId with `movedFrom` the old place, each with its path parameters `renamed` old key →
 * new key; added; and removed, each saying whether its whole path went), the
 * webhooks (matched, added, removed) and the schema pairs: { old, new, dir, loc, origin,
 * required, branches? }
 * where `loc` is the place in an operation, `origin` the component the schema was reached through,
 * if any, and `branches` the anyOf/oneOf members that could not be matched.
 */
export function buildContext(oldDoc, newDoc) {
  const resolveOld = makeResolver(oldDoc);
  const resolveNew = makeResolver(newDoc);
  const oldOps = operationsOf(oldDoc);
  const newOps = operationsOf(newDoc);
  const newPathKeys = new Set(Object.keys(newDoc.paths ?? {}).map(pathKey));

  const opLabel = (o) => `${o.method.toUpperCase()} ${o.path}`;
  const matched = [];
  const removed = [];
  const added = [];
  for (const [key, o] of oldOps) {
    const n = newOps.get(key);
    if (n) matched.push({ key, old: o, new: n, label: opLabel(n), renamed: pathParameterRenames(o, n) });
    else removed.push({ key, old: o, label: opLabel(o), pathRemoved: !newPathKeys.has(pathKey(o.path)) });
  }
  for (const [key, n] of newOps) if (!oldOps.has(key)) added.push({ key, new: n, label: opLabel(n) });
  // An operation that kept its operationId under another path or method moved: it is compared
  // with its old self (and reported as moved) rather than read as one removed and one added.
  for (const r of [...removed]) {
    const id = r.old.op.operationId;
    const a = id === undefined ? undefined : added.find((x) => x.new.op.operationId === id);
    if (!a) continue;
    removed.splice(removed.indexOf(r), 1);
    added.splice(added.indexOf(a), 1);
    matched.push({ key: a.key, old: r.old, new: a.new, label: a.label, movedFrom: r.label, renamed: pathParameterRenames(r.old, a.new) });
  }

  // Webhooks (OpenAPI 3.1) are matched by name and method. Their request bodies are what the
  // server sends a user's endpoint, so a user reads them: they are walked as responses are.
  const [oldHooks, newHooks] = [webhooksOf(oldDoc, resolveOld), webhooksOf(newDoc, resolveNew)];
  const hookLabel = (h) => `WEBHOOK ${h.name} (${h.method.toUpperCase()})`;
  const webhooks = { matched: [], removed: [], added: [] };
  for (const [key, o] of oldHooks) {
    const n = newHooks.get(key);
    if (n) webhooks.matched.push({ key, old: o, new: n, label: hookLabel(n) });
    else webhooks.removed.push({ key, old: o, label: hookLabel(o) });
  }
  for (const [key, n] of newHooks) if (!oldHooks.has(key)) webhooks.added.push({ key, new: n, label: hookLabel(n) });

  const pairs = [];
  const walker = new SchemaWalker(resolveOld, resolveNew, pairs);
  for (const h of webhooks.matched) {
    const [o, n] = [resolveOld(h.old.op.requestBody).value, resolveNew(h.new.op.requestBody).value];
    for (const [media, content] of Object.entries(o?.content ?? {})) {
      const next = n?.content?.[media];
      if (next) walker.walk(content.schema, next.schema, "response", `${h.label} #/requestBody/content/${escape(media)}/schema`);
    }
  }
  for (const m of matched) {
    for (const [key, p] of m.old.params) {
      const newKey = m.renamed.get(key) ?? key;
      const q = m.new.params.get(newKey);
      const [where, name] = [newKey.slice(0, newKey.indexOf(":")), newKey.slice(newKey.indexOf(":") + 1)];
      const required = q?.in === "path" || q?.required === true;
      if (q) walker.walk(schemaOfParameter(p), schemaOfParameter(q), "request", `${m.label} #/parameters/${where}/${escape(name)}/schema`, within(q[REF], "schema"), required);
    }
    const oldBody = resolveOld(m.old.op.requestBody).value;
    const newBody = resolveNew(m.new.op.requestBody).value;
    for (const [media, content] of Object.entries(oldBody?.content ?? {})) {
      const next = newBody?.content?.[media];
      if (next) walker.walk(content.schema, next.schema, "request", `${m.label} #/requestBody/content/${escape(media)}/schema`, undefined, newBody.required === true);
    }
    for (const [status, rawResponse] of Object.entries(m.old.op.responses ?? {})) {
      if (!m.new.op.responses?.[status]) continue;
      const o = resolveOld(rawResponse).value;
      const { value: n, ref } = resolveNew(m.new.op.responses[status]);
      for (const [media, content] of Object.entries(o.content ?? {})) {
        const next = n.content?.[media];
        const loc = `${m.label} #/responses/${status}/content/${escape(media)}/schema`;
        if (next) walker.walk(content.schema, next.schema, "response", loc, within(ref, "content", media, "schema"));
      }
      const newHeaders = lowerKeys(n.headers);
      for (const [name, rawHeader] of Object.entries(lowerKeys(o.headers))) {
        if (!newHeaders[name]) continue;
        const oh = resolveOld(rawHeader).value;
        const { value: nh, ref: headerRef } = resolveNew(newHeaders[name]);
        const loc = `${m.label} #/responses/${status}/headers/${escape(name)}/schema`;
        walker.walk(schemaOfParameter(oh), schemaOfParameter(nh), "response", loc, within(headerRef, "schema"));
      }
    }
  }

  return {
    oldDoc,
    newDoc,
    resolveOld,
    resolveNew,
    operations: { matched, removed, added },
    webhooks,
    schemaPairs: pairs,
    typeSet: (side, schema, withBranches) => typeSet(schema, side === "old" ? resolveOld : resolveNew, withBranches),
  };
}

/** Whether a schema is flagged `key` (readOnly or writeOnly), directly, through a $ref, or in an allOf. */
function flagged(raw, key, resolve) {
  const schema = flatten(resolve(raw).value, resolve);
  return isObject(schema) && schema[key] === true;
}

/**
 * The property names of an object schema that travel in `dir`: OpenAPI leaves readOnly ones out
 * of requests and writeOnly ones out of responses.
 */
export function visibleProperties(schema, dir, resolve) {
  const hidden = dir === "request" ? "readOnly" : "writeOnly";
  return new Set(Object.entries(isObject(schema) ? (schema.properties ?? {}) : {}).filter(([, p]) => !flagged(p, hidden, resolve)).map(([name]) => name));
}

export const lowerKeys = (obj) => Object.fromEntries(Object.entries(obj ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

// Keywords that constrain values of one JSON type; the rest of a schema (type-free assertions such as
// enum, and annotations such as description) is kept where it is when a schema is split by type.
const FAMILIES = {
  string: ["minLength", "maxLength", "pattern", "format", "contentEncoding", "contentMediaType"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"],
  array: ["items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"],
  object: ["properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas", "unevaluatedProperties"],
};
FAMILIES.integer = FAMILIES.number;
const ASSERTIONS = new Set(["type", "enum", "const", ...Object.values(FAMILIES).flat()]);
const unionKind = (s) => (!isObject(s) ? undefined : Array.isArray(s.anyOf) ? "anyOf" : Array.isArray(s.oneOf) ? "oneOf" : undefined);

/**
 * Rewrites a plain schema as a union of `kind`, one member per type it admits, with annotations
 * left on the wrapper. It lets `{type: [string, null]}` line up with `anyOf: [string, null]`, and
 * `X` with `anyOf: [X, null]`, member by member instead of as one opaque change.
 */
function asUnion(schema, raw, kind, resolve) {
  // A bare $ref stays one member, annotations and all, so it can still be matched by name.
  if (isObject(raw) && Object.keys(raw).length === 1 && typeof raw.$ref === "string") return { [kind]: [raw] };
  const wrapper = {};
  const assertions = {};
  for (const [k, v] of Object.entries(schema)) (ASSERTIONS.has(k) ? assertions : wrapper)[k] = v;
  const types = typeSet(schema, resolve);
  if (types === null || types.size <= 1) return { ...wrapper, [kind]: [assertions] };
  const members = [...types].map((t) => {
    const member = { type: t };
    for (const k of FAMILIES[t] ?? []) if (k in assertions) member[k] = assertions[k];
    if (Array.isArray(assertions.enum)) member.enum = assertions.enum.filter((v) => admits(new Set([t]), jsonType(v)));
    if ("const" in assertions && admits(new Set([t]), jsonType(assertions.const))) member.const = assertions.const;
    return member;
  });
  return { ...wrapper, [kind]: members };
}

const DOC_KEYS = new Set(["description", "title", "summary", "example", "examples", "$comment"]);

class SchemaWalker {
  constructor(resolveOld, resolveNew, pairs) {
    Object.assign(this, { resolveOld, resolveNew, pairs });
  }

  /**
   * Pairs `rawOld` with `rawNew` and everything below them. `required` says whether the value
   * must be present where it sits (a required parameter, body or property), so that a default,
   * which only speaks when the value is left out, can be judged.
   */
  walk(rawOld, rawNew, dir, loc, parentOrigin, required = undefined, stack = new Set()) {
    if (rawOld === undefined || rawNew === undefined) return;
    const o = this.resolveOld(rawOld);
    const n = this.resolveNew(rawNew);
    // A schema reached through a $ref is reported at that component, so one change to a shared
    // schema can be grouped across the operations that use it.
    // A $ref with siblings that say something (a local default, a constraint) is a schema of its
    // own place, so what differs there is not the component's to answer for; a local description
    // alone still leaves it the component's.
    const local = isObject(rawNew) && typeof rawNew.$ref === "string" && Object.keys(rawNew).some((k) => k !== "$ref" && !DOC_KEYS.has(k) && !k.startsWith("x-"));
    const origin = (local ? undefined : n.ref) ?? parentOrigin ?? o.ref;
    const cycleKey = `${o.ref}|${n.ref}`;
    if ((o.ref || n.ref) && stack.has(cycleKey)) return;
    const inner = o.ref || n.ref ? new Set([...stack, cycleKey]) : stack;
    let old = flatten(o.value, this.resolveOld);
    let neu = flatten(n.value, this.resolveNew);
    const [ok, nk] = [unionKind(old), unionKind(neu)];
    if (ok && !nk && isObject(neu)) neu = asUnion(neu, rawNew, ok, this.resolveNew);
    if (nk && !ok && isObject(old)) old = asUnion(old, rawOld, nk, this.resolveOld);
    const pair = { old, new: neu, dir, loc, origin, required };
    this.pairs.push(pair);
    if (!isObject(old) || !isObject(neu)) return;

    const child = (a, b, segment, childRequired) => this.walk(a, b, dir, `${loc}/${segment}`, origin && `${origin}/${segment}`, childRequired, inner);
    // A property that cannot travel this way on either side (readOnly in a request, writeOnly in
    // a response) is never checked there; one that can on one side only is an addition or a
    // removal, which the property rules report.
    const oldVisible = visibleProperties(old, dir, this.resolveOld);
    const newVisible = visibleProperties(neu, dir, this.resolveNew);
    for (const [name, prop] of Object.entries(old.properties ?? {})) {
      if (oldVisible.has(name) && newVisible.has(name)) child(prop, neu.properties[name], `properties/${escape(name)}`, (neu.required ?? []).includes(name));
    }
    // An absent `items` or `additionalProperties` admits anything, as `{}` does: one described
    // on one side only is a narrowing or a widening like any other.
    const open = (s, key) => (s[key] === undefined || s[key] === true ? {} : s[key]);
    if (isObject(old.items) || isObject(neu.items)) {
      if (isObject(open(old, "items")) && isObject(open(neu, "items"))) child(open(old, "items"), open(neu, "items"), "items");
    }
    (old.prefixItems ?? []).forEach((item, i) => neu.prefixItems?.[i] !== undefined && child(item, neu.prefixItems[i], `prefixItems/${i}`));
    if (isObject(old.additionalProperties) || isObject(neu.additionalProperties)) {
      const [a, b] = [open(old, "additionalProperties"), open(neu, "additionalProperties")];
      if (isObject(a) && isObject(b)) child(a, b, "additionalProperties");
    }

    // Members are matched across anyOf and oneOf alike: both become the same union type in the
    // client, and the rules say what the switch itself means.
    if (unionKind(old) && unionKind(neu)) this.branches(pair, unionKind(old), unionKind(neu), (a, b, segment) => child(a, b, segment, required));
  }

  /**
   * anyOf/oneOf members have no names, so they are matched by identical content, then by the
   * component they point to, then among members of the same types by the property names they
   * share (so that reordered inline objects still line up), then by types in order; what is left
   * over was added or removed.
   */
  branches(pair, oldKind, kind, child) {
    const describe = (resolve) => (s, i) => {
      const { value, ref } = resolve(s);
      const flat = flatten(value, resolve);
      const types = typeLabel(typeSet(flat, resolve));
      const detail = ["format", "pattern"].filter((k) => isObject(flat) && flat[k] !== undefined).map((k) => `${k} ${flat[k]}`);
      const props = new Set(isObject(flat) ? Object.keys(flat.properties ?? {}) : []);
      return { raw: s, i, ref: ref?.split("/").pop(), types, props, content: stable(flat), label: ref?.split("/").pop() ?? [types, ...detail].join(", ") };
    };
    const olds = pair.old[oldKind].map(describe(this.resolveOld));
    const news = pair.new[kind].map(describe(this.resolveNew));
    const matches = [];
    const shared = (a, b) => [...a.props].filter((p) => b.props.has(p)).length;
    const pick = (a, same, score) => {
      const candidates = news.filter((x) => !x.match && same(a, x));
      if (!score) return candidates[0];
      return candidates.reduce((best, x) => (score(a, x) > (best ? score(a, best) : 0) ? x : best), undefined);
    };
    const strategies = [
      [(a, b) => a.content === b.content],
      [(a, b) => a.ref && a.ref === b.ref],
      [(a, b) => !a.ref && !b.ref && a.types === b.types, shared],
      [(a, b) => !a.ref && !b.ref && a.types === b.types],
      [(a, b) => a.types === b.types],
    ];
    for (const [same, score] of strategies) {
      for (const a of olds) {
        const b = a.match ? undefined : pick(a, same, score);
        if (b) {
          a.match = b;
          b.match = a;
          matches.push([a, b]);
        }
      }
    }
    pair.branches = { kind, oldKind, removed: olds.filter((a) => !a.match), added: news.filter((b) => !b.match) };
    for (const [a, b] of matches) child(a.raw, b.raw, `${kind}/${b.i}`);
  }
}

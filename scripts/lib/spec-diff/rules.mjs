// The rule table. Each rule looks at one kind of change and says, per finding, whether it breaks
// existing users. "Breaking" means: code written against the old spec (its requests, its reading
// of responses, or its TypeScript types) can stop working against the new one.
//
// Direction matters. A request is written by the user, so anything that refuses what used to be
// accepted breaks (narrowing, tightening, new required input). A response is read by the user, so
// anything that can now arrive and could not before breaks (widening, new enum values, fields that
// may now be missing); narrowing a response only makes old code's checks redundant.
//
// A third kind sits between the two: a behaviour change (`behaviour: true`, never breaking), where
// old code still compiles and every request it sends is still accepted, but means something else:
// an optional request value whose default changed now asks for something different when left out.
import { argumentList, clientTable, placement } from "./client.mjs";
import { comparePatterns } from "./patterns.mjs";
import { escape as esc, lowerKeys, stable, typeLabel, typeSubset, visibleProperties } from "./model.mjs";

const inDir = (dir) => (dir === "request" ? " (in a request)" : " (in a response)");
const show = (v) => (typeof v === "string" ? JSON.stringify(v) : stable(v));
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isRequired = (p) => p.in === "path" || p.required === true;
const paramLoc = (label, key) => `${label} #/parameters/${key.slice(0, key.indexOf(":"))}/${esc(key.slice(key.indexOf(":") + 1))}`;
// Header names are matched case-insensitively but shown as the spec spells them.
const paramName = (key, p) => `${key.slice(0, key.indexOf(":"))} parameter "${p?.name ?? key.slice(key.indexOf(":") + 1)}"`;

/** The parameters of a matched operation present on both sides, as [old key, old, new]. */
const keptParams = (m) =>
  [...m.old.params].flatMap(([k, p]) => {
    const q = m.new.params.get(m.renamed.get(k) ?? k);
    return q ? [[k, p, q]] : [];
  });
const renameTargets = (m) => new Set(m.renamed.values());

/** Matched operations' responses present on both sides, resolved. */
function* matchedResponses(ctx) {
  for (const m of ctx.operations.matched) {
    for (const [status, raw] of Object.entries(m.old.op.responses ?? {})) {
      const next = m.new.op.responses?.[status];
      if (next) yield { m, status, old: ctx.resolveOld(raw).value, new: ctx.resolveNew(next).value };
    }
  }
}

function* bodies(ctx) {
  for (const m of ctx.operations.matched) {
    yield { m, old: ctx.resolveOld(m.old.op.requestBody).value, new: ctx.resolveNew(m.new.op.requestBody).value };
  }
}

const admitsObject = (ctx, pair) =>
  [ctx.typeSet("old", pair.old), ctx.typeSet("new", pair.new)].every((t) => t === null || t.has("object"));

/**
 * Properties added to, removed from, or changing required-ness in each object pair of `dir`.
 * Only properties that travel in `dir` count: one made readOnly leaves requests (and one made
 * writeOnly leaves responses) as surely as one deleted, and one that stops being readOnly (or
 * writeOnly) joins them. `flag` names the keyword when that is how it left or joined.
 */
function* propertyChanges(ctx, dir) {
  const hiddenBy = dir === "request" ? "readOnly" : "writeOnly";
  for (const pair of ctx.schemaPairs) {
    if (pair.dir !== dir || !isObj(pair.old) || !isObj(pair.new) || !admitsObject(ctx, pair)) continue;
    const oldProps = [...visibleProperties(pair.old, dir, ctx.resolveOld)];
    const newProps = [...visibleProperties(pair.new, dir, ctx.resolveNew)];
    const removed = oldProps.filter((p) => !newProps.includes(p));
    const added = newProps.filter((p) => !oldProps.includes(p));
    const oldReq = new Set(pair.old.required ?? []);
    const newReq = new Set(pair.new.required ?? []);
    const at = (name) => ({ location: `${pair.loc}/properties/${esc(name)}`, origin: pair.origin && `${pair.origin}/properties/${esc(name)}` });
    // Still listed, yet not travelling this way: hidden by the flag rather than deleted.
    const listed = (schema, name) => isObj(schema.properties) && name in schema.properties;
    const deleted = removed.filter((p) => !listed(pair.new, p));
    const created = added.filter((p) => !listed(pair.old, p));
    // A rename is a removal plus an addition; when a pair has exactly one of each, say so.
    const renamedTo = deleted.length === 1 && created.length === 1 ? ` (renamed to "${created[0]}"?)` : "";
    for (const name of removed) {
      const flag = listed(pair.new, name) ? hiddenBy : undefined;
      yield { kind: "removed", name, ...at(name), hint: flag ? "" : renamedTo, flag, wasRequired: oldReq.has(name) };
    }
    for (const name of added) yield { kind: "added", name, ...at(name), required: newReq.has(name), flag: listed(pair.old, name) ? hiddenBy : undefined };
    for (const name of oldProps.filter((p) => newProps.includes(p) && oldReq.has(p) !== newReq.has(p))) {
      yield { kind: "required", name, ...at(name), required: newReq.has(name) };
    }
  }
}

/**
 * The rule for one kind of property change (`removed`, `added` or `required`, as propertyChanges
 * reports them) in one direction; `breaking` judges each change.
 */
function propertyRule(dir, kind, description, breaking) {
  const where = dir === "request" ? "requests" : "responses";
  const message = (c) =>
    kind === "removed"
      ? c.flag
        ? `${c.wasRequired ? "required " : ""}${dir} property "${c.name}" made ${c.flag}: no longer in ${where}`
        : `${dir} property "${c.name}" removed${c.hint}`
      : kind === "added"
        ? c.flag
          ? `${dir} property "${c.name}" no longer ${c.flag}: now ${dir === "request" ? `${c.required ? "required" : "optional"} ` : ""}in ${where}`
          : `${dir === "request" ? `${c.required ? "required" : "optional"} ` : ""}${dir} property "${c.name}" added`
        : `${dir} property "${c.name}" made ${c.required ? "required" : "optional"}`;
  return {
    id: `${dir}-property-${kind}`,
    description,
    *detect(_old, _new, ctx) {
      for (const c of propertyChanges(ctx, dir)) {
        if (c.kind === kind) {
          yield { location: c.location, origin: c.origin, breaking: breaking(c), change: kind === "required" ? "changed" : kind, message: message(c) };
        }
      }
    },
  };
}

// Keywords that bound a value. `tighter(old, new)` says whether the new value admits less.
const lower = (o, n) => n < o;
const higher = (o, n) => n > o;
const CONSTRAINTS = [
  ["maxLength", lower, "lowered", "raised"],
  ["minLength", higher, "raised", "lowered"],
  ["maximum", lower, "lowered", "raised"],
  ["exclusiveMaximum", lower, "lowered", "raised"],
  ["minimum", higher, "raised", "lowered"],
  ["exclusiveMinimum", higher, "raised", "lowered"],
  ["maxItems", lower, "lowered", "raised"],
  ["minItems", higher, "raised", "lowered"],
  ["maxProperties", lower, "lowered", "raised"],
  ["minProperties", higher, "raised", "lowered"],
  // Every multiple of the old divisor stays allowed only if the new divisor divides it.
  ["multipleOf", (o, n) => o % n !== 0, "changed", "changed"],
];

// Formats whose values are all values of another (the OpenAPI Format Registry's integer and
// number widths). Any other change of format is read as a tightening: no proof, no loosening.
const FORMAT_WIDENS = new Set(["int32>int64", "float>double"]);

/** How `pattern` changed, judged on the strings admitted (patterns.mjs), never on the text. */
function patternChange(o, n) {
  const relation = comparePatterns(o, n);
  const text = o === undefined ? `pattern ${show(n)} added` : n === undefined ? `pattern ${show(o)} removed` : `pattern changed ${show(o)} → ${show(n)}`;
  if (relation === "same") return { tight: false, same: true, text: `${text}, admitting exactly the same strings` };
  if (relation === "wider") return { tight: false, text: o !== undefined && n !== undefined ? `${text}, admitting everything it did and more` : text };
  if (relation === "narrower") return { tight: true, text };
  return { tight: true, text: `${text}${relation === "unknown" ? " (cannot prove it admits every value it did)" : ", no longer admitting some values it did"}` };
}

function constraintChanges(pair) {
  const out = [];
  for (const [key, tighter, tightVerb, looseVerb] of CONSTRAINTS) {
    const [o, n] = [pair.old[key], pair.new[key]];
    if (o === n) continue;
    if (o === undefined) out.push({ tight: true, text: `${key} ${show(n)} added` });
    else if (n === undefined) out.push({ tight: false, text: `${key} ${show(o)} removed` });
    else {
      const tight = tighter(o, n);
      out.push({ tight, text: `${key} ${tight ? tightVerb : looseVerb} ${show(o)} → ${show(n)}` });
    }
  }
  if (pair.old.pattern !== pair.new.pattern) out.push(patternChange(pair.old.pattern, pair.new.pattern));
  const [of, nf] = [pair.old.format, pair.new.format];
  if (of !== nf) {
    if (of === undefined) out.push({ tight: true, text: `format ${show(nf)} added` });
    else if (nf === undefined) out.push({ tight: false, text: `format ${show(of)} removed` });
    else out.push({ tight: !FORMAT_WIDENS.has(`${of}>${nf}`), text: `format changed ${show(of)} → ${show(nf)}` });
  }
  if (Boolean(pair.old.uniqueItems) !== Boolean(pair.new.uniqueItems)) {
    out.push({ tight: Boolean(pair.new.uniqueItems), text: `uniqueItems ${pair.new.uniqueItems ? "added" : "removed"}` });
  }
  const closed = (s) => s.additionalProperties === false;
  if (closed(pair.old) !== closed(pair.new)) {
    out.push({ tight: closed(pair.new), text: closed(pair.new) ? "closed (additionalProperties: false added)" : "opened (additionalProperties: false removed)" });
  }
  return out;
}

const enumOf = (s) => (Array.isArray(s.enum) ? s.enum : "const" in s ? [s.const] : undefined);

/** Whether a schema admits every value: no schema keyword other than annotations. */
const ANNOTATIONS = new Set(["description", "title", "example", "examples", "default", "deprecated", "$comment"]);
const admitsAnything = (schema) => schema === true || (isObj(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k) || k.startsWith("x-")));

// --- Security -------------------------------------------------------------------------------------

/** The security requirement in force for an operation: its alternatives, each a Map scheme → Set of scopes. */
function requirementOf(doc, op) {
  return (op.security ?? doc.security ?? []).map((req) => new Map(Object.entries(req).map(([name, scopes]) => [name, new Set(scopes ?? [])])));
}
const showRequirement = (alt) =>
  [...alt.keys()]
    .sort()
    .map((name) => (alt.get(name).size ? `${name}[${[...alt.get(name)].sort().join(",")}]` : name))
    .join(" + ") || "{} (anonymous)";
/**
 * Whether credentials that satisfy alternative `had` also satisfy `needs`: every scheme `needs`
 * names is one `had` names, with no scope `had` did not ask for.
 */
const satisfies = (had, needs) => [...needs].every(([name, scopes]) => had.has(name) && [...scopes].every((s) => had.get(name).has(s)));

/**
 * What a client configured for security scheme `raw` sends, with its documentation (description,
 * bearerFormat, the descriptions and the list of offered scopes) set aside. Auth schemes and
 * header names are case-insensitive (RFC 9110).
 */
function schemeIdentity(raw) {
  if (!isObj(raw)) return undefined;
  const { type, scheme, in: where, name, openIdConnectUrl, flows } = raw;
  return stable({
    type,
    scheme: typeof scheme === "string" ? scheme.toLowerCase() : scheme,
    in: where,
    name: where === "header" && typeof name === "string" ? name.toLowerCase() : name,
    openIdConnectUrl,
    flows: isObj(flows)
      ? Object.fromEntries(Object.entries(flows).map(([kind, f]) => [kind, isObj(f) ? { authorizationUrl: f.authorizationUrl, tokenUrl: f.tokenUrl, refreshUrl: f.refreshUrl } : f]))
      : undefined,
  });
}

// --- Discriminators -------------------------------------------------------------------------------

const componentName = (ref) => String(ref).split("/").pop();

/**
 * A schema's discriminator as { property, mapping: Map value → component name }. Members of its
 * anyOf/oneOf not named in the mapping are reached by their component's name, as OpenAPI says,
 * so renaming such a component changes the value on the wire.
 */
function discriminatorOf(schema) {
  const d = isObj(schema) ? schema.discriminator : undefined;
  if (!isObj(d)) return undefined;
  const mapping = new Map(Object.entries(d.mapping ?? {}).map(([value, target]) => [value, componentName(target)]));
  const targets = new Set(mapping.values());
  for (const member of schema.oneOf ?? schema.anyOf ?? []) {
    if (isObj(member) && typeof member.$ref === "string" && !targets.has(componentName(member.$ref))) {
      mapping.set(componentName(member.$ref), componentName(member.$ref));
    }
  }
  return { property: d.propertyName, mapping };
}

// The component sections openapi-typescript turns into exported types.
const COMPONENT_SECTIONS = ["schemas", "responses", "parameters", "requestBodies", "headers"];

// --- Status codes ---------------------------------------------------------------------------------

const isSuccess = (status, responses) => /^2/i.test(status) || (status === "default" && !Object.keys(responses ?? {}).some((s) => /^2/i.test(s)));

export const RULES = [
  {
    id: "path-removed",
    description: "A path is gone, with every operation under it.",
    detect(_old, _new, ctx) {
      const byPath = new Map();
      for (const r of ctx.operations.removed.filter((r) => r.pathRemoved)) byPath.set(r.old.path, [...(byPath.get(r.old.path) ?? []), r]);
      return [...byPath].map(([path, ops]) => ({
        location: path,
        breaking: true,
        change: "removed",
        message: `path removed, with ${ops.map((r) => r.old.method.toUpperCase()).join(", ")}`,
      }));
    },
  },
  {
    id: "operation-removed",
    description: "An operation is gone from a path that is still there.",
    detect: (_old, _new, ctx) =>
      ctx.operations.removed
        .filter((r) => !r.pathRemoved)
        .map((r) => ({ location: r.label, breaking: true, change: "removed", message: `operation ${r.old.op.operationId ?? r.label} removed` })),
  },
  {
    id: "operation-moved",
    description:
      "An operation kept its operationId but moved to another path or method. The client's method stays where it was, but requests go elsewhere and the exported `paths` type is keyed by path: breaking. What else changed in it is compared with its old self.",
    detect: (_old, _new, ctx) =>
      ctx.operations.matched
        .filter((m) => m.movedFrom)
        .map((m) => ({ location: m.label, breaking: true, change: "changed", message: `operation ${m.new.op.operationId} moved from ${m.movedFrom}` })),
  },
  {
    id: "operation-added",
    description: "A new operation (on a new or an existing path).",
    detect: (_old, _new, ctx) =>
      ctx.operations.added.map((a) => ({ location: a.label, breaking: false, change: "added", message: `operation ${a.new.op.operationId ?? a.label} added` })),
  },
  {
    id: "webhook-changed",
    description:
      "A webhook (a request the server sends a user's endpoint) removed, or its payload dropped: breaking, since code that parses and handles it loses its type. A new webhook is not: nothing arrives until a user subscribes. Changes inside a payload are judged by the other rules as a response is.",
    *detect(_old, _new, ctx) {
      for (const h of ctx.webhooks.removed) yield { location: h.label, breaking: true, change: "removed", message: `webhook ${h.old.name} removed` };
      for (const h of ctx.webhooks.added) yield { location: h.label, breaking: false, change: "added", message: `webhook ${h.new.name} added` };
      for (const h of ctx.webhooks.matched) {
        const [o, n] = [ctx.resolveOld(h.old.op.requestBody).value, ctx.resolveNew(h.new.op.requestBody).value];
        for (const media of Object.keys(o?.content ?? {})) {
          if (!n?.content?.[media]) yield { location: `${h.label} #/requestBody/content/${esc(media)}`, breaking: true, change: "removed", message: `webhook ${h.new.name} payload ${media} removed` };
        }
        for (const media of Object.keys(n?.content ?? {})) {
          if (!o?.content?.[media]) yield { location: `${h.label} #/requestBody/content/${esc(media)}`, breaking: false, change: "added", message: `webhook ${h.new.name} payload ${media} added` };
        }
      }
    },
  },
  {
    id: "operation-id-changed",
    description:
      "An operation's operationId renamed or dropped: breaking, because the client's operation table, its exported OperationId type and the generated operation types are keyed by it. Giving one to an operation that had none is not.",
    *detect(_old, _new, ctx) {
      for (const m of ctx.operations.matched) {
        const [o, n] = [m.old.op.operationId, m.new.op.operationId];
        if (o === n) continue;
        if (o === undefined) yield { location: m.label, breaking: false, change: "added", message: `operationId ${n} given` };
        else if (n === undefined) yield { location: m.label, breaking: true, change: "removed", message: `operationId ${o} dropped` };
        else yield { location: m.label, breaking: true, change: "changed", message: `operationId renamed ${o} → ${n}` };
      }
    },
  },
  {
    id: "client-method-changed",
    description:
      "The client's method for an operation, as the generator derives it (scripts/lib/operations.mjs), moved to another place in the resource tree, takes different positional arguments, returns a different kind of result, or became unsupported: each breaks code calling it. Only for specs the client is generated from.",
    *detect(oldDoc, newDoc, ctx) {
      const [before, after] = [clientTable(oldDoc), clientTable(newDoc)];
      if (!before || !after) return;
      for (const m of ctx.operations.matched) {
        const [o, n] = [before[m.old.op.operationId], after[m.new.op.operationId]];
        if (!o || !n) continue;
        const at = { location: m.label, change: "changed" };
        if (placement(o) !== placement(n)) yield { ...at, breaking: true, message: `client method moved: ${placement(o)} → ${placement(n)}` };
        const [oa, na] = [argumentList(o), argumentList(n)];
        if (oa.join() !== na.join()) yield { ...at, breaking: true, message: `client method ${placement(n)} takes (${na.join(", ")}) instead of (${oa.join(", ")})` };
        if (o.returns !== n.returns) yield { ...at, breaking: true, message: `client method ${placement(n)} returns a ${n.returns} instead of a ${o.returns}` };
        if (o.supported !== n.supported) {
          yield { ...at, breaking: !n.supported, message: `client method ${placement(n)} ${n.supported ? "now supported" : "marked unsupported: calls now fail before anything is sent"}` };
        }
      }
    },
  },
  {
    id: "component-changed",
    description:
      "A component (schema, response, parameter, request body or header) removed or renamed: breaking, because the generated types export every one by name (`components[\"schemas\"][\"X\"]`) and users import them. One added is not.",
    *detect(oldDoc, newDoc) {
      for (const section of COMPONENT_SECTIONS) {
        const [o, n] = [Object.keys(oldDoc.components?.[section] ?? {}), Object.keys(newDoc.components?.[section] ?? {})];
        const removed = o.filter((k) => !n.includes(k));
        const added = n.filter((k) => !o.includes(k));
        const hint = removed.length === 1 && added.length === 1 ? ` (renamed to ${added[0]}?)` : "";
        const loc = (name) => `#/components/${section}/${esc(name)}`;
        for (const name of removed) yield { location: loc(name), breaking: true, change: "removed", message: `${section} component ${name} removed${hint}` };
        for (const name of added) yield { location: loc(name), breaking: false, change: "added", message: `${section} component ${name} added` };
      }
    },
  },
  {
    id: "parameter-removed",
    description:
      "A parameter is gone; a renamed parameter shows as this plus parameter-added. A path parameter renamed in the template is not removed: its name never reaches the wire and the client passes it by position.",
    detect(_old, _new, ctx) {
      return ctx.operations.matched.flatMap((m) => {
        const renames = [...m.renamed].map(([k, to]) => ({
          location: paramLoc(m.label, to),
          breaking: false,
          change: "changed",
          message: `${paramName(k, m.old.params.get(k))} renamed to "${m.new.params.get(to).name}" (same place in the path)`,
        }));
        const removed = [...m.old.params].filter(([k]) => !m.new.params.has(k) && !m.renamed.has(k));
        const added = [...m.new.params].filter(([k]) => !m.old.params.has(k) && !renameTargets(m).has(k));
        const renamedHint = removed.length === 1 && added.length === 1 && removed[0][1].in === added[0][1].in ? ` (renamed to "${added[0][1].name}"?)` : "";
        return [
          ...renames,
          ...removed.map(([k, p]) => ({ location: paramLoc(m.label, k), breaking: true, change: "removed", message: `${paramName(k, p)} removed${renamedHint}` })),
        ];
      });
    },
  },
  {
    id: "parameter-added",
    description: "A new parameter: breaking when required (path parameters always are).",
    detect(_old, _new, ctx) {
      return ctx.operations.matched.flatMap((m) =>
        [...m.new.params]
          .filter(([k]) => !m.old.params.has(k) && !renameTargets(m).has(k))
          .map(([k, p]) => ({
            location: paramLoc(m.label, k),
            breaking: isRequired(p),
            change: "added",
            message: `${isRequired(p) ? "required" : "optional"} ${paramName(k, p)} added`,
          })),
      );
    },
  },
  {
    id: "parameter-required",
    description: "An optional parameter made required (breaking) or a required one made optional.",
    detect(_old, _new, ctx) {
      return ctx.operations.matched.flatMap((m) =>
        keptParams(m)
          .filter(([, p, q]) => isRequired(p) !== isRequired(q))
          .map(([k, p]) => ({
            location: paramLoc(m.label, k),
            breaking: !isRequired(p),
            change: "changed",
            message: `${paramName(k, p)} made ${isRequired(p) ? "optional" : "required"}`,
          })),
      );
    },
  },
  {
    id: "request-body-changed",
    description:
      "A request body added, removed, or made required or optional, or a body schema added where a media type had none (breaking unless it admits anything: bodies are now checked and typed) or removed (not breaking: anything goes).",
    *detect(_old, _new, ctx) {
      for (const b of bodies(ctx)) {
        const location = `${b.m.label} #/requestBody`;
        if (!b.old && b.new) {
          const required = b.new.required === true;
          yield { location, breaking: required, change: "added", message: `${required ? "required" : "optional"} request body added` };
        } else if (b.old && !b.new) yield { location, breaking: true, change: "removed", message: "request body removed" };
        else if (b.old && b.new && Boolean(b.old.required) !== Boolean(b.new.required)) {
          yield { location, breaking: Boolean(b.new.required), change: "changed", message: `request body made ${b.new.required ? "required" : "optional"}` };
        }
        if (!b.old || !b.new) continue;
        for (const [media, content] of Object.entries(b.old.content ?? {})) {
          const next = b.new.content?.[media];
          if (!next) continue;
          const at = `${location}/content/${esc(media)}/schema`;
          if (content.schema === undefined && next.schema !== undefined) {
            const free = admitsAnything(ctx.resolveNew(next.schema).value);
            yield { location: at, breaking: !free, change: "added", message: `request body schema added to ${media}${free ? " (admitting anything)" : ""}` };
          } else if (content.schema !== undefined && next.schema === undefined) {
            yield { location: at, breaking: false, change: "removed", message: `request body schema removed from ${media}: any body is accepted` };
          }
        }
      }
    },
  },
  {
    id: "response-body-changed",
    description:
      "A response that had a body has none (breaking: code reading it gets nothing), or one that had none has one (not breaking); a media type's schema removed (breaking: the body is no longer described or typed) or added (not breaking).",
    *detect(_old, _new, ctx) {
      for (const r of matchedResponses(ctx)) {
        const location = `${r.m.label} #/responses/${r.status}/content`;
        const [o, n] = [Object.keys(r.old.content ?? {}), Object.keys(r.new.content ?? {})];
        if (o.length && !n.length) yield { location, breaking: true, change: "removed", message: `${r.status} response body removed (was ${o.join(", ")})` };
        else if (!o.length && n.length) yield { location, breaking: false, change: "added", message: `${r.status} response body added (${n.join(", ")})` };
        for (const media of o.filter((x) => n.includes(x))) {
          const [os, ns] = [r.old.content[media].schema, r.new.content[media].schema];
          const at = `${location}/${esc(media)}/schema`;
          if (os !== undefined && ns === undefined) yield { location: at, breaking: true, change: "removed", message: `${r.status} response schema removed from ${media}` };
          else if (os === undefined && ns !== undefined) yield { location: at, breaking: false, change: "added", message: `${r.status} response schema added to ${media}` };
        }
      }
    },
  },
  {
    id: "media-type-changed",
    description:
      "A request or response media type removed (breaking) or added, where both sides have a body. Media types are compared exactly: the client reads and types `application/json` by that key, so even a parameter added to it is a change.",
    *detect(_old, _new, ctx) {
      const compare = function* (location, o, n, what) {
        for (const media of Object.keys(o ?? {})) {
          if (!(media in (n ?? {}))) yield { location: `${location}/${esc(media)}`, breaking: true, change: "removed", message: `${what} media type ${media} removed` };
        }
        for (const media of Object.keys(n ?? {})) {
          if (!(media in (o ?? {}))) yield { location: `${location}/${esc(media)}`, breaking: false, change: "added", message: `${what} media type ${media} added` };
        }
      };
      for (const b of bodies(ctx)) if (b.old && b.new) yield* compare(`${b.m.label} #/requestBody/content`, b.old.content, b.new.content, "request");
      for (const r of matchedResponses(ctx)) {
        // A body that appeared or went as a whole is response-body-changed's.
        if (!Object.keys(r.old.content ?? {}).length || !Object.keys(r.new.content ?? {}).length) continue;
        yield* compare(`${r.m.label} #/responses/${r.status}/content`, r.old.content, r.new.content, `${r.status} response`);
      }
    },
  },
  propertyRule(
    "request",
    "removed",
    "A request body property is gone, or made readOnly; users who send it are refused or ignored.",
    () => true,
  ),
  propertyRule("request", "added", "A new request property, or one no longer readOnly: breaking when required.", (c) => c.required),
  propertyRule("request", "required", "An optional request property made required (breaking), or the reverse.", (c) => c.required),
  propertyRule(
    "response",
    "removed",
    "A response property is gone (breaking: code reading it gets undefined and its type loses it), or made writeOnly (breaking when it was required; the type keeps an optional one, which old code already expects to be missing).",
    (c) => !c.flag || c.wasRequired,
  ),
  propertyRule("response", "added", "A new response property, or one no longer writeOnly; old code ignores it.", () => false),
  propertyRule(
    "response",
    "required",
    "A response property made optional (breaking: it may now be missing), or made required.",
    (c) => !c.required,
  ),
  {
    id: "type-changed",
    description:
      "Types narrowed, widened or changed, anyOf/oneOf members added or removed, or a union switched between anyOf and oneOf; breaking when a request narrows, a response widens, or the types are unrelated.",
    *detect(_old, _new, ctx) {
      for (const pair of ctx.schemaPairs) {
        const base = { location: pair.loc, origin: pair.origin, change: "changed" };
        // With members matched one by one, only the union's own `type` counts here; the members
        // are pairs of their own.
        const a = ctx.typeSet("old", pair.old, !pair.branches);
        const b = ctx.typeSet("new", pair.new, !pair.branches);
        if (!(pair.branches && (a === null || b === null))) {
          const narrower = typeSubset(b, a);
          const wider = typeSubset(a, b);
          if (!(narrower && wider)) {
            const verb = narrower ? "narrowed" : wider ? "widened" : "changed";
            const breaking = verb === "changed" || (verb === "narrowed") === (pair.dir === "request");
            yield { ...base, breaking, message: `type ${verb} ${typeLabel(a)} → ${typeLabel(b)}${inDir(pair.dir)}` };
          }
        }
        const branches = pair.branches;
        if (branches && branches.oldKind !== branches.kind) {
          // oneOf refuses a value that fits several members, anyOf does not. Members whose types
          // cannot overlap never both fit, so only overlapping members make oneOf narrower.
          const types = pair.new[branches.kind].map((m) => ctx.typeSet("new", ctx.resolveNew(m).value));
          const overlap = types.some((t, i) => types.slice(i + 1).some((u) => t === null || u === null || [...t].some((x) => u.has(x) || (x === "integer" && u.has("number")) || (x === "number" && u.has("integer")))));
          const narrows = branches.kind === "oneOf" && overlap;
          yield { ...base, breaking: narrows && pair.dir === "request", message: `${branches.oldKind} → ${branches.kind}${narrows ? ": a value fitting several members is now refused" : ""}${inDir(pair.dir)}` };
        }
        for (const m of branches?.removed ?? []) {
          yield { ...base, location: `${pair.loc}/${branches.kind}`, breaking: pair.dir === "request", message: `${branches.kind} member ${m.label} removed${inDir(pair.dir)}` };
        }
        for (const m of branches?.added ?? []) {
          yield { ...base, location: `${pair.loc}/${branches.kind}`, breaking: pair.dir === "response", message: `${branches.kind} member ${m.label} added${inDir(pair.dir)}` };
        }
      }
    },
  },
  {
    id: "discriminator-changed",
    description:
      "A discriminator added, removed, pointed at another property, or its mapping changed (members not in the mapping count under their component's name): breaking when a request loses a value or a response gains one, when a value now selects another schema, when the property changes, when a request gains a discriminator or a response loses one.",
    *detect(_old, _new, ctx) {
      for (const pair of ctx.schemaPairs) {
        const [o, n] = [discriminatorOf(pair.old), discriminatorOf(pair.new)];
        if (!o && !n) continue;
        const base = { location: pair.loc, origin: pair.origin, change: "changed" };
        const req = pair.dir === "request";
        if (!o) yield { ...base, change: "added", breaking: req, message: `discriminator "${n.property}" added${inDir(pair.dir)}` };
        else if (!n) yield { ...base, change: "removed", breaking: !req, message: `discriminator "${o.property}" removed${inDir(pair.dir)}` };
        else {
          if (o.property !== n.property) yield { ...base, breaking: true, message: `discriminator property "${o.property}" → "${n.property}"${inDir(pair.dir)}` };
          const removed = [...o.mapping.keys()].filter((v) => !n.mapping.has(v));
          const added = [...n.mapping.keys()].filter((v) => !o.mapping.has(v));
          const moved = [...o.mapping.keys()].filter((v) => n.mapping.has(v) && n.mapping.get(v) !== o.mapping.get(v));
          const list = (vs) => vs.map(show).join(", ");
          if (removed.length) yield { ...base, change: "removed", breaking: req, message: `discriminator value${removed.length > 1 ? "s" : ""} ${list(removed)} removed${inDir(pair.dir)}` };
          if (added.length) yield { ...base, change: "added", breaking: !req, message: `discriminator value${added.length > 1 ? "s" : ""} ${list(added)} added${inDir(pair.dir)}` };
          for (const v of moved) yield { ...base, breaking: true, message: `discriminator value ${show(v)} now selects ${n.mapping.get(v)} instead of ${o.mapping.get(v)}${inDir(pair.dir)}` };
        }
      }
    },
  },
  {
    id: "enum-changed",
    description:
      "Enum values removed (breaking in a request) or added (breaking in a response: the generated union type is closed, so exhaustive switches stop compiling and unknown values reach old code).",
    *detect(_old, _new, ctx) {
      for (const pair of ctx.schemaPairs) {
        if (!isObj(pair.old) || !isObj(pair.new)) continue;
        const [o, n] = [enumOf(pair.old), enumOf(pair.new)];
        if (!o && !n) continue;
        const base = { location: pair.loc, origin: pair.origin, change: "changed" };
        const req = pair.dir === "request";
        if (!o) yield { ...base, breaking: req, message: `enum ${n.map(show).join(", ")} imposed${inDir(pair.dir)}` };
        else if (!n) yield { ...base, breaking: !req, message: `enum lifted: any value now allowed${inDir(pair.dir)}` };
        else {
          const keys = (vs) => new Set(vs.map(stable));
          const removed = o.filter((v) => !keys(n).has(stable(v)));
          const added = n.filter((v) => !keys(o).has(stable(v)));
          if (removed.length) yield { ...base, change: "removed", breaking: req, message: `enum value${removed.length > 1 ? "s" : ""} ${removed.map(show).join(", ")} removed${inDir(pair.dir)}` };
          if (added.length) yield { ...base, change: "added", breaking: !req, message: `enum value${added.length > 1 ? "s" : ""} ${added.map(show).join(", ")} added${inDir(pair.dir)}` };
        }
      }
    },
  },
  {
    id: "constraint-changed",
    description:
      "Length, range, pattern, format, multipleOf, uniqueItems or additionalProperties changed: tightening a request breaks; loosening is not, and response constraints are informational (the SDK neither validates responses nor types these bounds). A pattern counts as loosened only when the new one provably admits every string the old one did; readOnly request properties are not sent, so their constraints are not checked there.",
    *detect(_old, _new, ctx) {
      for (const pair of ctx.schemaPairs) {
        if (!isObj(pair.old) || !isObj(pair.new)) continue;
        for (const c of constraintChanges(pair)) {
          const verb = c.same ? "rewritten" : c.tight ? "tightened" : "loosened";
          yield { location: pair.loc, origin: pair.origin, change: "changed", breaking: c.tight && pair.dir === "request", message: `${verb}: ${c.text}${inDir(pair.dir)}` };
        }
      }
    },
  },
  {
    id: "status-code-removed",
    description:
      "A response status code is gone (a changed code shows as this plus status-code-added): breaking for a success code, whose body old code reads; an error code removed is not, since the client raises its errors by the status the server sends, whatever the spec lists.",
    *detect(_old, _new, ctx) {
      for (const m of ctx.operations.matched) {
        for (const status of Object.keys(m.old.op.responses ?? {})) {
          if (status in (m.new.op.responses ?? {})) continue;
          const success = isSuccess(status, m.old.op.responses);
          yield { location: `${m.label} #/responses/${status}`, breaking: success, change: "removed", message: `${success ? "success" : "error"} response ${status} removed` };
        }
      }
    },
  },
  {
    id: "status-code-added",
    description: "A new response status: breaking for a success (2xx) code, whose body old code does not expect; an added error code is not.",
    *detect(_old, _new, ctx) {
      for (const m of ctx.operations.matched) {
        for (const status of Object.keys(m.new.op.responses ?? {})) {
          if (status in (m.old.op.responses ?? {})) continue;
          const success = /^2/.test(status);
          yield { location: `${m.label} #/responses/${status}`, breaking: success, change: "added", message: `${success ? "success" : "error"} response ${status} added` };
        }
      }
    },
  },
  {
    id: "response-header-changed",
    description: "A response header removed or made optional: breaking when it was required.",
    *detect(_old, _new, ctx) {
      for (const r of matchedResponses(ctx)) {
        const [o, n] = [lowerKeys(r.old.headers), lowerKeys(r.new.headers)];
        const loc = (name) => `${r.m.label} #/responses/${r.status}/headers/${esc(name)}`;
        for (const [name, raw] of Object.entries(o)) {
          const was = ctx.resolveOld(raw).value;
          if (!(name in n)) yield { location: loc(name), breaking: was.required === true, change: "removed", message: `${was.required ? "required" : "optional"} header ${name} removed from the ${r.status} response` };
          else if (was.required === true && ctx.resolveNew(n[name]).value.required !== true) {
            yield { location: loc(name), breaking: true, change: "changed", message: `header ${name} of the ${r.status} response made optional` };
          }
        }
        for (const name of Object.keys(n)) {
          if (!(name in o)) yield { location: loc(name), breaking: false, change: "added", message: `header ${name} added to the ${r.status} response` };
        }
      }
    },
  },
  {
    id: "security-changed",
    description:
      "The security requirement of an operation, or a scheme it uses, changed. Breaking only when credentials that satisfied an old alternative satisfy no new one (a scheme or scope added to every way in, a way in removed), or when what a client sends for a scheme changes; an alternative that needs fewer schemes or scopes, an added alternative, or scopes merely offered by a scheme are not.",
    *detect(oldDoc, newDoc, ctx) {
      const used = new Set();
      for (const m of ctx.operations.matched) {
        const o = requirementOf(oldDoc, m.old.op);
        const n = requirementOf(newDoc, m.new.op);
        const location = `${m.label} #/security`;
        for (const alt of o) for (const name of alt.keys()) used.add(name);
        const [os, ns] = [o.map(showRequirement), n.map(showRequirement)];
        if (o.length === 0 && n.length > 0) {
          yield { location, breaking: true, change: "added", message: `security required: ${ns.join(" or ")}` };
          continue;
        }
        if (o.length > 0 && n.length === 0) {
          yield { location, breaking: false, change: "removed", message: "security requirement dropped" };
          continue;
        }
        const relaxedTo = new Set();
        for (const [i, alt] of o.entries()) {
          if (ns.includes(os[i])) continue;
          const easier = n.findIndex((next, j) => !os.includes(ns[j]) && satisfies(alt, next));
          if (easier !== -1) {
            relaxedTo.add(easier);
            yield { location, breaking: false, change: "changed", message: `security alternative ${os[i]} relaxed to ${ns[easier]}` };
          } else if (n.some((next) => satisfies(alt, next))) {
            yield { location, breaking: false, change: "removed", message: `security alternative ${os[i]} removed; its credentials still satisfy another` };
          } else {
            yield { location, breaking: true, change: "removed", message: `security alternative ${os[i]} removed` };
          }
        }
        for (const [j, label] of ns.entries()) {
          if (!os.includes(label) && !relaxedTo.has(j)) yield { location, breaking: false, change: "added", message: `security alternative ${label} added` };
        }
      }
      for (const name of used) {
        const [oraw, nraw] = [oldDoc.components?.securitySchemes?.[name], newDoc.components?.securitySchemes?.[name]];
        const location = `#/components/securitySchemes/${esc(name)}`;
        if (oraw && !nraw) {
          yield { location, breaking: true, change: "removed", message: `security scheme ${name} removed` };
          continue;
        }
        if (!oraw) continue;
        const [o, n] = [ctx.resolveOld(oraw).value, ctx.resolveNew(nraw).value];
        if (schemeIdentity(o) !== schemeIdentity(n)) yield { location, breaking: true, change: "changed", message: `security scheme ${name} changed` };
        else {
          const same = (k) => stable(o[k]) === stable(n[k]) || ((k === "scheme" || k === "name") && String(o[k]).toLowerCase() === String(n[k]).toLowerCase());
          const keys = [...new Set([...Object.keys(o), ...Object.keys(n)])].filter((k) => k !== "description" && !same(k));
          const what = keys.map((k) => (k === "flows" ? "offered scopes" : k)).join(", ");
          if (keys.length) yield { location, breaking: false, change: "changed", message: `security scheme ${name}: ${what} changed (documentation only; clients send the same)` };
        }
      }
    },
  },
  {
    id: "default-changed",
    description:
      "A default value changed or dropped. On an optional request value (a parameter or body property a caller may leave out) it is a behaviour change: the call still compiles and is still accepted, but leaving the value out now asks for something else. Elsewhere (a required value, a response, a default newly documented) it is informational.",
    *detect(_old, _new, ctx) {
      for (const pair of ctx.schemaPairs) {
        if (!isObj(pair.old) || !isObj(pair.new) || stable(pair.old.default) === stable(pair.new.default)) continue;
        const text = [pair.old.default, pair.new.default].map((v) => (v === undefined ? "none" : show(v))).join(" → ");
        const behaviour = pair.dir === "request" && pair.required === false && pair.old.default !== undefined;
        yield {
          location: pair.loc,
          origin: pair.origin,
          breaking: false,
          ...(behaviour && { behaviour: true }),
          change: "changed",
          message: `default changed ${text}${behaviour ? " (in a request: leaving it out now means something else)" : inDir(pair.dir)}`,
        };
      }
    },
  },
  {
    id: "deprecated",
    description: "An operation, parameter or schema marked deprecated, or no longer deprecated.",
    *detect(_old, _new, ctx) {
      const flag = (location, o, n, what, origin) =>
        Boolean(o?.deprecated) === Boolean(n?.deprecated)
          ? []
          : [{ location, origin, breaking: false, change: "changed", message: `${what} ${n.deprecated ? "deprecated" : "no longer deprecated"}` }];
      for (const m of ctx.operations.matched) {
        yield* flag(m.label, m.old.op, m.new.op, "operation");
        for (const [k, p, q] of keptParams(m)) yield* flag(paramLoc(m.label, k), p, q, paramName(k, p));
      }
      for (const pair of ctx.schemaPairs) if (isObj(pair.old) && isObj(pair.new)) yield* flag(pair.loc, pair.old, pair.new, "schema", pair.origin);
    },
  },
  {
    id: "description-changed",
    description: "Documentation only: a summary, description or title changed.",
    *detect(_old, _new, ctx) {
      const doc = function* (location, o, n, keys = ["description"], origin) {
        for (const key of keys) {
          if (o?.[key] !== n?.[key]) yield { location: `${location}/${key}`, origin: origin && `${origin}/${key}`, breaking: false, change: "changed", message: `${key} changed` };
        }
      };
      for (const m of ctx.operations.matched) {
        yield* doc(`${m.label} #`, m.old.op, m.new.op, ["summary", "description"]);
        for (const [k, p, q] of keptParams(m)) yield* doc(paramLoc(m.label, k), p, q);
      }
      for (const b of bodies(ctx)) if (b.old && b.new) yield* doc(`${b.m.label} #/requestBody`, b.old, b.new);
      for (const r of matchedResponses(ctx)) yield* doc(`${r.m.label} #/responses/${r.status}`, r.old, r.new);
      for (const pair of ctx.schemaPairs) if (isObj(pair.old) && isObj(pair.new)) yield* doc(pair.loc, pair.old, pair.new, ["title", "description"], pair.origin);
    },
  },
];

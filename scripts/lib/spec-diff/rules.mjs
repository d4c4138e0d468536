// The rule table. Each rule looks at one kind of change and says, per finding, whether it breaks
// existing users. "Breaking" means: code written against the old spec (its requests, its reading
// of responses, or its TypeScript types) can stop working against the new one.
//
// Direction matters. A request is written by the user, so anything that refuses what used to be
// accepted breaks (narrowing, tightening, new required input). A response is read by the user, so
// anything that can now arrive and could not before breaks (widening, new enum values, fields that
// may now be missing); narrowing a response only makes old code's checks redundant.
import { effectiveSecurity, escape as esc, lowerKeys, stable, typeLabel, typeSubset } from "./model.mjs";

const inDir = (dir) => (dir === "request" ? " (in a request)" : " (in a response)");
const show = (v) => (typeof v === "string" ? JSON.stringify(v) : stable(v));
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isRequired = (p) => p.in === "path" || p.required === true;
const paramLoc = (label, key) => `${label} #/parameters/${key.slice(0, key.indexOf(":"))}/${esc(key.slice(key.indexOf(":") + 1))}`;
// Header names are matched case-insensitively but shown as the spec spells them.
const paramName = (key, p) => `${key.slice(0, key.indexOf(":"))} parameter "${p?.name ?? key.slice(key.indexOf(":") + 1)}"`;

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

/** Properties added to, removed from, or changing required-ness in each object pair of `dir`. */
function* propertyChanges(ctx, dir) {
  for (const pair of ctx.schemaPairs) {
    if (pair.dir !== dir || !isObj(pair.old) || !isObj(pair.new) || !admitsObject(ctx, pair)) continue;
    const oldProps = Object.keys(pair.old.properties ?? {});
    const newProps = Object.keys(pair.new.properties ?? {});
    const removed = oldProps.filter((p) => !newProps.includes(p));
    const added = newProps.filter((p) => !oldProps.includes(p));
    const oldReq = new Set(pair.old.required ?? []);
    const newReq = new Set(pair.new.required ?? []);
    const at = (name) => ({ location: `${pair.loc}/properties/${esc(name)}`, origin: pair.origin && `${pair.origin}/properties/${esc(name)}` });
    // A rename is a removal plus an addition; when a pair has exactly one of each, say so.
    const renamedTo = removed.length === 1 && added.length === 1 ? ` (renamed to "${added[0]}"?)` : "";
    for (const name of removed) yield { kind: "removed", name, ...at(name), hint: renamedTo };
    for (const name of added) yield { kind: "added", name, ...at(name), required: newReq.has(name) };
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
  const message = (c) =>
    kind === "removed" ? `${dir} property "${c.name}" removed${c.hint}`
    : kind === "added" ? `${dir === "request" ? `${c.required ? "required" : "optional"} ` : ""}${dir} property "${c.name}" added`
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
  // Whether one regular expression or format admits less than another is not decidable here, so
  // any change to one is treated as a tightening.
  ["pattern", () => true, "changed", "changed"],
  ["format", () => true, "changed", "changed"],
];

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
    id: "operation-added",
    description: "A new operation (on a new or an existing path).",
    detect: (_old, _new, ctx) =>
      ctx.operations.added.map((a) => ({ location: a.label, breaking: false, change: "added", message: `operation ${a.new.op.operationId ?? a.label} added` })),
  },
  {
    id: "parameter-removed",
    description: "A parameter is gone; a renamed parameter shows as this plus parameter-added.",
    detect(_old, _new, ctx) {
      return ctx.operations.matched.flatMap((m) => {
        const removed = [...m.old.params].filter(([k]) => !m.new.params.has(k));
        const added = [...m.new.params].filter(([k]) => !m.old.params.has(k));
        const renamedTo = removed.length === 1 && added.length === 1 && removed[0][1].in === added[0][1].in ? ` (renamed to "${added[0][1].name}"?)` : "";
        return removed.map(([k, p]) => ({ location: paramLoc(m.label, k), breaking: true, change: "removed", message: `${paramName(k, p)} removed${renamedTo}` }));
      });
    },
  },
  {
    id: "parameter-added",
    description: "A new parameter: breaking when required (path parameters always are).",
    detect(_old, _new, ctx) {
      return ctx.operations.matched.flatMap((m) =>
        [...m.new.params]
          .filter(([k]) => !m.old.params.has(k))
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
        [...m.old.params]
          .filter(([k, p]) => m.new.params.has(k) && isRequired(p) !== isRequired(m.new.params.get(k)))
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
    description: "A request body added, removed, or made required or optional.",
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
      }
    },
  },
  {
    id: "media-type-changed",
    description: "A request or response media type removed (breaking) or added.",
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
      for (const r of matchedResponses(ctx)) yield* compare(`${r.m.label} #/responses/${r.status}/content`, r.old.content, r.new.content, `${r.status} response`);
    },
  },
  propertyRule("request", "removed", "A request body property is gone; users who send it are refused.", () => true),
  propertyRule("request", "added", "A new request property: breaking when required.", (c) => c.required),
  propertyRule("request", "required", "An optional request property made required (breaking), or the reverse.", (c) => c.required),
  propertyRule("response", "removed", "A response property is gone; code reading it gets undefined.", () => true),
  propertyRule("response", "added", "A new response property; old code ignores it.", () => false),
  propertyRule(
    "response",
    "required",
    "A response property made optional (breaking: it may now be missing), or made required.",
    (c) => !c.required,
  ),
  {
    id: "type-changed",
    description: "Types narrowed, widened or changed, anyOf/oneOf members added or removed; breaking when a request narrows, a response widens, or the types are unrelated.",
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
        for (const m of pair.branches?.removed ?? []) {
          yield { ...base, location: `${pair.loc}/${pair.branches.kind}`, breaking: pair.dir === "request", message: `${pair.branches.kind} member ${m.label} removed${inDir(pair.dir)}` };
        }
        for (const m of pair.branches?.added ?? []) {
          yield { ...base, location: `${pair.loc}/${pair.branches.kind}`, breaking: pair.dir === "response", message: `${pair.branches.kind} member ${m.label} added${inDir(pair.dir)}` };
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
      "Length, range, pattern, format, multipleOf, uniqueItems or additionalProperties changed: tightening a request breaks; loosening is not, and response constraints are informational (the SDK neither validates responses nor types these bounds).",
    *detect(_old, _new, ctx) {
      for (const pair of ctx.schemaPairs) {
        if (!isObj(pair.old) || !isObj(pair.new)) continue;
        for (const c of constraintChanges(pair)) {
          const verb = c.tight ? "tightened" : "loosened";
          yield { location: pair.loc, origin: pair.origin, change: "changed", breaking: c.tight && pair.dir === "request", message: `${verb}: ${c.text}${inDir(pair.dir)}` };
        }
      }
    },
  },
  {
    id: "status-code-removed",
    description: "A response status code is gone (a changed code shows as this plus status-code-added).",
    *detect(_old, _new, ctx) {
      for (const m of ctx.operations.matched) {
        for (const status of Object.keys(m.old.op.responses ?? {})) {
          if (!(status in (m.new.op.responses ?? {}))) yield { location: `${m.label} #/responses/${status}`, breaking: true, change: "removed", message: `${status} response removed` };
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
    description: "The security requirement of an operation, or a scheme it uses, changed; only adding an alternative or dropping the requirement is non-breaking.",
    *detect(oldDoc, newDoc, ctx) {
      const used = new Set();
      for (const m of ctx.operations.matched) {
        const o = effectiveSecurity(oldDoc, m.old.op);
        const n = effectiveSecurity(newDoc, m.new.op);
        const location = `${m.label} #/security`;
        const label = (r) => r || "{} (anonymous)";
        for (const name of (m.old.op.security ?? oldDoc.security ?? []).flatMap(Object.keys)) used.add(name);
        if (o.length === 0 && n.length > 0) yield { location, breaking: true, change: "added", message: `security required: ${n.map(label).join(" or ")}` };
        else if (o.length > 0 && n.length === 0) yield { location, breaking: false, change: "removed", message: "security requirement dropped" };
        else {
          for (const r of o.filter((r) => !n.includes(r))) yield { location, breaking: true, change: "removed", message: `security alternative ${label(r)} removed` };
          for (const r of n.filter((r) => !o.includes(r))) yield { location, breaking: false, change: "added", message: `security alternative ${label(r)} added` };
        }
      }
      const schemeOf = (doc, resolve, name) => {
        const raw = doc.components?.securitySchemes?.[name];
        if (!raw) return undefined;
        const { description: _d, ...rest } = resolve(raw).value;
        return stable(rest);
      };
      for (const name of used) {
        const o = schemeOf(oldDoc, ctx.resolveOld, name);
        const n = schemeOf(newDoc, ctx.resolveNew, name);
        if (o !== n) {
          yield { location: `#/components/securitySchemes/${esc(name)}`, breaking: true, change: n ? "changed" : "removed", message: `security scheme ${name} ${n ? "changed" : "removed"}` };
        }
      }
    },
  },
  {
    id: "default-changed",
    description: "A default value changed: requests that leave the field out now mean something else.",
    *detect(_old, _new, ctx) {
      for (const pair of ctx.schemaPairs) {
        if (!isObj(pair.old) || !isObj(pair.new) || stable(pair.old.default) === stable(pair.new.default)) continue;
        const text = [pair.old.default, pair.new.default].map((v) => (v === undefined ? "none" : show(v))).join(" → ");
        yield { location: pair.loc, origin: pair.origin, breaking: false, change: "changed", message: `default changed ${text}${inDir(pair.dir)}` };
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
        for (const [k, p] of m.old.params) if (m.new.params.has(k)) yield* flag(paramLoc(m.label, k), p, m.new.params.get(k), paramName(k, p));
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
        for (const [k, p] of m.old.params) if (m.new.params.has(k)) yield* doc(paramLoc(m.label, k), p, m.new.params.get(k));
      }
      for (const b of bodies(ctx)) if (b.old && b.new) yield* doc(`${b.m.label} #/requestBody`, b.old, b.new);
      for (const r of matchedResponses(ctx)) yield* doc(`${r.m.label} #/responses/${r.status}`, r.old, r.new);
      for (const pair of ctx.schemaPairs) if (isObj(pair.old) && isObj(pair.new)) yield* doc(pair.loc, pair.old, pair.new, ["title", "description"], pair.origin);
    },
  },
];

// Checks a request against the spec before anything is sent, with the verdicts of the server we
// test against: Prism 5.14, i.e. Ajv 2020 (allErrors, no coercion of bodies) with Prism's own
// date-time. It interprets the generated schemas instead of pulling Ajv into the browser bundle;
// scripts/lib/validators.mjs lists the keywords and formats it implements and refuses the rest.
//
// Where a JavaScript value cannot travel as JSON, the verdict is the one for what would be sent:
// a key whose value is undefined is absent (also for additionalProperties, where Ajv on the raw
// object would blame it), and NaN/Infinity are no numbers (Ajv with `strict: false` calls
// Infinity an integer, but JSON sends it as null, which the server refuses).
//
// Where the JSON-Schema-Test-Suite and Prism disagree, the client follows Prism, the server its
// contract is tested against, with one exception: `required` asks for an own member, as the
// suite does. Ajv reads `data[name]`, so `{}` has a "constructor" and a "__proto__" for Prism,
// but a member that is not there is not sent, and the API cannot see it.
import { defs, formats, requests, type Schema, type SchemaNode } from "../../generated/validation.js";
import type { ValidationIssue } from "./errors.js";

export { isDateTime } from "./formats.js";

/** The schemas a walk resolves `$ref` names and formats in: the generated ones, or a test's. */
export interface SchemaContext {
  defs: Readonly<Record<string, Schema>>;
  formats: Readonly<Record<string, (value: string) => boolean>>;
}

const generated: SchemaContext = { defs, formats };

/**
 * Every way `request` breaks the spec of operation `operationId`; empty when the mock server
 * would accept it. Throws for an operationId the spec does not have.
 *
 * @example
 * validateRequest("updateResmanLeadAppointment", {
 *   path: { event_id: "evt_1" },
 *   query: {},
 *   body: { appointment_date: "2024-05-01", appointment_time: "9:30" },
 * });
 * // [{ path: "body.appointment_time", rule: "pattern",
 * //    message: "must match ^(?:[01]\\d|2[0123]):(?:[012345]\\d):(?:[012345]\\d)$", value: "9:30" }]
 */
export function validateRequest(
  operationId: string,
  request: { path: Record<string, unknown>; query: Record<string, unknown>; body?: unknown },
): ValidationIssue[] {
  if (!Object.hasOwn(requests, operationId)) throw new Error(`Unknown operationId: ${operationId}`);
  return schemaIssues(requests[operationId]!, request);
}

/**
 * Every way `value` breaks `schema`, with `$ref` names and formats looked up in `context` (the
 * generated request schemas unless given); empty when it conforms.
 *
 * @example
 * schemaIssues({ type: "string", minLength: 2 }, "x");
 * // [{ path: "", rule: "minLength", message: "must have at least 2 characters", value: "x" }]
 */
export function schemaIssues(schema: Schema, value: unknown, context: SchemaContext = generated): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  check(schema, value, "", issues, context);
  return issues;
}

// Keyed by pattern source; no prototype, so a pattern such as "__proto__" is a key like any other.
const patterns: Record<string, RegExp> = Object.create(null);

const isType = (t: string, v: unknown): boolean =>
  t === "integer" ? Number.isInteger(v)
  : t === "number" ? Number.isFinite(v)
  : t === "object" ? !!v && typeof v === "object" && !Array.isArray(v)
  : t === "array" ? Array.isArray(v)
  : t === "null" ? v === null
  : typeof v === t;

const at = (path: string, key: string | number) => (path ? `${path}.${key}` : `${key}`);

/** Length in code points, as Ajv counts (a surrogate pair is one character), without copying. */
function length(v: string): number {
  let n = 0;
  for (let i = 0; i < v.length; i++, n++) {
    const c = v.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return n;
}

/** Structural equality of JSON values, as Ajv's `enum`, `const` and `uniqueItems` compare them. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b || Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && same(x[k], y[k]));
}

const show = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

// Runs on every call, so the common case stays cheap: no allocation unless something fails, a
// single type is checked without building a list of types, and a branch of anyOf reports into
// the caller's list rather than a new one.
function check(s: Schema, v: unknown, path: string, out: ValidationIssue[], cx: SchemaContext): void {
  if (s === true) return;
  const fail = (rule: string, message: string) => out.push({ path, rule, message, value: v });
  // A false schema (e.g. `properties: { legacy: false }`) accepts nothing; Ajv names it so.
  if (s === false) return void fail("false schema", "is not allowed");
  // A form-style query parameter reaches the server as a list of values, one here.
  if (s.asArray && v !== null && !Array.isArray(v)) v = [v];

  if (s.$ref !== undefined) check(cx.defs[s.$ref]!, v, path, out, cx);
  const t = s.type;
  if (t !== undefined && !(typeof t === "string" ? isType(t, v) : t.some((x) => isType(x, v))))
    fail("type", `must be ${([] as string[]).concat(t).join(" or ")}`);
  // Strict equality first: members are mostly strings, and a miss then costs no allocation.
  if (s.enum && !s.enum.includes(v) && !s.enum.some((e) => same(e, v)))
    fail("enum", `must be one of: ${s.enum.map(show).join(", ")}`);
  if (s.const !== undefined && !same(s.const, v)) fail("const", `must be ${show(s.const)}`);
  if (s.anyOf && !s.anyOf.some((b) => passes(b, v, out, cx))) fail("anyOf", `must be ${s.anyOf.map((b) => describe(b, cx)).join(", or ")}`);
  if (s.oneOf) {
    let n = 0;
    for (const b of s.oneOf) if (passes(b, v, out, cx)) n++;
    if (n !== 1) fail("oneOf", `must be exactly one of: ${s.oneOf.map((b) => describe(b, cx)).join(", or ")}`);
  }
  if (s.not !== undefined && passes(s.not, v, out, cx)) fail("not", `must not be ${describe(s.not, cx)}`);

  if (typeof v === "string") {
    if (s.format !== undefined && !cx.formats[s.format]!(v)) fail("format", `must be a ${s.format}`);
    // Ajv compiles patterns with the "u" flag and counts code points, so an emoji is one
    // character; UTF-16 units are never fewer, so the count is only needed near the limits.
    if (s.pattern !== undefined && !(patterns[s.pattern] ??= new RegExp(s.pattern, "u")).test(v))
      fail("pattern", `must match ${s.pattern}`);
    if (s.maxLength !== undefined && v.length > s.maxLength && length(v) > s.maxLength)
      fail("maxLength", `must have at most ${s.maxLength} characters`);
    if (s.minLength !== undefined && (v.length < s.minLength || (v.length < 2 * s.minLength && length(v) < s.minLength)))
      fail("minLength", `must have at least ${s.minLength} characters`);
  }

  if (Number.isFinite(v)) {
    const n = v as number;
    if (s.minimum !== undefined && n < s.minimum) fail("minimum", `must be at least ${s.minimum}`);
    if (s.maximum !== undefined && n > s.maximum) fail("maximum", `must be at most ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum)
      fail("exclusiveMinimum", `must be greater than ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum)
      fail("exclusiveMaximum", `must be less than ${s.exclusiveMaximum}`);
  }

  if (isType("object", v)) {
    const o = v as Record<string, unknown>;
    // An own member only: what is inherited is not sent (see the note at the top).
    for (const k of s.required ?? [])
      if (!Object.hasOwn(o, k) || o[k] === undefined) out.push({ path: at(path, k), rule: "required", message: "is required", value: undefined });
    const extra = s.additionalProperties;
    for (const k of Object.keys(o)) {
      const x = o[k];
      // An undefined value is not sent, so it counts as absent.
      if (x === undefined) continue;
      // hasOwn, or a key such as "constructor" would find Object.prototype's.
      if (s.properties && Object.hasOwn(s.properties, k)) check(s.properties[k]!, x, at(path, k), out, cx);
      else if (extra === false) out.push({ path: at(path, k), rule: "additionalProperties", message: "is not allowed", value: x });
      else if (extra !== undefined) check(extra, x, at(path, k), out, cx);
    }
  }

  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) fail("minItems", `must have at least ${s.minItems} items`);
    if (s.maxItems !== undefined && v.length > s.maxItems) fail("maxItems", `must have at most ${s.maxItems} items`);
    if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => same(x, y)) !== i)) fail("uniqueItems", "must not have duplicate items");
    if (s.items !== undefined) for (let i = 0; i < v.length; i++) check(s.items, v[i], at(path, i), out, cx);
  }
}

// A failed anyOf is one issue, so a branch's own issues are taken back out once counted.
function passes(s: Schema, v: unknown, out: ValidationIssue[], cx: SchemaContext): boolean {
  const before = out.length;
  check(s, v, "", out, cx);
  const ok = out.length === before;
  out.length = before;
  return ok;
}

// Names one branch for a message, e.g. "a date-time" or "a string matching ^\d{4}$".
function describe(s: Schema, cx: SchemaContext): string {
  if (typeof s === "boolean") return s ? "anything" : "nothing";
  if (s.$ref !== undefined) return describe(cx.defs[s.$ref]!, cx);
  if (s.format) return `a ${s.format}`;
  if (s.enum) return `one of: ${s.enum.map(show).join(", ")}`;
  if (s.const !== undefined) return show(s.const);
  const t = ([] as string[]).concat(s.type ?? []).map((x) => (x === "null" ? x : /^[aeiou]/.test(x) ? `an ${x}` : `a ${x}`)).join(" or ");
  return (t || "a value") + (s.pattern ? ` matching ${s.pattern}` : "");
}

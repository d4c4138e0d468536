// Checks a request against the spec before anything is sent, with the verdicts of the server we
// test against: Prism 5.14, i.e. Ajv 2020 (allErrors, no coercion) with Prism's own date-time.
// It interprets the generated schemas instead of pulling Ajv into the browser bundle.
//
// Where a JavaScript value cannot travel as JSON, the verdict is the one for what would be sent:
// a key whose value is undefined is absent (also for additionalProperties, where Ajv on the raw
// object would blame it), and NaN/Infinity are no numbers (Ajv with `strict: false` calls
// Infinity an integer, but JSON sends it as null, which the server refuses).
import { defs, requests, type SchemaNode } from "../../generated/validation.js";
import type { ValidationIssue } from "./errors.js";

// Prism splits on one [tT\s] and checks "YYYY-MM-DD" and "hh:mm:ss[.f]" + zone; one regex with
// a single separator accepts the same strings, since neither half can contain t or whitespace.
// Its zones: z, or ±hh with hh up to 24 and optional [:]mm (so +24:00 and +0530 pass, +25 fails).
const DATE_TIME =
  /^(\d{4})-(\d\d)-(\d\d)[t\s](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:z|[+-](?:[01]\d|2[0-4])(?::?[0-5]\d)?)$/i;

/**
 * Whether `value` is a date-time as the mock server (Prism) judges the `date-time` format: RFC 3339
 * plus its leniencies (`t` or any whitespace as separator, zones `+hhmm`, `+hh` and up to `±24`).
 *
 * @example
 * isDateTime("2024-02-29T09:30:00Z"); // true
 * isDateTime("2024-02-30T09:30:00Z"); // false: no such day
 * isDateTime("2024-02-01 09:30:00"); // false: no zone
 */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  // 31 days in months 1,3,5,7,8,10,12: the parity of mo flips after July.
  const days = mo === 2 ? (leap ? 29 : 28) : 30 + ((mo + (mo >> 3)) & 1);
  return (
    mo >= 1 && mo <= 12 && d >= 1 && d <= days &&
    ((h < 24 && mi < 60 && s < 60) || (h === 23 && mi === 59 && s === 60))
  );
}

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
  const issues: ValidationIssue[] = [];
  check(requests[operationId]!, request, "", issues);
  return issues;
}

const patterns: Record<string, RegExp> = {};

const types = (s: SchemaNode): string[] => ([] as string[]).concat(s.type ?? []);

const isType = (t: string, v: unknown): boolean =>
  t === "integer" ? Number.isInteger(v)
  : t === "number" ? Number.isFinite(v)
  : t === "object" ? !!v && typeof v === "object" && !Array.isArray(v)
  : t === "array" ? Array.isArray(v)
  : t === "null" ? v === null
  : typeof v === t;

const at = (path: string, key: string | number) => (path ? `${path}.${key}` : `${key}`);

// Runs on every call, so the common case stays cheap: a single type is checked without building a
// list of types, and a branch of anyOf reports into the caller's list rather than a new one.
function check(s: SchemaNode, v: unknown, path: string, out: ValidationIssue[]): void {
  const fail = (rule: string, message: string) => out.push({ path, rule, message, value: v });

  if (s.$ref) check(defs[s.$ref]!, v, path, out);
  const t = s.type;
  if (t !== undefined && !(typeof t === "string" ? isType(t, v) : t.some((x) => isType(x, v))))
    fail("type", `must be ${types(s).join(" or ")}`);
  if (s.enum && !s.enum.includes(v)) fail("enum", `must be one of: ${s.enum.join(", ")}`);
  if (s.anyOf && !s.anyOf.some((b) => passes(b, v, out)))
    fail("anyOf", `must be ${s.anyOf.map(describe).join(", or ")}`);

  if (typeof v === "string") {
    // The generator refuses a spec with any other format, so none can pass here unchecked.
    if (s.format === "date-time" && !isDateTime(v)) fail("format", "must be a date-time");
    // Ajv compiles patterns with the "u" flag and counts code points, so an emoji is one character
    // (a string no longer than the limit in UTF-16 units cannot be longer in code points).
    if (s.pattern !== undefined && !(patterns[s.pattern] ??= new RegExp(s.pattern, "u")).test(v))
      fail("pattern", `must match ${s.pattern}`);
    if (s.maxLength !== undefined && v.length > s.maxLength && [...v].length > s.maxLength)
      fail("maxLength", `must have at most ${s.maxLength} characters`);
  }

  if (Number.isFinite(v)) {
    const n = v as number;
    if (s.minimum !== undefined && n < s.minimum) fail("minimum", `must be at least ${s.minimum}`);
    if (s.maximum !== undefined && n > s.maximum) fail("maximum", `must be at most ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum)
      fail("exclusiveMinimum", `must be greater than ${s.exclusiveMinimum}`);
  }

  if (isType("object", v)) {
    const o = v as Record<string, unknown>;
    for (const k of s.required ?? [])
      if (o[k] === undefined) out.push({ path: at(path, k), rule: "required", message: "is required", value: undefined });
    const extra = s.additionalProperties;
    for (const k of Object.keys(o)) {
      const x = o[k];
      // An undefined value is not sent, so it counts as absent.
      if (x === undefined) continue;
      // hasOwn, or a key such as "constructor" would find Object.prototype's.
      if (s.properties && Object.hasOwn(s.properties, k)) check(s.properties[k]!, x, at(path, k), out);
      else if (extra === false) out.push({ path: at(path, k), rule: "additionalProperties", message: "is not allowed", value: x });
      else if (extra && extra !== true) check(extra, x, at(path, k), out);
    }
  }

  if (Array.isArray(v) && s.items) for (let i = 0; i < v.length; i++) check(s.items, v[i], at(path, i), out);
}

// A failed anyOf is one issue, so a branch's own issues are taken back out once counted.
function passes(s: SchemaNode, v: unknown, out: ValidationIssue[]): boolean {
  const before = out.length;
  check(s, v, "", out);
  const ok = out.length === before;
  out.length = before;
  return ok;
}

// Names one anyOf branch for a message, e.g. "a date-time" or "a string matching ^\d{4}$".
function describe(s: SchemaNode): string {
  if (s.$ref) return describe(defs[s.$ref]!);
  if (s.format) return `a ${s.format}`;
  if (s.enum) return `one of: ${s.enum.join(", ")}`;
  const t = types(s).map((x) => (x === "null" ? x : /^[aeiou]/.test(x) ? `an ${x}` : `a ${x}`)).join(" or ");
  return (t || "a value") + (s.pattern ? ` matching ${s.pattern}` : "");
}

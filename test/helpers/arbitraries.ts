// fast-check arbitraries of request bodies, driven by the bundled spec's schemas: bodies that
// follow the schema and bodies that miss it narrowly, where validators tend to disagree (a clock
// of 24:00:00, a 51st character that is an emoji, a zone of +24:00, a key named __proto__). Which
// of them are valid is not decided here; the fuzz test asks the client and Prism.
import fc from "fast-check";
import { bodySchemaOf, deref } from "./contract.js";

const pad = (n: number, width: number, padded: boolean) => (padded ? String(n).padStart(width, "0") : String(n));

/** Clock times around HH:MM:SS: out-of-range parts, missing zero padding, suffixes. */
const clockish = fc
  .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.boolean(), fc.constantFrom("", "", "", "Z", " pm", ".5", ":00"))
  .map(([h, m, s, padded, suffix]) => `${pad(h, 2, padded)}:${pad(m, 2, true)}:${pad(s, 2, true)}${suffix}`);

/** Calendar dates around YYYY-MM-DD: impossible days, short parts, other separators. */
const dateish = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.boolean(), fc.constantFrom("-", "-", "-", "/"))
  .map(([y, mo, d, padded, sep]) => `${pad(y, 4, true)}${sep}${pad(mo, 2, padded)}${sep}${pad(d, 2, true)}`);

/** Valid RFC 3339 instants in the spellings date-time validators differ on. */
const instant = fc
  .tuple(
    fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2199-12-31T23:59:59Z"), noInvalidDate: true }),
    fc.constantFrom("T", "t", " "),
    fc.constantFrom("Z", "z", "+00:00", "-05:00", "+0530", "+05", "+24:00"),
    fc.boolean(),
  )
  .map(([date, sep, zone, millis]) => {
    const iso = date.toISOString();
    return `${iso.slice(0, 10)}${sep}${iso.slice(11, millis ? 23 : 19)}${zone}`;
  });

/** Date-times that break one part: the day, the clock, the separator, the fraction or the zone. */
const dateTimeish = fc
  .tuple(dateish, fc.constantFrom("T", "t", " ", "_", ""), clockish, fc.constantFrom("", ".5", ".", ".123456789"), fc.constantFrom("Z", "z", "+00:00", "+0530", "+05", "-24:00", "+25:00", "-00:60", ""))
  .map(([date, sep, clock, fraction, zone]) => `${date}${sep}${clock}${fraction}${zone}`);

interface Instant {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  sep: string;
  frac: string;
  zone: string;
}

const two = (n: number) => String(n).padStart(2, "0");
const format = (p: Instant) => `${String(p.y).padStart(4, "0")}-${two(p.mo)}-${two(p.d)}${p.sep}${two(p.h)}:${two(p.mi)}:${two(p.s)}${p.frac}${p.zone}`;

/**
 * Valid instants with exactly one part pushed to or over its edge: hour 24, minute or second 60,
 * the 29th to 31st of short months and leap years, month 0 or 13, odd separators, fractions and
 * zones. Some stay valid (23:59:60, 2000-02-29, +24:00), which is the point: both sides must
 * draw the line in the same place.
 */
const instantEdge = fc
  .tuple(
    fc.record({
      y: fc.integer({ min: 1, max: 9999 }),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      sep: fc.constantFrom("T", "t", " "),
      frac: fc.constantFrom("", ".5", ".123456"),
      zone: fc.constantFrom("Z", "z", "+00:00", "-05:00", "+0530", "+05", "+24:00"),
    }),
    fc.constantFrom<Partial<Instant>>(
      { h: 24 },
      { h: 24, mi: 0, s: 0 },
      { mi: 60 },
      { s: 60 },
      { h: 23, mi: 59, s: 60 },
      { s: 61 },
      { d: 0 },
      { d: 29, mo: 2 },
      { d: 30, mo: 2 },
      { d: 31, mo: 4 },
      { d: 31, mo: 12 },
      { d: 32 },
      { mo: 0 },
      { mo: 13 },
      { y: 2000, mo: 2, d: 29 },
      { y: 1900, mo: 2, d: 29 },
      { y: 2024, mo: 2, d: 29 },
      { y: 2023, mo: 2, d: 29 },
      { sep: "_" },
      { sep: "" },
      { sep: "\t" },
      { sep: "  " },
      { frac: "." },
      { frac: ",5" },
      { zone: "" },
      { zone: "+25:00" },
      { zone: "-00:60" },
      { zone: "+2400" },
      { zone: "+5" },
      { zone: "+05:30:00" },
      { zone: "Z " },
      { zone: "UTC" },
    ),
  )
  .map(([base, tweak]) => format({ ...base, ...tweak }));

const UNITS = ["x", "é", "😀", "👩‍👩‍👧", "\u0000", "\uD800"];

/** Strings of about `length` characters mixing one- and two-unit characters. */
const lengthy = (length: number) =>
  fc
    .tuple(fc.integer({ min: Math.max(0, length - 2), max: length + 2 }), fc.constantFrom(...UNITS), fc.constantFrom(...UNITS))
    .map(([n, a, b]) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? b : a)).join(""));

const WRONG_TYPES: unknown[] = [42, 1.5, "30", true, null, [], {}, ["09:00:00"], undefined];
const NUMBER_MISSES: unknown[] = [0, -0, -1, 0.5, 1.5, 1e21, 2 ** 53 + 2, -(2 ** 31), Number.NaN, Number.POSITIVE_INFINITY];

/** Calendar dates that exist, as YYYY-MM-DD. */
const validDate = fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

/** A value the schema allows (anyOf/oneOf branches, formats, patterns, lengths, bounds, enums and consts honoured). */
export function validArb(schema: any): fc.Arbitrary<unknown> {
  if (schema.anyOf || schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s: any) => validArb(deref(s))));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = ([] as string[]).concat(schema.type ?? [])[0];
  if (type === "string") {
    if (schema.format === "date-time") return instant;
    if (schema.format === "date") return validDate;
    if (schema.format === "email") return fc.emailAddress();
    if (schema.format === "uri") return fc.webUrl({ withQueryParameters: true });
    if (schema.pattern !== undefined) return fc.stringMatching(new RegExp(schema.pattern, "u"));
    const minLength = schema.minLength ?? 0;
    return fc.string({ unit: fc.constantFrom(...UNITS.slice(0, 4), "a", "b", " "), minLength, maxLength: schema.maxLength ?? minLength + 20 });
  }
  if (type === "integer" || type === "number") {
    const min = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? -1000);
    const max = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : (schema.maximum ?? min + 10_000);
    return fc.integer({ min, max });
  }
  if (type === "boolean") return fc.boolean();
  if (type === "null") return fc.constant(null);
  if (type === "array" && schema.items !== undefined) {
    return fc.array(validArb(deref(schema.items)), { minLength: schema.minItems ?? 0, maxLength: schema.maxItems ?? (schema.minItems ?? 0) + 3 });
  }
  if (type === "array") {
    const minLength = schema.minItems ?? 0;
    return fc.array(validArb(deref(schema.items ?? {})), { minLength, maxLength: schema.maxItems ?? minLength + 3 });
  }
  if (type === "array") {
    return fc.array(validArb(deref(schema.items ?? {})), { minLength: schema.minItems ?? 0, maxLength: schema.maxItems ?? 4 });
  }
  throw new Error(`validArb: no generator for ${JSON.stringify(schema)}`);
}

/** Values that miss the schema narrowly, or are of another type altogether. */
export function missArb(schema: any): fc.Arbitrary<unknown> {
  const types = ([] as string[]).concat(schema.type ?? (schema.anyOf || schema.oneOf ? ["string"] : []));
  const misses: fc.WeightedArbitrary<unknown>[] = [{ weight: 2, arbitrary: fc.constantFrom(...WRONG_TYPES) }];
  if (types.includes("string")) {
    misses.push(
      { weight: 2, arbitrary: clockish },
      { weight: 2, arbitrary: dateish },
      { weight: 1, arbitrary: dateTimeish },
      { weight: 3, arbitrary: instantEdge },
      { weight: 2, arbitrary: lengthy(schema.maxLength ?? schema.minLength ?? 50) },
      { weight: 1, arbitrary: validArb(schema).map((v) => ` ${String(v)}`) },
      { weight: 1, arbitrary: validArb(schema).map((v) => `${String(v)}\n`) },
    );
    if (schema.enum) misses.push({ weight: 1, arbitrary: fc.constantFrom(...schema.enum.map((e: string) => e.toLowerCase())) });
    if (schema.format === "email") misses.push({ weight: 2, arbitrary: fc.constantFrom("leasing@localhost", '"a b"@example.com', "a..b@example.com", "a@[127.0.0.1]", "@example.com") });
    if (schema.format === "uri") misses.push({ weight: 2, arbitrary: fc.constantFrom("/relative", "example.com", "http:/[::1]", "http://a b", "mailto:", "1http://x") });
  }
  if (types.includes("integer") || types.includes("number")) {
    misses.push({ weight: 4, arbitrary: fc.constantFrom(...NUMBER_MISSES) }, { weight: 1, arbitrary: fc.double() });
    for (const edge of [schema.exclusiveMaximum, schema.maximum, schema.exclusiveMinimum, schema.minimum]) {
      if (edge !== undefined) misses.push({ weight: 1, arbitrary: fc.constantFrom(edge - 1, edge, edge + 1) });
    }
  }
  if (types.includes("array") && schema.items !== undefined) {
    const items = deref(schema.items);
    misses.push(
      { weight: 2, arbitrary: fc.array(fc.oneof(validArb(items), missArb(items)), { maxLength: (schema.maxItems ?? 3) + 2 }) },
      { weight: 1, arbitrary: validArb(items).map((v) => [v, v]) },
    );
  }
  if (types.includes("array")) {
    // An item that misses, among valid ones: the blame must name the item's index.
    const items = deref(schema.items ?? {});
    misses.push({ weight: 3, arbitrary: fc.tuple(fc.array(validArb(items), { maxLength: 2 }), missArb(items)).map(([good, bad]) => [...good, bad]) });
  }
  if (types.includes("array") && schema.items) {
    // Arrays with an item that misses, beside valid ones: the blame must name the item.
    const items = deref(schema.items);
    misses.push({ weight: 3, arbitrary: fc.tuple(fc.array(validArb(items), { maxLength: 2 }), missArb(items)).map(([valid, miss]) => [...valid, miss]) });
  }
  return fc.oneof(...misses);
}

// Keys that are not members (some are members of sibling operations), including the ones that
// plain-object handling gets wrong.
const EXTRA_KEYS = ["foo", "__proto__", "constructor", "toString", "hasOwnProperty", "", "Title", "appointment-time", "lead_id", "applicant_id", "resident_id", "event_id", "unit_id"];

/** An object with these own enumerable members, "__proto__" included as a plain key. */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Request bodies of an operation's JSON body schema: some follow it, the others have members
 * missed narrowly, of the wrong type or dropped, extra members, or are not objects at all. Every
 * choice shrinks towards the valid one, so a counterexample keeps only the faults it needs.
 */
export function bodyArb(op: any): fc.Arbitrary<unknown> {
  const schema = bodySchemaOf(op);
  const members = Object.entries<any>(schema.properties).map(([name, ref]) => {
    const s = deref(ref);
    const present = validArb(s).map((v) => [v]);
    const missed = missArb(s).map((v) => [v]);
    const absent = fc.constant([] as unknown[]);
    const value = (schema.required ?? []).includes(name)
      ? fc.oneof({ weight: 12, arbitrary: present }, { weight: 4, arbitrary: missed }, { weight: 1, arbitrary: absent })
      : fc.oneof({ weight: 6, arbitrary: absent }, { weight: 6, arbitrary: present }, { weight: 3, arbitrary: missed });
    return { name, value };
  });
  const extras = fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as [string, unknown][]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 8 })), fc.constantFrom<unknown>("x", 1, null, undefined)), { minLength: 1, maxLength: 2 }) },
  );
  const object = fc.tuple(fc.tuple(...members.map((m) => m.value)), extras).map(([values, more]) => {
    const entries = members.flatMap((m, i) => values[i]!.map((v) => [m.name, v] as [string, unknown]));
    const names = new Set(entries.map(([k]) => k));
    return objectOf([...entries, ...more.filter(([k]) => !names.has(k))]);
  });
  return fc.oneof({ weight: 19, arbitrary: object }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, [], "body", 5, true, {}) });
}

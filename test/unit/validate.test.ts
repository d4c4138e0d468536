// The request validator must judge like the mock server: Ajv 2020 set up as Prism sets it up, with
// Prism's own date-time format. The examples pin messages and paths on real operations; the
// properties compare verdicts and blamed locations with that Ajv on generated requests.
import { date_time } from "@stoplight/prism-http/dist/validator/validators/dateTime.js";
import fc from "fast-check";
import { createQuerySerializer } from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { defs, requests, type Schema, type SchemaNode } from "../../generated/validation.js";
import type { ValidationIssue } from "../../src/core/errors.js";
import { isDateTime, validateRequest } from "../../src/core/validate.js";
import { prismAjv } from "../helpers/prism-ajv.js";
import { deref, loadBundled } from "../helpers/project.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20240501);
console.info(`validate.test.ts: fast-check seed ${SEED}, ${RUNS} runs per property (set FUZZ_SEED / FUZZ_RUNS)`);
const fuzz = { seed: SEED, numRuns: RUNS };

const TIME_PATTERN = "^(?:[01]\\d|2[0123]):(?:[012345]\\d):(?:[012345]\\d)$";
const DATE_MESSAGE = "must be a date-time, or a string matching ^\\d{4}-\\d{2}-\\d{2}$";

type Request = Parameters<typeof validateRequest>[1];

const resmanUpdate = (body: Record<string, unknown>): Request => ({
  path: { event_id: "evt_1" },
  query: {},
  body: { appointment_date: "2024-05-01", appointment_time: "09:30:00", ...body },
});

const rentmanagerLeadCreate = (body: Record<string, unknown>): Request => ({
  path: {},
  query: {},
  body: {
    integration_id: "int_1",
    lead_id: "lead_1",
    appointment_date: "2024-05-01T09:30:00Z",
    appointment_time: "09:30:00",
    appointment_duration_minutes: 30,
    title: "Tour",
    ...body,
  },
});

const issue = (path: string, rule: string, message: string, value: unknown): ValidationIssue => ({
  path,
  rule,
  message,
  value,
});

describe("validateRequest: examples", () => {
  it("accepts a valid request", () => {
    expect(validateRequest("updateResmanLeadAppointment", resmanUpdate({}))).toEqual([]);
    expect(validateRequest("createRentmanagerLeadAppointment", rentmanagerLeadCreate({}))).toEqual([]);
    expect(validateRequest("listAppointments", { path: {}, query: {} })).toEqual([]);
  });

  it("pattern: a time without seconds or leading zero", () => {
    expect(validateRequest("updateResmanLeadAppointment", resmanUpdate({ appointment_time: "9:30" }))).toEqual([
      issue("body.appointment_time", "pattern", `must match ${TIME_PATTERN}`, "9:30"),
    ]);
    for (const time of ["24:00:00", "9:30:00", "12:60:00", "12:00:60", "12:00:00Z", " 12:00:00"]) {
      const issues = validateRequest("updateResmanLeadAppointment", resmanUpdate({ appointment_time: time }));
      expect(issues.map((i) => i.rule), time).toEqual(["pattern"]);
    }
    for (const time of ["00:00:00", "23:59:59", "12:05:09"])
      expect(validateRequest("updateResmanLeadAppointment", resmanUpdate({ appointment_time: time }))).toEqual([]);
  });

  it("maxLength counts code points, as Ajv does", () => {
    const title = "x".repeat(51);
    expect(validateRequest("createRentmanagerLeadAppointment", rentmanagerLeadCreate({ title }))).toEqual([
      issue("body.title", "maxLength", "must have at most 50 characters", title),
    ]);
    const ok = (t: string) => validateRequest("createRentmanagerLeadAppointment", rentmanagerLeadCreate({ title: t }));
    expect(ok("x".repeat(50))).toEqual([]);
    // 50 emoji are 100 UTF-16 units but 50 characters.
    expect(ok("😀".repeat(50))).toEqual([]);
    expect(ok("😀".repeat(51)).map((i) => i.rule)).toEqual(["maxLength"]);
  });

  it("exclusiveMinimum and integer: durations must be whole minutes above 0", () => {
    const duration = (d: unknown) =>
      validateRequest("createRentmanagerLeadAppointment", rentmanagerLeadCreate({ appointment_duration_minutes: d }));
    expect(duration(-5)).toEqual([
      issue("body.appointment_duration_minutes", "exclusiveMinimum", "must be greater than 0", -5),
    ]);
    expect(duration(0)).toEqual([
      issue("body.appointment_duration_minutes", "exclusiveMinimum", "must be greater than 0", 0),
    ]);
    expect(duration(1.5)).toEqual([issue("body.appointment_duration_minutes", "type", "must be integer", 1.5)]);
    expect(duration(-0.5).map((i) => i.rule)).toEqual(["type", "exclusiveMinimum"]);
    expect(duration("30")).toEqual([issue("body.appointment_duration_minutes", "type", "must be integer", "30")]);
    expect(duration(1)).toEqual([]);
    expect(duration(2.0)).toEqual([]);
  });

  it("NaN and Infinity are not numbers, since JSON would send them as null", () => {
    // Ajv with Prism's `strict: false` calls Infinity an integer; the server never sees it.
    const duration = (d: unknown) =>
      validateRequest("createRentmanagerLeadAppointment", rentmanagerLeadCreate({ appointment_duration_minutes: d }));
    expect(duration(Infinity).map((i) => i.rule)).toEqual(["type"]);
    expect(duration(NaN).map((i) => i.rule)).toEqual(["type"]);
  });

  it("required: a missing or undefined field, blamed at its own path", () => {
    const request = rentmanagerLeadCreate({ title: undefined });
    delete (request.body as Record<string, unknown>).lead_id;
    expect(validateRequest("createRentmanagerLeadAppointment", request)).toEqual([
      issue("body.lead_id", "required", "is required", undefined),
      issue("body.title", "required", "is required", undefined),
    ]);
  });

  it("required: path parameters and the body itself", () => {
    expect(validateRequest("updateResmanLeadAppointment", { ...resmanUpdate({}), path: {} })).toEqual([
      issue("path.event_id", "required", "is required", undefined),
    ]);
    expect(validateRequest("createRentmanagerLeadAppointment", { path: {}, query: {} })).toEqual([
      issue("body", "required", "is required", undefined),
    ]);
    // getWriteStatus has no body; retryWrite's is optional.
    expect(validateRequest("retryWrite", { path: { root_job_id: "job_1" }, query: {} })).toEqual([]);
  });

  it("additionalProperties: an extra field, with its value", () => {
    expect(validateRequest("updateResmanLeadAppointment", resmanUpdate({ duration: 30 }))).toEqual([
      issue("body.duration", "additionalProperties", "is not allowed", 30),
    ]);
    // Inherited names are not properties of the schema.
    expect(validateRequest("updateResmanLeadAppointment", resmanUpdate({ constructor: "x" }))).toEqual([
      issue("body.constructor", "additionalProperties", "is not allowed", "x"),
    ]);
    // An undefined value is not sent, so it is no extra field.
    expect(validateRequest("updateResmanLeadAppointment", resmanUpdate({ duration: undefined }))).toEqual([]);
    // The query is closed too, on purpose (Prism and Propexo ignore an unknown query key, so a
    // misspelt filter would silently widen a list); an undefined value is not sent there either.
    expect(validateRequest("listAppointments", { path: {}, query: { page: 2 } })).toEqual([
      issue("query.page", "additionalProperties", "is not allowed", 2),
    ]);
    expect(validateRequest("listAppointments", { path: {}, query: { page: undefined, limit: 5 } })).toEqual([]);
  });

  it("type: wrong JSON types", () => {
    expect(
      validateRequest("cancelRentmanagerLeadAppointment", {
        path: {},
        query: {},
        body: { integration_id: 42, event_id: null },
      }),
    ).toEqual([
      issue("body.integration_id", "type", "must be string", 42),
      issue("body.event_id", "type", "must be string", null),
    ]);
    for (const body of [null, [], "x", 1])
      expect(validateRequest("cancelRentmanagerLeadAppointment", { path: {}, query: {}, body })).toEqual([
        issue("body", "type", "must be object", body),
      ]);
    expect(validateRequest("retrieveEvent", { path: { event_id: 7 }, query: {} })).toEqual([
      issue("path.event_id", "type", "must be string", 7),
    ]);
  });

  it("anyOf: an appointment date is a date-time or a YYYY-MM-DD string", () => {
    const date = (d: unknown) => validateRequest("updateResmanLeadAppointment", resmanUpdate({ appointment_date: d }));
    for (const ok of [
      "2024-05-01",
      "2024-05-01T09:30:00Z",
      "2024-05-01t09:30:00.5+05:30",
      "2024-05-01 09:30:00-0800",
      "2024-02-29T00:00:00Z",
      "2016-12-31T23:59:60Z",
      // The date-only branch is a bare pattern: the server takes day 30 of February.
      "2024-02-30",
    ])
      expect(date(ok), ok).toEqual([]);
    expect(date("2024-05-01T09:30:00")).toEqual([
      issue("body.appointment_date", "anyOf", DATE_MESSAGE, "2024-05-01T09:30:00"),
    ]);
    const bads = ["2024-02-30T09:30:00Z", "2023-02-29T09:30:00Z", "2024-5-1", "05/01/2024", "2024-05-01T24:00:00Z"];
    for (const bad of [...bads, 20240501, null])
      expect(date(bad), String(bad)).toEqual([issue("body.appointment_date", "anyOf", DATE_MESSAGE, bad)]);
  });

  it("minimum, maximum and nullable integers in the query", () => {
    const list = (query: Record<string, unknown>) => validateRequest("listAppointments", { path: {}, query });
    expect(list({ limit: 251 })).toEqual([issue("query.limit", "maximum", "must be at most 250", 251)]);
    expect(list({ offset: -1 })).toEqual([issue("query.offset", "minimum", "must be at least 0", -1)]);
    expect(list({ limit: 2.5 })).toEqual([issue("query.limit", "type", "must be integer or null", 2.5)]);
    expect(list({ limit: 250, offset: 0 })).toEqual([]);
    expect(list({ limit: null, offset: null })).toEqual([]);
  });

  it("a query value that openapi-fetch writes nothing for is absent, as the server sees it", () => {
    const list = (query: Record<string, unknown>) => validateRequest("listAppointments", { path: {}, query });
    // integration_vendor takes no null, but a null is not sent at all.
    expect(list({ integration_vendor: null, x_id: [], property_id: {} })).toEqual([]);
    expect(list({ integration_vendor: null, limit: 251 })).toEqual([issue("query.limit", "maximum", "must be at most 250", 251)]);
  });

  it("enum", () => {
    expect(
      validateRequest("listAppointments", { path: {}, query: { integration_vendor: "resman" } }),
    ).toEqual([
      issue(
        "query.integration_vendor",
        "enum",
        "must be one of: SAMPLE2, BUILDIUM, ENTRATA, MRI, PROPERTYWARE, PROPERTYWARE_REST, " +
          "REALPAGE, REALPAGE_RPX, RENTMANAGER, RENTVINE, RESMAN, SAMPLE1",
        "resman",
      ),
    ]);
    // Both rules break, so both are reported.
    expect(
      validateRequest("listAppointments", { path: {}, query: { integration_vendor: 1 } }).map((i) => i.rule),
    ).toEqual(["type", "enum"]);
    // Strict equality: an array holding a vendor is no vendor.
    expect(
      validateRequest("listAppointments", { path: {}, query: { integration_vendor: ["RESMAN"] } }).map((i) => i.rule),
    ).toEqual(["type", "enum"]);
  });

  it("reports every problem at once", () => {
    const issues = validateRequest("createRentmanagerLeadAppointment", {
      path: {},
      query: {},
      body: {
        integration_id: "int_1",
        appointment_date: "tomorrow",
        appointment_time: "9:30",
        appointment_duration_minutes: 0,
        title: "y".repeat(60),
        color: "red",
      },
    });
    expect(issues.map((i) => `${i.path} ${i.rule}`).sort()).toEqual([
      "body.appointment_date anyOf",
      "body.appointment_duration_minutes exclusiveMinimum",
      "body.appointment_time pattern",
      "body.color additionalProperties",
      "body.lead_id required",
      "body.title maxLength",
    ]);
  });

  it("throws for an unknown operationId", () => {
    expect(() => validateRequest("bookAppointment", { path: {}, query: {} })).toThrow(/bookAppointment/);
    expect(() => validateRequest("toString", { path: {}, query: {} })).toThrow(/toString/);
  });
});

describe("isDateTime: examples", () => {
  it("follows RFC 3339 with Prism's leniencies", () => {
    for (const ok of [
      "2024-05-01T09:30:00Z",
      "2024-05-01t09:30:00z",
      "2024-05-01 09:30:00+05:30",
      "2024-05-01T09:30:00.123456789-08:00",
      "2024-05-01T09:30:00+0530",
      "2024-05-01T09:30:00+05",
      "2024-05-01T09:30:00+24:00",
      "2000-02-29T00:00:00Z",
      "2016-12-31T23:59:60Z",
    ])
      expect(isDateTime(ok), ok).toBe(true);
    for (const bad of [
      "2024-05-01T09:30:00",
      "2024-05-01",
      "2024-05-01T09:30Z",
      "2024-02-30T09:30:00Z",
      "1900-02-29T09:30:00Z",
      "2024-13-01T09:30:00Z",
      "2024-05-01T24:00:00Z",
      "2024-05-01T23:59:61Z",
      "2024-05-01T22:59:60Z",
      "2024-05-01T09:30:00-25:00",
      "2024-05-01T09:30:00+05:60",
      "2024-05-01TT09:30:00Z",
      "2024-05-01T09:30:00Z ",
    ])
      expect(isDateTime(bad), bad).toBe(false);
  });
});

// The oracle: Ajv 2020 with Prism's options and formats. It judges the request as it would be
// sent, i.e. after JSON, which drops undefined values (the generators make no other non-JSON
// value), and without the query parameters that openapi-fetch's serializer writes nothing for.
const ajv = prismAjv();
const serializeQuery = createQuerySerializer();

// Prism reads a query parameter whose schema is `type: array` as a list, a single value included
// (prism-http's form-style deserializer); these are such parameters, per operation, read from the
// bundled spec rather than from the generated request schemas under test.
const bundled = await loadBundled();
const listParams = new Map<string, Set<string>>();
for (const item of Object.values<any>(bundled.paths)) {
  for (const op of Object.values<any>(item)) {
    if (typeof op?.operationId !== "string") continue;
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(bundled, p));
    listParams.set(op.operationId, new Set(params.filter((p) => p.in === "query" && deref(bundled, p.schema)?.type === "array").map((p) => p.name)));
  }
}

function asSent(operationId: string, request: unknown): unknown {
  const sent = JSON.parse(JSON.stringify(request));
  const query = sent?.query;
  if (query && typeof query === "object" && !Array.isArray(query)) {
    for (const k of Object.keys(query)) {
      // openapi-fetch throws for a value it cannot write (an object inside an array); such a
      // request is never sent, so the oracle judges the value as given.
      let written: string | undefined;
      try {
        written = serializeQuery({ [k]: query[k] });
      } catch {
        continue;
      }
      if (written === "") delete query[k];
      else if (listParams.get(operationId)!.has(k) && !Array.isArray(query[k])) query[k] = [query[k]];
    }
  }
  return sent;
}
// Refs are bare names, which resolve against an $id of the same name.
for (const [name, schema] of Object.entries(defs)) ajv.addSchema(typeof schema === "boolean" ? { $id: name, allOf: [schema] } : { ...schema, $id: name });
const oracles = new Map(Object.entries(requests).map(([op, schema]) => [op, ajv.compile(schema)]));

/** Ajv's verdict, and its errors as sorted "path rule" lines in our path notation. */
function ajvJudge(operationId: string, request: unknown): { valid: boolean; blamed: string[] } {
  const validate = oracles.get(operationId)!;
  const valid = validate(asSent(operationId, request)) as boolean;
  const errors = validate.errors ?? [];
  const failedAnyOf = errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath);
  const blamed: string[] = [];
  for (const e of errors) {
    const underAnyOf = failedAnyOf.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
    if (e.keyword !== "anyOf" && /\/anyOf\/\d+\//.test(e.schemaPath) && underAnyOf) continue;
    const segments = e.instancePath
      .split("/")
      .slice(1)
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (e.keyword === "required") segments.push(String(e.params.missingProperty));
    if (e.keyword === "additionalProperties") segments.push(String(e.params.additionalProperty));
    blamed.push(`${segments.join(".")} ${e.keyword}`);
  }
  return { valid, blamed: blamed.sort() };
}

function ourJudge(operationId: string, request: unknown): { valid: boolean; blamed: string[] } {
  const issues = validateRequest(operationId, request as Request);
  return { valid: issues.length === 0, blamed: issues.map((i) => `${i.path} ${i.rule}`).sort() };
}

const pad = (width: number) => (n: number) => String(n).padStart(width, "0");
const two = (...ns: number[]) => fc.constantFrom(...ns).map(pad(2));
const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysIn = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
/** Mostly `good`, sometimes `bad`, so that a near miss usually breaks one part only. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: bad });

// Century and leap years, where February's length is easy to get wrong.
const year = fc.oneof(
  fc.integer({ min: 0, max: 9999 }),
  fc.constantFrom(0, 4, 100, 400, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400),
);
const validDate = fc
  .tuple(year, fc.integer({ min: 1, max: 12 }))
  .chain(([y, m]) => fc.integer({ min: 1, max: daysIn(y, m) }).map((d) => `${pad(4)(y)}-${pad(2)(m)}-${pad(2)(d)}`));
const nearDate = fc.oneof(
  fc.tuple(year, fc.constantFrom(28, 29, 30)).map(([y, d]) => `${pad(4)(y)}-02-${pad(2)(d)}`),
  fc
    .tuple(year, fc.integer({ min: 0, max: 13 }), fc.constantFrom(0, 1, 28, 29, 30, 31, 32))
    .map(([y, m, d]) => `${pad(4)(y)}-${pad(2)(m)}-${pad(2)(d)}`),
  fc.constantFrom("2024-1-01", "24-01-01", "２０２４-01-01", "2024/01/01", "2024-01-1", "20240101", "+2024-01-01"),
);

const validTime = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(
    (t) => t.map(pad(2)).join(":"),
  ),
  fc.constant("23:59:60"),
);
const nearTime = fc.oneof(
  fc.tuple(two(0, 9, 23, 24, 25, 99), two(0, 59, 60, 99), two(0, 59, 60, 61)).map((t) => t.join(":")),
  fc.tuple(two(22, 23, 24), two(58, 59, 60), two(59, 60, 61)).map((t) => t.join(":")),
  fc.constantFrom("9:30:00", "09:30", "9:30", "093000", "12:00:00:00", "12:0:00", "1a:00:00"),
);

const separator = mostly(
  fc.constantFrom("T", "t", " "),
  fc.constantFrom("\t", "\n", "\u00a0", "\u2003", "\u2028", "\ufeff", "TT", "Tt", "T ", "_", "", "Z"),
);
const fraction = mostly(fc.constantFrom("", "", ".5", ".000", ".123456789"), fc.constantFrom(".", ".x", ",5", ".5.5"));

const validZone = fc.oneof(
  fc.constantFrom("Z", "z"),
  fc
    .tuple(
      fc.constantFrom("+", "-"),
      fc.integer({ min: 0, max: 24 }),
      fc.constantFrom(":", ""),
      fc.integer({ min: 0, max: 59 }),
    )
    .map(([sign, h, sep, m]) => `${sign}${pad(2)(h)}${sep}${pad(2)(m)}`),
  fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 24 })).map(([sign, h]) => `${sign}${pad(2)(h)}`),
);
const nearZone = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("+", "-", "\u2212", ""),
      fc.constantFrom("00", "05", "5", "14", "23", "24", "25", "26", "99"),
      fc.constantFrom(":", "", ";"),
      fc.constantFrom("", "00", "30", "59", "60", "99", "5", "300"),
    )
    .map((z) => z.join("")),
  fc.constantFrom("", "UTC", "Zz", " Z", "+05:30Z", "Z\n", "+05:30:00", "GMT+1"),
);

const validDateTime = fc
  .tuple(validDate, fc.constantFrom("T", "t", " "), validTime, fc.constantFrom("", ".5", ".123456789"), validZone)
  .map((parts) => parts.join(""));

// Near misses: each part is usually right, and sometimes out of range or malformed.
const dateTimeish = fc
  .tuple(mostly(validDate, nearDate), separator, mostly(validTime, nearTime), fraction, mostly(validZone, nearZone))
  .map((parts) => parts.join(""));

// Valid date-times with one character replaced, removed or doubled.
const misspelledDateTime = fc
  .tuple(validDateTime, fc.nat(), fc.constantFrom(..."0123456789-:.TtZz+ \t", "", "00"))
  .map(([s, i, c]) => {
    const at = i % s.length;
    return s.slice(0, at) + c + s.slice(at + 1);
  });

const anyDateTimeish = fc.oneof(
  { weight: 1, arbitrary: validDateTime },
  { weight: 3, arbitrary: dateTimeish },
  { weight: 1, arbitrary: misspelledDateTime },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789-:.TtZz+ "), maxLength: 30 }) },
);

// Strings around a 50-character limit, with characters of one and two UTF-16 units.
const nearLength = fc
  .integer({ min: 47, max: 53 })
  .chain((n) =>
    fc.string({ unit: fc.constantFrom("a", "é", "😀", "\u{10FFFF}", "e\u0301"), minLength: n, maxLength: n }),
  );

const nearAppointmentTime = fc.oneof(
  nearTime,
  fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 })).map((t) =>
    t.map(pad(2)).join(":"),
  ),
  fc.constantFrom("24:00:00", "9:30:00", "12:60:00", "12:00:60", " 12:00:00", "12:00:00\n", "12:00:00Z"),
  fc.constantFrom("１２:00:00", "12:00:00.5", "12:00:0"),
);

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: nearAppointmentTime },
  { weight: 2, arbitrary: anyDateTimeish },
  { weight: 1, arbitrary: mostly(validDate, nearDate) },
  { weight: 2, arbitrary: nearLength },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      0, -0, -5, 1.5, 0.5, 1, 249, 250, 251, -1, 1e21, Number.MAX_SAFE_INTEGER + 2,
      null, true, false, [], {}, ["a"], "5", "", "SAMPLE1", "sample1", "RESMAN ", ["RESMAN"],
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 300 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 300 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);

const extraKey = fc.oneof(
  fc.constantFrom("extra", "constructor", "toString", "__proto__", "hasOwnProperty", "Title", "appointment_time "),
  fc.string({ maxLength: 8 }),
);

/** The schema a node refers to; `true` is the empty schema, and `false` has no valid values. */
const resolve = (s: Schema): SchemaNode => {
  if (s === true) return {};
  if (s === false) throw new Error("a false schema has no valid values: teach these arbitraries to leave its member out");
  return s.$ref ? resolve(defs[s.$ref]!) : s;
};

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const validEmail = fc.tuple(fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(?:\.[a-z0-9_-]{1,5})?$/), label, label).map(([local, host, tld]) => `${local}@${host}.${tld}`);
const validUri = fc.tuple(fc.constantFrom("https", "http", "urn", "mailto"), label, fc.stringMatching(/^(?:\/(?:[a-z0-9._~-]|%[0-9A-F]{2}){0,6}){0,3}$/)).map(([scheme, host, path]) => (scheme === "https" || scheme === "http" ? `${scheme}://${host}.com${path}` : `${scheme}:${host}${path}`));
// Whole code points only, so that a length in units is a length in characters.
const character = fc.constantFrom("a", "é", "😀", " ", "\u{10FFFF}");

/** Values that the schema accepts. */
function valid(node: Schema): fc.Arbitrary<unknown> {
  const s = resolve(node);
  if (s.anyOf || s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map(valid));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const types = [s.type ?? []].flat();
  if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...s, type })));
  switch (types[0]) {
    case "string": {
      if (s.format === "date-time") return validDateTime;
      if (s.format === "date") return validDate;
      if (s.format === "email") return validEmail;
      if (s.format === "uri") return validUri;
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      if (s.maxLength === undefined && s.minLength === undefined) return fc.string({ unit: "binary", maxLength: 20 });
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? min + 20;
      return fc.oneof(
        fc.string({ unit: character, minLength: min, maxLength: max }),
        fc.string({ unit: character, minLength: Math.max(min, max - 2), maxLength: max }),
      );
    }
    case "integer":
    case "number":
      return fc.integer({
        min: s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? -1000),
        max: s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : (s.maximum ?? 100_000),
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "object":
      return object(s, valid);
    case "array": {
      const bounds = { minLength: s.minItems ?? 0, maxLength: s.maxItems ?? (s.minItems ?? 0) + 3 };
      const item = valid(s.items ?? true);
      return s.uniqueItems ? fc.uniqueArray(item, { ...bounds, selector: (v) => JSON.stringify(v) }) : fc.array(item, bounds);
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** `arb` once in `odds + 1` draws, else undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, odds: number) =>
  fc.oneof({ weight: odds, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/**
 * Values near the schema: valid parts, of which about one in `odds + 1` is replaced by a nasty
 * value, and objects that sometimes lose required keys, get undefined values or extra keys.
 */
function mutated(node: Schema, odds: number): fc.Arbitrary<unknown> {
  const s = resolve(node);
  const near =
    s.type === "object" ? mutatedObject(s, odds)
    : s.type === "array" && s.items !== undefined ? fc.array(mutated(s.items, odds), { maxLength: 4 })
    : valid(s);
  return fc.oneof({ weight: odds, arbitrary: near }, { weight: 1, arbitrary: nasty });
}

function object(s: SchemaNode, child: (s: Schema) => fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(s.properties ?? {});
  if (!props.length && s.additionalProperties !== false)
    return fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
  const shape = Object.fromEntries(props.map(([k, p]) => [k, child(p)]));
  return fc.record(shape, { requiredKeys: [...(s.required ?? [])] }) as fc.Arbitrary<Record<string, unknown>>;
}

function mutatedObject(s: SchemaNode, odds: number): fc.Arbitrary<Record<string, unknown>> {
  const keys = [...new Set([...Object.keys(s.properties ?? {}), ...(s.required ?? [])])];
  const someKeys = keys.length
    ? sometimes(fc.subarray(keys, { minLength: 1, maxLength: Math.min(2, keys.length) }), odds)
    : fc.constant(undefined);
  const extraKeys = sometimes(fc.dictionary(extraKey, nasty, { minKeys: 1, maxKeys: 2 }), odds);
  return fc
    .tuple(object(s, (p) => mutated(p, odds)), someKeys, someKeys, extraKeys)
    .map(([base, dropped, unset, extra]) => {
      const o: Record<string, unknown> = { ...extra, ...base };
      for (const k of dropped ?? []) delete o[k];
      for (const k of unset ?? []) o[k] = undefined;
      return o;
    });
}

// Heavily mutated requests break many rules at once; lightly mutated ones are often still valid.
const mutatedRequest = (op: string) => fc.constantFrom(2, 20).chain((odds) => mutatedObject(requests[op]!, odds));

describe("validateRequest agrees with Prism's Ajv", () => {
  it.each(Object.keys(requests))("%s: generated valid requests pass both", (op) => {
    fc.assert(
      fc.property(valid(requests[op]!), (request) => {
        expect(ajvJudge(op, request)).toEqual({ valid: true, blamed: [] });
        expect(ourJudge(op, request)).toEqual({ valid: true, blamed: [] });
      }),
      fuzz,
    );
  });

  it.each(Object.keys(requests))("%s: mutated requests get the same verdict and blame", (op) => {
    const verdicts = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(mutatedRequest(op), (request) => {
        const expected = ajvJudge(op, request);
        verdicts[expected.valid ? "valid" : "invalid"]++;
        expect(ourJudge(op, request)).toEqual(expected);
      }),
      fuzz,
    );
    // The mix matters: agreeing only on rejections would prove little. Few runs may miss either side.
    if (RUNS >= 100) expect(Math.min(verdicts.valid, verdicts.invalid)).toBeGreaterThan(RUNS / 20);
  });
});

describe("isDateTime agrees with Prism's date_time", () => {
  it("on date-time-ish strings, valid and near miss", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(anyDateTimeish, (s) => {
        const expected = date_time(s);
        if (expected) accepted++;
        else rejected++;
        expect(isDateTime(s)).toBe(expected);
      }),
      { ...fuzz, numRuns: RUNS * 10 },
    );
    if (RUNS >= 100) expect(Math.min(accepted, rejected)).toBeGreaterThan(RUNS);
  });

  it("on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        expect(isDateTime(s)).toBe(date_time(s));
      }),
      fuzz,
    );
  });
});

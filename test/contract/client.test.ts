// The real client against the shared Prism mock, with every case generated from the operation
// table and the bundled spec: valid calls whose exchanges Prism finds nothing wrong with and whose
// answers fit the 200 schema, one broken request per constraint (refused locally with validation
// on; sent, and blamed on the same field by Prism, with it off), the documented error statuses,
// and every named example. A new operation, field or example is covered by regenerating.
import { describe, expect, inject, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  RateLimitError,
  RequestValidationError,
  UnsupportedOperationError,
  operations,
  type ApiError,
  type OperationId,
} from "../../src/index.js";
import {
  JSON_TYPE,
  blamedField,
  bodySchemaOf,
  dataOf,
  deref,
  expectedData,
  faultsOf,
  filledPath,
  fullInput,
  invoke,
  jsonContent,
  makeClient,
  minimalInput,
  parametersOf,
  recordingFetch,
  requestExamples,
  responseExamples,
  responseValidator,
  specOperations,
  TOKEN,
  type CallInput,
  type Exchange,
  type Fault,
  type Outcome,
  type SpecOperation,
} from "../helpers/contract.js";
import { readViolations } from "../helpers/violations.js";

// Which error class each documented error status must come back as. A status the spec gains
// without an entry here fails the "Prefer: code" tests instead of going unchecked.
const ERROR_CLASSES: Record<string, abstract new (...args: never[]) => ApiError> = {
  "400": BadRequestError,
  "401": AuthenticationError,
  "405": UnsupportedOperationError,
  "429": RateLimitError,
};

interface Plan extends SpecOperation {
  calls: { name: "minimal" | "full"; input: CallInput }[];
  faults: Fault[];
  /** Documented error statuses that `Prefer: code=N` can draw out (401 needs a missing token instead). */
  errorCodes: string[];
  examples: { code: string; name: string; value: unknown }[];
  requestExamples: [string, unknown][];
}

/** The cases of every operation; the tests below and the coverage check both read this. */
function planContract(): Plan[] {
  return specOperations().map((o) => {
    const errorCodes = Object.keys(o.op.responses).filter((code) => code !== "200" && code !== "401" && jsonContent(o.op.responses[code]));
    if (!o.row.supported) return { ...o, calls: [], faults: [], errorCodes, examples: [], requestExamples: [] };
    return {
      ...o,
      calls: [
        { name: "minimal", input: minimalInput(o.op) },
        { name: "full", input: fullInput(o.op) },
      ],
      faults: faultsOf(o.op),
      errorCodes,
      examples: responseExamples(o.op),
      requestExamples: requestExamples(o.op),
    };
  });
}

const plan = planContract();
const base = inject("prismUrl");

// Every keyword the request validator implements that a value can break (required and
// additionalProperties are counted per object below).
const CONSTRAINTS = [
  "type", "anyOf", "oneOf", "pattern", "format", "minLength", "maxLength", "exclusiveMinimum", "exclusiveMaximum",
  "minimum", "maximum", "enum", "const", "minItems", "maxItems", "uniqueItems",
];
/** "field keyword" for each constraint of a field's schema, and of its items at "field.0". */
const keywordsOf = (schema: any, field: string): string[] => [
  ...CONSTRAINTS.filter((k) => schema[k] !== undefined).map((k) => `${field} ${k}`),
  ...(schema.items ? keywordsOf(deref(schema.items), `${field}.0`) : []),
];
/**
 * keywordsOf for a query parameter, less what a query string cannot break: the type of text (it
 * takes anything once serialised) or of a list (a single value is a one-element list), and a
 * minItems of 1 (an empty list is not sent). See brokenValues.
 */
const queryKeywordsOf = (schema: any, field: string): string[] => {
  const types = [schema.type].flat();
  const unbreakable = [
    ...(types.includes("string") || types.includes("array") ? ["type"] : []),
    ...((schema.minItems ?? 0) <= 1 ? ["minItems"] : []),
  ];
  return [
    ...CONSTRAINTS.filter((k) => schema[k] !== undefined && !unbreakable.includes(k)).map((k) => `${field} ${k}`),
    ...(schema.items ? queryKeywordsOf(deref(schema.items), `${field}.0`) : []),
  ];
};

const describeOutcome = (o: Outcome) =>
  o.ok ? `resolved with ${JSON.stringify(o.data)}` : `threw ${(o.error as Error)?.name}: ${(o.error as Error)?.message}`;

function only(exchanges: Exchange[]): Exchange {
  expect(exchanges, "exactly one request reached the fetch").toHaveLength(1);
  return exchanges[0]!;
}

function errorOf<T>(outcome: Outcome, Class: abstract new (...args: never[]) => T): T {
  expect(outcome.ok, describeOutcome(outcome)).toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error, describeOutcome(outcome)).toBeInstanceOf(Class);
  return error as T;
}

/** The body the client puts on the wire for `input`: what it was given, or {} for an "empty" body. */
function sentBody(plan: Plan, input: CallInput): unknown {
  const kind: string = plan.row.body;
  if (kind === "empty") return {};
  if (kind === "none" || input.body === undefined) return undefined;
  return JSON.parse(JSON.stringify(input.body));
}

function expectSent(plan: Plan, exchange: Exchange, input: CallInput) {
  expect(exchange.method).toBe(plan.row.method);
  expect(exchange.url.pathname).toBe(filledPath(plan.row, input.path));
  // A list goes out as the parameter repeated, one value each; a single value once.
  for (const [name, value] of Object.entries(input.query ?? {})) expect(exchange.url.searchParams.getAll(name), `query ${name}`).toEqual([value].flat().map(String));
  expect(exchange.body).toEqual(sentBody(plan, input));
  expect(exchange.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
}

for (const p of plan) {
  describe(`${p.id} (${p.row.method} ${p.row.path})`, () => {
    if (!p.row.supported) {
      it("is refused by the client without a request, and Prism answers its documented 405", async () => {
        const recorder = recordingFetch();
        const outcome = await invoke(makeClient(base, { validate: true, fetch: recorder.fetch }), p.row, minimalInput(p.op));
        expect(errorOf(outcome, UnsupportedOperationError).status).toBe(405);
        expect(recorder.exchanges).toEqual([]);

        const response = await fetch(base + filledPath(p.row, minimalInput(p.op).path), {
          method: p.row.method,
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": JSON_TYPE, Prefer: "code=405" },
          body: "{}",
        });
        const body = await response.json();
        expect(response.status).toBe(405);
        expect(readViolations(response)).toEqual([]);
        const validate = responseValidator(p.row, "405");
        expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
        expect(body).toEqual(responseExamples(p.op).find((e) => e.code === "405")?.value);
      });
      return;
    }

    it.each(p.calls.map((c) => [c.name, c.input] as const))("%s call: Prism finds nothing wrong and the answer fits the 200 schema", async (_name, input) => {
      const recorder = recordingFetch();
      const outcome = await invoke(makeClient(base, { validate: true, fetch: recorder.fetch }), p.row, input);
      const exchange = only(recorder.exchanges);
      expect(outcome.ok, describeOutcome(outcome)).toBe(true);
      expectSent(p, exchange, input);
      expect(readViolations(exchange.response)).toEqual([]);
      expect(exchange.status).toBe(200);
      const body = JSON.parse(exchange.text);
      const validate = responseValidator(p.row, "200");
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      expect(dataOf(p.row, (outcome as { data: unknown }).data)).toEqual(expectedData(p.row, body));
    });

    it("rejects with AuthenticationError when no token reaches Prism", async () => {
      const recorder = recordingFetch((request) => {
        const headers = new Headers(request.headers);
        headers.delete("authorization");
        return globalThis.fetch(new Request(request, { headers }));
      });
      const outcome = await invoke(makeClient(base, { validate: true, fetch: recorder.fetch }), p.row, minimalInput(p.op));
      const error = errorOf(outcome, AuthenticationError);
      expect(error.status).toBe(401);
      const exchange = only(recorder.exchanges);
      expect(readViolations(exchange.response)).toEqual([expect.objectContaining({ location: ["request"], code: 401 })]);
      const validate = responseValidator(p.row, "401");
      expect(validate(error.body), JSON.stringify(validate.errors)).toBe(true);
    });

    it.each(p.errorCodes)("Prefer: code=%s comes back as its error class, with a documented body", async (code) => {
      const Class = ERROR_CLASSES[code];
      expect(Class, `no error class is expected for status ${code}`).toBeDefined();
      const recorder = recordingFetch();
      const client = makeClient(base, { validate: true, fetch: recorder.fetch });
      const outcome = await invoke(client, p.row, minimalInput(p.op), { headers: { Prefer: `code=${code}` }, maxRetries: 0 });
      const error = errorOf(outcome, Class!);
      expect(error.status).toBe(Number(code));
      const exchange = only(recorder.exchanges);
      expect(readViolations(exchange.response)).toEqual([]);
      const validate = responseValidator(p.row, code);
      expect(validate(error.body), JSON.stringify(validate.errors)).toBe(true);
      expect(error.code).toBe((error.body as { error: { code: string } }).error.code);
      const declared = Object.keys(deref(p.op.responses[code]).headers ?? {});
      for (const name of declared) expect(error.headers.get(name), `header ${name}`).not.toBeNull();
      if (error instanceof RateLimitError && declared.includes("x-ratelimit-limit")) expect(error.limit).toEqual(expect.any(Number));
      if (error instanceof RateLimitError && declared.includes("x-ratelimit-remaining")) expect(error.remaining).toEqual(expect.any(Number));
    });

    it.each(p.examples.map((e) => [e.code, e.name, e.value] as const))("serves its %s example %s through the client", async (code, name, value) => {
      const recorder = recordingFetch();
      const prefer = code === "200" ? `example=${name}` : `code=${code}, example=${name}`;
      const outcome = await invoke(makeClient(base, { validate: true, fetch: recorder.fetch }), p.row, minimalInput(p.op), { headers: { Prefer: prefer } });
      const exchange = only(recorder.exchanges);
      expect(readViolations(exchange.response)).toEqual([]);
      expect(exchange.status).toBe(Number(code));
      if (code === "200") {
        expect(outcome.ok, describeOutcome(outcome)).toBe(true);
        expect(dataOf(p.row, (outcome as { data: unknown }).data)).toEqual(expectedData(p.row, value));
      } else {
        const Class = ERROR_CLASSES[code];
        expect(Class, `no error class is expected for status ${code}`).toBeDefined();
        expect(errorOf(outcome, Class!).body).toEqual(value);
      }
    });

    it.each(p.requestExamples)("sends its request example %s, which Prism accepts", async (_name, body) => {
      const recorder = recordingFetch();
      const input = { ...minimalInput(p.op), body };
      const outcome = await invoke(makeClient(base, { validate: true, fetch: recorder.fetch }), p.row, input);
      expect(outcome.ok, describeOutcome(outcome)).toBe(true);
      const exchange = only(recorder.exchanges);
      expectSent(p, exchange, input);
      expect(readViolations(exchange.response)).toEqual([]);
    });

    /** The client's own verdict: refused, naming the field and the rule, with nothing sent. */
    async function expectRefusedLocally(fault: Fault) {
      const local = recordingFetch();
      const refused = errorOf(await invoke(makeClient(base, { validate: true, fetch: local.fetch }), p.row, fault.input), RequestValidationError);
      expect(new Set(refused.issues.map((i) => i.path))).toEqual(new Set([fault.field]));
      expect(refused.issues.map((i) => i.rule)).toContain(fault.rule);
      expect(local.exchanges, "nothing is sent").toEqual([]);
    }

    const labelled = (faults: Fault[]) => faults.map((f) => [f.label, f] as const);

    it.each(labelled(p.faults.filter((f) => f.sent && f.serverIgnores)))("%s: refused locally; sent with validation off, Prism ignores it and answers 200", async (_label, fault) => {
      await expectRefusedLocally(fault);
      const remote = recordingFetch();
      const outcome = await invoke(makeClient(base, { validate: false, fetch: remote.fetch }), p.row, fault.input);
      expect(outcome.ok, describeOutcome(outcome)).toBe(true);
      const exchange = only(remote.exchanges);
      expectSent(p, exchange, fault.input);
      expect(readViolations(exchange.response)).toEqual([]);
    });

    it.each(labelled(p.faults.filter((f) => f.sent && !f.serverIgnores)))("%s: refused locally; sent with validation off, Prism blames the same field", async (_label, fault) => {
      await expectRefusedLocally(fault);
      const remote = recordingFetch();
      const outcome = await invoke(makeClient(base, { validate: false, fetch: remote.fetch }), p.row, fault.input);
      const error = errorOf(outcome, BadRequestError);
      expect(error.status).toBe(400);
      const exchange = only(remote.exchanges);
      expectSent(p, exchange, fault.input);
      const violations = readViolations(exchange.response);
      expect(violations.filter((v) => v.location[0] !== "request"), "the canned 400 fits the spec").toEqual([]);
      expect(new Set(violations.map(blamedField)), JSON.stringify(violations)).toEqual(new Set([fault.field]));
      expect(violations.map((v) => v.code)).toContain(fault.rule);
    });

    // An empty or non-string path segment would reach another route, so the client refuses it
    // whether validation is on or off.
    it.each(labelled(p.faults.filter((f) => !f.sent)))("%s: refused locally, with validation on or off", async (_label, fault) => {
      await expectRefusedLocally(fault);
      const remote = recordingFetch();
      const error = errorOf(await invoke(makeClient(base, { validate: false, fetch: remote.fetch }), p.row, fault.input), RequestValidationError);
      expect(error.issues.map((i) => [i.path, i.rule])).toEqual([[fault.field, "pathSegment"]]);
      expect(remote.exchanges).toEqual([]);
    });

    // A path left with an empty segment can be another operation's path (GET /v1/events/{event_id}
    // with no ID is GET /v1/events/); that is why the client refuses an empty segment. Prism can
    // blame the missing parameter only where no other operation takes the request.
    const emptied = (fault: Fault) => filledPath(p.row, { ...fault.input.path, [fault.field.slice(5)]: "" });
    const missingPath = p.faults.filter((f) => f.field.startsWith("path.") && f.rule === "required");
    it.each(labelled(missingPath.filter((f) => routedElsewhere(p.row, emptied(f)))))("%s: the emptied path is another operation's, which Prism answers, so only the client can refuse it", async (_label, fault) => {
      const response = await fetch(base + emptied(fault), {
        method: p.row.method,
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": JSON_TYPE },
        ...(p.row.body !== "none" && { body: JSON.stringify(fault.input.body ?? {}) }),
      });
      expect(response.status, `${p.row.method} ${emptied(fault)} is ${routedElsewhere(p.row, emptied(fault))}`).toBe(200);
    });
    it.each(labelled(missingPath.filter((f) => !routedElsewhere(p.row, emptied(f)))))("%s: Prism blames it too when a raw request leaves the segment empty", async (_label, fault) => {
      const response = await fetch(base + emptied(fault), {
        method: p.row.method,
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": JSON_TYPE },
        ...(p.row.body !== "none" && { body: JSON.stringify(fault.input.body ?? {}) }),
      });
      expect(response.status).toBe(400);
      const violations = readViolations(response);
      expect(violations.map((v) => [blamedField(v), v.code])).toEqual([[fault.field, "required"]]);
    });
  });
}

/** The operationId of another operation of the spec whose method and path template take `path`, if any. */
function routedElsewhere(row: Plan["row"], path: string): string | undefined {
  const takes = (template: string) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, "[^/]+")}$`).test(path);
  return Object.values(operations).find((r) => r.operationId !== row.operationId && r.method === row.method && takes(r.path))?.operationId;
}

describe("coverage", () => {
  it("every operation of the spec is in the table and the other way round", () => {
    expect(plan.map((p) => p.id).sort()).toEqual(Object.keys(operations).sort());
  });

  // Each generated list above could shrink to nothing when the spec changes shape (a renamed
  // keyword, a response moved behind a $ref) and its tests would vanish without failing.
  it.each(Object.keys(operations) as OperationId[])("%s has contract cases of every kind", (id) => {
    const p = plan.find((x) => x.id === id);
    expect(p, `${id} has no plan`).toBeDefined();
    if (!p!.row.supported) {
      expect(p!.errorCodes).toContain("405");
      return;
    }
    expect(p!.calls.map((c) => c.name)).toEqual(["minimal", "full"]);
    expect(p!.faults.length).toBeGreaterThan(0);
    expect(p!.errorCodes).toEqual(expect.arrayContaining(["400", "429"]));
    expect(p!.examples.some((e) => e.code === "200")).toBe(true);
    if (p!.row.body === "required") {
      expect(p!.requestExamples.length).toBeGreaterThan(0);
      // A body the caller must send is refused when missing, and so is each required member;
      // unless the method takes it in one object with a required query parameter, which then
      // cannot be left out with it (test/helpers/contract.ts, faultsOf).
      const inOneWithRequiredQuery = parametersOf(p!.op).some((q) => q.in === "query" && q.required);
      expect(p!.faults.some((f) => f.field === "body" && f.rule === "required")).toBe(!inOneWithRequiredQuery);
      const required: string[] = bodySchemaOf(p!.op)?.required ?? [];
      for (const name of required) expect(p!.faults.some((f) => f.field === `body.${name}` && f.rule === "required"), `body.${name}`).toBe(true);
    }
  });

  it("breaks every constraint keyword that the request schemas use, on every field that has it", () => {
    const broken = new Set(plan.flatMap((p) => p.faults.map((f) => `${p.id} ${f.field} ${f.rule}`)));
    const used: string[] = [];
    for (const p of plan.filter((x) => x.row.supported)) {
      const body = bodySchemaOf(p.op);
      for (const name of body?.required ?? []) used.push(`${p.id} body.${name} required`);
      if (body?.additionalProperties === false) used.push(`${p.id} body.foo additionalProperties`);
      for (const [name, ref] of Object.entries<any>(body?.properties ?? {})) used.push(...keywordsOf(deref(ref), `body.${name}`).map((k) => `${p.id} ${k}`));
      for (const param of parametersOf(p.op)) {
        if (param.in === "path") used.push(`${p.id} path.${param.name} required`);
        if (param.in === "query") used.push(...queryKeywordsOf(param.schema, `query.${param.name}`).map((k) => `${p.id} ${k}`));
      }
      // Every query is closed; an unknown key can reach it where the one object is the query alone.
      if (!p.op.requestBody && parametersOf(p.op).some((x: any) => x.in === "query")) used.push(`${p.id} query.foo additionalProperties`);
    }
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((u) => !broken.has(u))).toEqual([]);
  });
});

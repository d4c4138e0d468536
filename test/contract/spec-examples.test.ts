// The spec's examples, replayed through Prism: every operation's request example passes Prism's
// request validation, every named 200 example and every error example is served verbatim and
// passes Prism's response validation, and the checks are shown to fail when they should. The
// cases are generated from generated/openapi.json, so a new operation or example is covered
// without touching this file. Raw fetch on purpose: this tier checks the spec, not the client.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { deref, loadBundled, operationsOf } from "../helpers/project.js";
import { startPrism, type PrismServer } from "../helpers/prism.js";
import { readViolations, type Violation } from "../helpers/violations.js";

const doc = await loadBundled();
const operations = operationsOf(doc);
const JSON_TYPE = "application/json";
const ERROR_CODES = ["400", "429", "405"] as const;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: "spec" }, "spec");
const validateErrorResponse = ajv.getSchema("spec#/components/schemas/errorResponse")!;

type Operation = (typeof operations)[number];

interface Call {
  method: string;
  path: string;
  body?: unknown;
  auth?: boolean;
  prefer?: string;
  headers?: Record<string, string>;
}

interface Reply {
  status: number;
  headers: Headers;
  violations: Violation[];
  body: unknown;
  text: string;
}

const named = (examples: Record<string, any> | undefined): [string, unknown][] =>
  Object.entries(examples ?? {}).map(([name, example]) => [name, deref(doc, example).value]);

const jsonContent = (response: any) => deref(doc, response)?.content?.[JSON_TYPE];

/** The path with its parameters' examples filled in and a query of the query parameters' examples. */
function exampleUrl(op: Operation): string {
  let path = op.path;
  const query = new URLSearchParams();
  for (const ref of op.op.parameters ?? []) {
    const param = deref(doc, ref);
    const example = named(param.examples)[0]?.[1] ?? param.example;
    if (example === undefined) {
      if (param.required) throw new Error(`${op.method} ${op.path}: required parameter ${param.name} has no example`);
      continue;
    }
    if (param.in === "path") path = path.replace(`{${param.name}}`, encodeURIComponent(String(example)));
    // A list example goes out as the parameter repeated, as the client sends it.
    else if (param.in === "query") for (const value of [example].flat()) query.append(param.name, String(value));
  }
  if (path.includes("{")) throw new Error(`${op.method} ${op.path}: unfilled path parameter in ${path}`);
  return query.size > 0 ? `${path}?${query}` : path;
}

function bodyExamples(op: Operation): [string, unknown][] {
  return named(op.op.requestBody?.content?.[JSON_TYPE]?.examples);
}

/** The request example of the same name as a response example, else the operation's first one. */
function requestFor(op: Operation, exampleName?: string): Call {
  const bodies = bodyExamples(op);
  const chosen = bodies.find(([name]) => name === exampleName) ?? bodies[0];
  return { method: op.method, path: exampleUrl(op), ...(chosen && { body: chosen[1] }) };
}

async function send(base: string, call: Call): Promise<Reply> {
  const headers: Record<string, string> = { "Content-Type": JSON_TYPE, ...call.headers };
  if (call.auth !== false) headers.Authorization = "Bearer test-token";
  if (call.prefer) headers.Prefer = call.prefer;
  const response = await fetch(base + call.path, {
    method: call.method,
    headers,
    ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, violations: readViolations(response), body, text };
}

/** Context for a failed assertion: what Prism said and why. */
const explain = (reply: Reply) => `status ${reply.status}, violations ${JSON.stringify(reply.violations)}, body ${reply.text}`;

function expectDeclaredHeaders(reply: Reply, response: any) {
  for (const name of Object.keys(deref(doc, response).headers ?? {})) {
    expect(reply.headers.get(name), `header ${name}`).not.toBeNull();
  }
}

it("finds operations and a named 200 example for each", () => {
  expect(operations.length).toBeGreaterThan(0);
  for (const op of operations) {
    expect(named(jsonContent(op.op.responses["200"])?.examples).length, `${op.method} ${op.path}`).toBeGreaterThan(0);
  }
});

for (const op of operations) describe(`${op.op.operationId} (${op.method} ${op.path})`, () => {
  const base = inject("prismUrl");
  const ok = op.op.responses["200"];

  it.each(named(jsonContent(ok)?.examples))("serves its 200 example %s for its request example", async (name, value) => {
    const reply = await send(base, { ...requestFor(op, name), prefer: `example=${name}` });
    expect(reply.status, explain(reply)).toBe(200);
    expect(reply.violations).toEqual([]);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.body).toStrictEqual(value);
    expectDeclaredHeaders(reply, ok);
  });

  const bodies = bodyExamples(op);
  if (bodies.length > 1) {
    it.each(bodies)("accepts its request example %s", async (_name, body) => {
      const reply = await send(base, { ...requestFor(op), body });
      expect(reply.status, explain(reply)).toBe(200);
      expect(reply.violations).toEqual([]);
    });
  }

  it("answers 401 with an errorResponse when the token is missing", async () => {
    const reply = await send(base, { ...requestFor(op), auth: false });
    expect(reply.status, explain(reply)).toBe(401);
    expect(validateErrorResponse(reply.body), JSON.stringify(validateErrorResponse.errors)).toBe(true);
    const examples = named(jsonContent(op.op.responses["401"])?.examples);
    expect(examples.length).toBeGreaterThan(0);
    expect(reply.body).toStrictEqual(examples[0]![1]);
    expect(reply.violations).toEqual([expect.objectContaining({ location: ["request"], code: 401, severity: "Error" })]);
  });

  const errorCases = ERROR_CODES.filter((code) => op.op.responses[code]).flatMap((code) =>
    named(jsonContent(op.op.responses[code])?.examples).map(([name, value]) => [code, name, value] as const),
  );
  it.each(errorCases)("serves its %s example %s when asked for it", async (code, name, value) => {
    const reply = await send(base, { ...requestFor(op), prefer: `code=${code}, example=${name}` });
    expect(reply.status, explain(reply)).toBe(Number(code));
    expect(reply.violations).toEqual([]);
    expect(validateErrorResponse(reply.body), JSON.stringify(validateErrorResponse.errors)).toBe(true);
    expect(reply.body).toStrictEqual(value);
    expectDeclaredHeaders(reply, op.op.responses[code]);
  });

  // Guards the generated cases above against shrinking to nothing when the spec changes.
  it("declares 400, 401 and 429, and 405 exactly when it is not supported, each with an example", () => {
    for (const code of ["400", "401", "429"]) expect(op.op.responses[code], code).toBeDefined();
    expect(op.op.responses["405"] !== undefined).toBe(op.op["x-propexo-supported"] === false);
    for (const code of [...ERROR_CODES, "401"].filter((code) => op.op.responses[code])) {
      expect(named(jsonContent(op.op.responses[code])?.examples).length, code).toBeGreaterThan(0);
    }
  });
});

describe("Prism's request validation, which the checks above rely on", () => {
  const update = operations.find((op) => op.op.operationId === "updateResmanLeadAppointment")!;
  const list = operations.find((op) => op.op.operationId === "listAppointments")!;
  const valid = requestFor(update, "docsExample");
  const validBody = valid.body as Record<string, unknown>;
  const badRequestExample = named(jsonContent(update.op.responses["400"]).examples)[0]![1];

  const faults = [
    {
      fault: "a time that breaks the pattern",
      body: { ...validBody, appointment_time: "9:30" },
      expected: { location: ["request", "body", "appointment_time"], code: "pattern" },
    },
    {
      fault: "a missing required field",
      body: { appointment_date: validBody.appointment_date },
      expected: { location: ["request", "body"], code: "required", message: expect.stringContaining("'appointment_time'") },
    },
    {
      fault: "an extra property",
      body: { ...validBody, foo: "bar" },
      expected: { location: ["request", "body"], code: "additionalProperties", message: expect.stringContaining("'foo'") },
    },
  ];
  for (const { fault, body, expected } of faults) {
    it(`reports ${fault} in sl-violations and answers the spec's 400`, async () => {
      const reply = await send(inject("prismUrl"), { ...valid, body });
      expect(reply.status, explain(reply)).toBe(400);
      expect(reply.violations).toEqual([expect.objectContaining({ severity: "Error", ...expected })]);
      // Prism serves the spec's canned 400 whatever the fault; only the header describes it.
      expect(reply.body).toStrictEqual(badRequestExample);
    });
  }

  it("reports a query parameter out of range", async () => {
    const reply = await send(inject("prismUrl"), { method: "GET", path: `${list.path}?limit=251` });
    expect(reply.status, explain(reply)).toBe(400);
    expect(reply.violations).toEqual([
      expect.objectContaining({ location: ["request", "query", "limit"], code: "maximum", severity: "Error" }),
    ]);
  });

  it("answers 401 for a request without a token that is invalid as well, and lists both faults", async () => {
    const reply = await send(inject("prismUrl"), { ...valid, auth: false, body: { ...validBody, foo: "bar" } });
    expect(reply.status, explain(reply)).toBe(401);
    expect(reply.violations.map((v) => v.code).sort()).toEqual([401, "additionalProperties"]);
  });
});

describe("Prism's routing and CORS, which the client and browser tests rely on", () => {
  const create = operations.find((op) => op.op.operationId === "createResmanLeadAppointment")!;
  // A path without its trailing slash can be another route's (`/leads/resman` is `/leads/{event_id}`);
  // this takes a POST whose slashless path is no route of the spec.
  const template = (path: string) => new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
  const slashed = operations.find(
    (op) => op.method === "POST" && op.path.endsWith("/") && !operations.some((other) => template(other.path).test(op.path.slice(0, -1))),
  )!;

  it("serves a trailing-slash path only with its slash", async () => {
    expect(slashed, "a POST whose path ends in a slash and whose slashless path is no route").toBeDefined();
    const withSlash = await send(inject("prismUrl"), requestFor(slashed));
    expect(withSlash.status, explain(withSlash)).toBe(200);
    const without = await send(inject("prismUrl"), { ...requestFor(slashed), path: slashed.path.slice(0, -1) });
    expect(without.status).toBe(404);
    expect(without.body).toMatchObject({ type: expect.stringContaining("NO_PATH_MATCHED_ERROR") });
  });

  it("answers a slashless per-PMS path as the generic route it then is, never as the per-PMS operation", async () => {
    expect(create.path.endsWith("/")).toBe(true);
    const without = await send(inject("prismUrl"), { ...requestFor(create), path: create.path.slice(0, -1) });
    // POST /v1/events/appointments/leads/resman is the path of PUT /v1/events/appointments/leads/{event_id},
    // so the request reaches a route that does not take a POST.
    expect(without.status).toBe(405);
    expect(without.body).toMatchObject({ type: expect.stringContaining("NO_METHOD_MATCHED_ERROR") });
  });

  it("answers a CORS preflight for a write with the asked-for method and headers", async () => {
    const origin = "http://localhost:5173";
    const response = await fetch(inject("prismUrl") + exampleUrl(operations.find((op) => op.method === "PUT")!), {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type,prefer",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("access-control-allow-methods")).toBe("PUT");
    expect(response.headers.get("access-control-allow-headers")).toBe("authorization,content-type,prefer");
  });

  it("lets a cross-origin page read the answer and its sl-violations", async () => {
    const reply = await send(inject("prismUrl"), { ...requestFor(create), headers: { Origin: "http://localhost:5173" } });
    expect(reply.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(reply.headers.get("access-control-expose-headers")).toBe("*");
  });
});

describe("startPrism", () => {
  let broken: PrismServer | undefined;
  let proxy: PrismServer | undefined;
  let scratch: string | undefined;
  const update = operations.find((op) => op.op.operationId === "updateResmanLeadAppointment")!;

  beforeAll(async () => {
    // A copy of the spec whose 200 example breaks the response schema, to show that the 200
    // checks above would catch a wrong example rather than pass because Prism never looked.
    scratch = await mkdtemp(join(tmpdir(), "propexo-prism-"));
    const copy = structuredClone(doc);
    copy.paths[update.path].put.responses["200"].content[JSON_TYPE].examples.docsExample.value.result.appointment_time = "9:30";
    const spec = join(scratch, "openapi.json");
    await writeFile(spec, JSON.stringify(copy));
    [broken, proxy] = await Promise.all([
      startPrism({ spec, errors: true }),
      startPrism({ mode: "proxy", upstream: inject("prismUrl") }),
    ]);
    // Two Prisms start here; on a loaded machine that takes longer than the default hook timeout.
  }, 90_000);

  afterAll(async () => {
    await Promise.all([broken?.stop(), proxy?.stop()]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("runs a mock on another spec, whose broken example --errors turns into a 500", async () => {
    const reply = await send(broken!.url, { ...requestFor(update, "docsExample"), prefer: "example=docsExample" });
    expect(reply.status, explain(reply)).toBe(500);
    expect(reply.violations).toEqual([
      expect.objectContaining({ location: ["response", "body", "result", "appointment_time"], code: "pattern", severity: "Error" }),
    ]);
    expect(broken!.output()).toContain(`Prism is listening on ${broken!.url}`);
  });

  it("runs a validating proxy in front of an upstream", async () => {
    const good = await send(proxy!.url, requestFor(update, "docsExample"));
    expect(good.status, explain(good)).toBe(200);
    expect(good.violations).toEqual([]);
    const bad = await send(proxy!.url, { ...requestFor(update, "docsExample"), body: { appointment_time: "9:30" } });
    expect(bad.violations.map((v) => [v.location.join("."), v.code])).toEqual(
      expect.arrayContaining([
        ["request.body.appointment_time", "pattern"],
        ["request.body", "required"],
      ]),
    );
  });
});

// Examples: the two seed pages' examples appear verbatim, every operation has request and
// response examples, and every example validates against its schema with a 2020-12 validator.
import { beforeAll, describe, expect, it } from "vitest";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { deref, loadBundled, operationsOf } from "../helpers/project.js";

// Printed on Propexo's "Update Lead Appointment: Resman" page.
const RESMAN_UPDATE_REQUEST = { appointment_date: "2024-01-15T09:30:00Z", appointment_time: "09:30:00" };
const RESMAN_UPDATE_RESPONSE = {
  meta: { job_id: "a1b2c3d4-e5f6-7890-ab12-cd34ef567890" },
  result: {
    event_id: "e1234567-89ab-4cde-f012-3456789abcde",
    appointment_date: "2024-01-15T09:30:00Z",
    appointment_time: "09:30:00",
    unit_id: "u9876543-21ba-fedc-0987-6543210fedcb",
    notes: "Client requested a virtual tour instead of in-person.",
  },
};
// Printed on Propexo's "Cancel Lead Appointment: Rent Manager" page.
const RM_CANCEL_REQUEST = { integration_id: "rm-987654321", event_id: "evt-123456789" };
const RM_CANCEL_RESPONSE = { meta: { job_id: "job-20240615-001" }, result: { integration_id: "rm-987654321", event_id: "evt-123456789" } };

let doc: any;
let ajv: Ajv2020;
beforeAll(async () => {
  doc = await loadBundled();
  ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  // Register the whole document so that every `#/components/...` ref resolves.
  ajv.addSchema({ ...doc, $id: "spec" }, "spec");
});

const pointer = (path: string[]) => "spec#/" + path.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

/** Every `examples` map of the document, with the pointer of the schema it illustrates. */
function allExamples(): { where: string; schema: string; name: string; value: unknown }[] {
  const found: { where: string; schema: string; name: string; value: unknown }[] = [];
  const visit = (node: any, path: string[]) => {
    if (!node || typeof node !== "object") return;
    if (node.examples && node.schema && !Array.isArray(node.examples)) {
      for (const [name, ex] of Object.entries<any>(node.examples)) {
        found.push({ where: path.join(" > "), schema: pointer([...path, "schema"]), name, value: deref(doc, ex).value });
      }
    }
    for (const [k, v] of Object.entries(node)) if (k !== "examples") visit(v, [...path, k]);
  };
  visit(doc.paths, ["paths"]);
  visit(doc.webhooks ?? {}, ["webhooks"]);
  visit(doc.components, ["components"]);
  return found;
}

/** An operation's parameters (its path's, then its own), each with where its definition is. */
function parametersAt(path: string, method: string): { at: string[]; param: any }[] {
  const item = doc.paths[path];
  const m = method.toLowerCase();
  const listed = [
    ...(item.parameters ?? []).map((p: any, i: number) => ({ p, at: ["paths", path, "parameters", String(i)] })),
    ...(item[m].parameters ?? []).map((p: any, i: number) => ({ p, at: ["paths", path, m, "parameters", String(i)] })),
  ];
  return listed.map(({ p, at }) => ({ at: typeof p.$ref === "string" ? p.$ref.replace(/^#\//, "").split("/") : at, param: deref(doc, p) }));
}

/** A parameter's single examples: its own `example` and its schema's. */
const singleExamples = (param: any): unknown[] => [param.example, deref(doc, param.schema)?.example].filter((x) => x !== undefined);

describe("examples", () => {
  it("include the seed pages' request and response examples verbatim", () => {
    const update = doc.paths["/v1/events/appointments/leads/resman/{event_id}"].put;
    expect(update.requestBody.content["application/json"].examples.docsExample.value).toStrictEqual(RESMAN_UPDATE_REQUEST);
    expect(update.responses["200"].content["application/json"].examples.docsExample.value).toStrictEqual(RESMAN_UPDATE_RESPONSE);
    const cancel = doc.paths["/v1/events/appointments/leads/cancel/rentmanager"].post;
    expect(cancel.requestBody.content["application/json"].examples.docsExample.value).toStrictEqual(RM_CANCEL_REQUEST);
    expect(cancel.responses["200"].content["application/json"].examples.docsExample.value).toStrictEqual(RM_CANCEL_RESPONSE);
  });

  it("validate the seed examples against their operations' schemas", () => {
    const check = (path: string[], value: unknown) => {
      const validate = ajv.getSchema(pointer(path))!;
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    };
    const upd = ["paths", "/v1/events/appointments/leads/resman/{event_id}", "put"];
    check([...upd, "requestBody", "content", "application/json", "schema"], RESMAN_UPDATE_REQUEST);
    check([...upd, "responses", "200", "content", "application/json", "schema"], RESMAN_UPDATE_RESPONSE);
    const cancel = ["paths", "/v1/events/appointments/leads/cancel/rentmanager", "post"];
    check([...cancel, "requestBody", "content", "application/json", "schema"], RM_CANCEL_REQUEST);
    check([...cancel, "responses", "200", "content", "application/json", "schema"], RM_CANCEL_RESPONSE);
  });

  it("all validate against the schema they illustrate", () => {
    const examples = allExamples();
    expect(examples.length).toBeGreaterThan(30);
    for (const ex of examples) {
      const validate = ajv.getSchema(ex.schema);
      expect(validate, ex.schema).toBeTypeOf("function");
      expect(validate!(ex.value), `${ex.where} example ${ex.name}: ${JSON.stringify(validate!.errors)}`).toBe(true);
    }
  });

  it("given singly (a parameter's or its schema's `example`) validate against the parameter's schema", () => {
    let parameters = 0;
    for (const { method, path } of operationsOf(doc)) {
      for (const { at, param } of parametersAt(path, method)) {
        const validate = ajv.getSchema(pointer([...at, "schema"]))!;
        // The check can fail: an object is no parameter value.
        expect(validate({ not: "a parameter value" }), `${method} ${path} ${param.name}`).toBe(false);
        parameters++;
        for (const example of singleExamples(param)) {
          expect(validate(example), `${method.toUpperCase()} ${path} ${param.name} example: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
      }
    }
    expect(parameters).toBeGreaterThan(0);
  });

  it("exist for every operation's request and successful response", () => {
    for (const { method, path, op } of operationsOf(doc)) {
      const where = `${method} ${path}`;
      const bodyExamples = op.requestBody?.content?.["application/json"]?.examples ?? {};
      // A parameter shows its value by `examples` or by `example`, on itself or on its schema;
      // its own or its path's.
      const params = parametersAt(path, method).map((p) => p.param);
      const paramExamples = params.flatMap((p: any) => [...Object.keys(p.examples ?? {}), ...(singleExamples(p).length ? [p.name] : [])]);
      // An operation that takes nothing has nothing to show.
      if (op.requestBody || params.length) expect(Object.keys(bodyExamples).length + paramExamples.length, `${where} has no request example`).toBeGreaterThan(0);
      if (op.requestBody) expect(Object.keys(bodyExamples).length, `${where} has no body example`).toBeGreaterThan(0);
      const ok = deref(doc, op.responses["200"]).content["application/json"];
      expect(Object.keys(ok.examples ?? {}).length, `${where} has no response example`).toBeGreaterThan(0);
    }
  });

  it("exist for every webhook's payload", () => {
    const hooks = Object.entries<any>(doc.webhooks ?? {});
    expect(hooks.length).toBeGreaterThan(0);
    for (const [name, item] of hooks) {
      for (const method of ["get", "put", "post", "delete", "patch"].filter((m) => item[m])) {
        const media = deref(doc, item[method].requestBody)?.content?.["application/json"];
        expect(Object.keys(media?.examples ?? {}).length, `webhook ${name} has no payload example`).toBeGreaterThan(0);
        expect(allExamples().filter((e) => e.where.startsWith(`webhooks > ${name} >`)).length, name).toBe(Object.keys(media.examples).length);
      }
    }
  });

  it("that break the schema are caught by the same check", () => {
    // Guards the check above against passing vacuously.
    const validate = ajv.getSchema(pointer(["components", "schemas", "ResmanLeadAppointmentUpdateInput"]))!;
    expect(validate({ appointment_date: "2024-01-15", appointment_time: "9:30:00" })).toBe(false);
    expect(validate({ appointment_date: "15/01/2024", appointment_time: "09:30:00" })).toBe(false);
    expect(validate({ appointment_date: "2024-01-15", appointment_time: "09:30:00", title: "x" })).toBe(false);
    expect(validate({ appointment_date: "2024-01-15", appointment_time: "09:30:00" })).toBe(true);
  });
});

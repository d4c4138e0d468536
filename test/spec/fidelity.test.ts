// Fidelity to the sources: what the overlay takes from Propexo's published document keeps every
// constraint it has there, the hand-curated shapes shared with it agree with it, and every shape
// the facts mark as inferred says so. The comparison is with the vendored document
// (openapi/upstream/), so it follows `npm run spec:update`.
import { beforeAll, describe, expect, it } from "vitest";
import { descriptionTexts } from "../../scripts/lib/compose.mjs";
import { deref, loadBundled, loadOfficial, operationsOf } from "../helpers/project.js";

let ours: any;
let official: any;
beforeAll(async () => {
  ours = await loadBundled();
  official = await loadOfficial();
});

const ANNOTATIONS = new Set(["description", "example", "examples", "title", "x-propexo", "x-propexo-inferred"]);

/** A schema with refs resolved and annotations dropped, for comparing constraints. */
function constraints(doc: any, node: any): any {
  node = deref(doc, node);
  if (Array.isArray(node)) return node.map((n) => constraints(doc, n));
  if (!node || typeof node !== "object") return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (ANNOTATIONS.has(k)) continue;
    out[k] = k === "required" || k === "enum" ? [...(v as unknown[])].sort() : constraints(doc, v);
  }
  return out;
}

/**
 * Asserts that every constraint of `theirs` holds in `mine`. The freedoms: where Propexo declares
 * an object with no known members (`properties: {}`), ours may name optional members; and a
 * pattern Propexo publishes unanchored may be anchored (`^…$`), which only refuses more.
 */
function expectAgrees(mine: any, theirs: any, where: string) {
  if (theirs && typeof theirs === "object" && !Array.isArray(theirs)) {
    for (const [k, v] of Object.entries<any>(theirs)) {
      if (k === "properties" && Object.keys(v).length === 0) {
        expect(mine.required ?? [], `${where}: members of an open object must stay optional`).toEqual([]);
        continue;
      }
      if (k === "pattern" && mine?.pattern === `^${v}$`) continue;
      expect(mine, `${where} lacks ${k}`).toHaveProperty([k]);
      expectAgrees(mine[k], v, `${where}.${k}`);
    }
    if (theirs.properties) {
      expect(Object.keys(mine.properties).sort(), `${where}: same members`).toEqual(
        Object.keys(theirs.properties).length ? Object.keys(theirs.properties).sort() : Object.keys(mine.properties).sort(),
      );
    }
  } else {
    expect(mine, where).toEqual(theirs);
  }
}

const officialSchema = (name: string) => constraints(official, official.components.schemas[name]);
const ourSchema = (name: string) => constraints(ours, ours.components.schemas[name]);

/** The request body, parameters and 200 body of an operation, for comparing. */
function partsOf(doc: any, op: any) {
  const media = (node: any) => deref(doc, node)?.content?.["application/json"]?.schema;
  return {
    body: op.requestBody ? constraints(doc, media(op.requestBody)) : undefined,
    ok: constraints(doc, media(op.responses["200"])),
    params: new Map<string, any>((op.parameters ?? []).map((p: any) => deref(doc, p)).map((p: any) => [`${p.in} ${p.name}`, p])),
  };
}

describe("what the overlay takes from Propexo's published document", () => {
  const taken = () => operationsOf(ours).filter((o) => o.op["x-propexo-upstream"] === true);

  it("is every operation marked x-propexo-upstream, each of them in Propexo's document", () => {
    expect(taken().length).toBeGreaterThan(0);
    for (const { method, path } of taken()) expect(official.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    // The per-PMS operations are not in Propexo's document, and are not marked.
    for (const { method, path, op } of operationsOf(ours)) {
      if (op["x-propexo-upstream"] !== true) expect(official.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeUndefined();
    }
  });

  it("keeps every constraint of each request body, parameter and 200 body", () => {
    for (const { method, path, op } of taken()) {
      const where = `${method} ${path}`;
      const mine = partsOf(ours, op);
      const theirs = partsOf(official, official.paths[path][method.toLowerCase()]);
      expect(mine.body === undefined, `${where}: a body on one side only`).toBe(theirs.body === undefined);
      if (theirs.body !== undefined) expectAgrees(mine.body, theirs.body, `${where} body`);
      expectAgrees(mine.ok, theirs.ok, `${where} 200`);
      for (const [key, p] of theirs.params) {
        const m = mine.params.get(key);
        expect(m, `${where} lacks ${key}`).toBeDefined();
        expect(Boolean(m.required), `${where} ${key} required`).toBe(Boolean(p.required));
        expectAgrees(constraints(ours, m.schema), constraints(official, p.schema), `${where} ${key}`);
      }
    }
  });
});

describe("hand-curated shapes shared with Propexo's published document", () => {
  it("errorResponse, the body of every shared error response, agrees with Propexo's", () => {
    expectAgrees(ourSchema("errorResponse"), officialSchema("errorResponse"), "errorResponse");
  });

  it("the comparison fails on a changed limit, a dropped member, a changed type, a new required member or a loosened pattern", () => {
    const meta = ourSchema("ResponseMeta");
    const theirs = officialSchema("ResponseMeta");
    expect(() => expectAgrees({ ...meta, properties: { ...meta.properties, limit: { ...meta.properties.limit, maximum: 100 } } }, theirs, "m")).toThrow();
    const { total: _dropped, ...fewer } = meta.properties;
    expect(() => expectAgrees({ ...meta, properties: fewer }, theirs, "m")).toThrow();
    expect(() => expectAgrees({ ...meta, properties: { ...meta.properties, hasMore: { type: "boolean" } } }, theirs, "m")).toThrow();
    const event = ourSchema("Event");
    expect(() => expectAgrees({ ...event, required: event.required.slice(1) }, officialSchema("Event"), "e")).toThrow();
    const time = { type: "string", pattern: "(?:[01]\\d|2[0123]):(?:[012345]\\d):(?:[012345]\\d)" };
    expect(() => expectAgrees({ ...time, pattern: `^${time.pattern}$` }, time, "t")).not.toThrow();
    expect(() => expectAgrees({ ...time, pattern: "^.*$" }, time, "t")).toThrow();
    expect(() => expectAgrees({ ...time, pattern: `${time.pattern}$` }, time, "t")).toThrow();
  });

  it("the appointment field formats agree with the generic writes (time anchored)", () => {
    const generic = official.components.schemas["_v1_events_appointments_applicants_{event_id}_put_input"].properties;
    const s = ours.components.schemas;
    expect(constraints(ours, s.AppointmentDate)).toEqual(constraints(official, generic.appointment_date));
    expect(s.AppointmentTime.pattern).toBe(`^${generic.appointment_time.pattern}$`);
    expect(constraints(ours, s.AppointmentDurationMinutes)).toEqual(constraints(official, generic.appointment_duration_minutes));
    expect(constraints(ours, s.AppointmentTitle)).toEqual(constraints(official, generic.title));
  });
});

describe("descriptions", () => {
  it("are in our own words: none is copied from Propexo's document", () => {
    const theirs = new Set(descriptionTexts(official).map((t) => t.text));
    const copied = descriptionTexts(ours).filter((t) => theirs.has(t.text));
    expect(copied.map((t) => `${t.where}: ${t.text}`), "reword these in openapi/propexo.overlay.yaml").toEqual([]);
    // The check sees a copied text when there is one.
    const leaked = structuredClone(ours);
    leaked.paths["/v1/appointments/"].get.description = official.paths["/v1/appointments/"].get.description;
    expect(descriptionTexts(leaked).filter((t) => theirs.has(t.text)).length).toBe(1);
  });
});

describe("inferred knowledge", () => {
  const inferredSchemas = [
    "RentmanagerApplicantAppointmentCreateInput",
    "RentmanagerResidentAppointmentCreateInput",
    "RentmanagerApplicantAppointmentCreateOutput",
    "RentmanagerResidentAppointmentCreateOutput",
    "OrderByEntry",
  ];
  it.each(inferredSchemas)("%s is marked and says so", (name) => {
    const s = ours.components.schemas[name];
    expect(s["x-propexo-inferred"]).toBe(true);
    expect(s.description).toMatch(/infer/i);
  });

  it("the undocumented tails of the Rent Manager lead and resident updates are marked", () => {
    for (const name of ["RentmanagerLeadAppointmentUpdateInput", "RentmanagerResidentAppointmentUpdateInput"]) {
      const props = ours.components.schemas[name].properties;
      for (const field of ["appointment_duration_minutes", "title", "notes"]) {
        expect(props[field]["x-propexo-inferred"], `${name}.${field}`).toBe(true);
        expect(props[field].description, `${name}.${field}`).toMatch(/infer/i);
      }
      for (const field of ["appointment_date", "appointment_time"]) expect(props[field]["x-propexo-inferred"]).toBeUndefined();
    }
  });

  it("the required flags inside per-PMS results are marked where they are not documented", () => {
    for (const name of ["ResmanLeadAppointmentCreateOutput", "RentmanagerLeadAppointmentCreateOutput", "RentmanagerAppointmentUpdateOutput"]) {
      const result = ours.components.schemas[name].properties.result;
      expect(result["x-propexo-inferred"], name).toBe(true);
      expect(result.description, name).toMatch(/infer/i);
    }
  });

  it("the undocumented 401, 405 and 429 bodies and the ResMan event_id reading are marked", () => {
    for (const name of ["Unauthorized", "NotSupported", "TooManyRequests"]) {
      expect(ours.components.responses[name]["x-propexo-inferred"], name).toBe(true);
      expect(ours.components.responses[name].description, name).toMatch(/infer/i);
    }
    const param = ours.paths["/v1/events/appointments/leads/resman/{event_id}"].put.parameters[0];
    expect(param["x-propexo-inferred"]).toBe(true);
    expect(param.description).toMatch(/lead/);
  });

  // Propexo refuses unknown members, so a closed body claims to know every member, and a required
  // member claims Propexo refuses a body without it. Where a body or a member is inferred, either
  // claim could make the client refuse a request that Propexo accepts.
  it("leave every request body they infer open, requiring only what is documented", () => {
    const bodies = operationsOf(ours).flatMap(({ method, path, op }) => {
      const schema = deref(ours, deref(ours, op.requestBody)?.content?.["application/json"]?.schema);
      return schema?.properties ? [{ where: `${method} ${path}`, schema }] : [];
    });
    const inferredMember = (schema: any, name: string) => schema.properties[name]?.["x-propexo-inferred"] === true;
    const isInferred = (schema: any) =>
      schema["x-propexo-inferred"] === true || Object.keys(schema.properties).some((name) => inferredMember(schema, name));
    // What an inferred body may still require: the members that every documented body naming
    // them requires (in this spec, the integration every write goes to).
    const documented = bodies.filter((b) => !isInferred(b.schema)).map((b) => b.schema);
    const alwaysRequired = (name: string) => {
      const naming = documented.filter((s) => name in s.properties);
      return naming.length > 0 && naming.every((s) => (s.required ?? []).includes(name));
    };
    const inferred = bodies.filter((b) => isInferred(b.schema));
    expect(inferred.length).toBeGreaterThan(0);
    for (const { where, schema } of inferred) {
      expect(schema.additionalProperties, `${where}: an inferred body must stay open`).not.toBe(false);
      for (const name of schema.required ?? []) {
        expect(inferredMember(schema, name), `${where}: ${name} is inferred, so it cannot be required`).toBe(false);
        if (schema["x-propexo-inferred"] === true) expect(alwaysRequired(name), `${where}: ${name} is required but not documented as always required`).toBe(true);
      }
    }
  });

  it("every marked node explains itself in its description", () => {
    const visit = (node: any, where: string) => {
      if (!node || typeof node !== "object") return;
      if (node["x-propexo-inferred"] === true) expect(node.description ?? "", where).toMatch(/infer/i);
      for (const [k, v] of Object.entries(node)) visit(v, `${where}/${k}`);
    };
    visit(ours, "#");
  });
});

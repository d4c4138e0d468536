// The spec holds every operation the project promises, exactly as Propexo serves it.
import { beforeAll, describe, expect, it } from "vitest";
import { operations as table } from "../../generated/operations.js";
import { deref, loadBundled, loadSpec, operationsOf } from "../helpers/project.js";

// Method and path of every operation, trailing slashes included, as Propexo documents them.
const EXPECTED: [string, string][] = [
  ["GET", "/v1/appointments/"],
  ["GET", "/v1/events/{event_id}"],
  ["POST", "/v1/events/appointments/leads/resman/"],
  ["PUT", "/v1/events/appointments/leads/resman/{event_id}"],
  ["POST", "/v1/events/appointments/leads/cancel/resman"],
  ["POST", "/v1/events/appointments/applicants/rentmanager/"],
  ["POST", "/v1/events/appointments/leads/rentmanager/"],
  ["POST", "/v1/events/appointments/residents/rentmanager/"],
  ["PUT", "/v1/events/appointments/applicants/rentmanager/{event_id}"],
  ["PUT", "/v1/events/appointments/leads/rentmanager/{event_id}"],
  ["PUT", "/v1/events/appointments/residents/rentmanager/{event_id}"],
  ["POST", "/v1/events/appointments/applicants/cancel/rentmanager"],
  ["POST", "/v1/events/appointments/leads/cancel/rentmanager"],
  ["POST", "/v1/events/appointments/residents/cancel/rentmanager"],
  ["POST", "/v1/appointment-availability/rentmanager/"],
  ["GET", "/v1/admin/write-status/{root_job_id}"],
  ["POST", "/v1/admin/retry-write/{root_job_id}"],
];

const NOT_SUPPORTED = ["POST /v1/events/appointments/leads/cancel/resman", "POST /v1/appointment-availability/rentmanager/"];

let spec: any;
let bundled: any;
beforeAll(async () => {
  spec = await loadSpec();
  bundled = await loadBundled();
});

describe("operations", () => {
  it("are exactly the promised methods and paths", () => {
    const actual = operationsOf(spec).map((o) => `${o.method} ${o.path}`).sort();
    expect(actual).toEqual(EXPECTED.map(([m, p]) => `${m} ${p}`).sort());
  });

  it("each have a unique camelCase operationId, tags, summary, description and bearer security", () => {
    const ids = new Set<string>();
    for (const { method, path, op } of operationsOf(spec)) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(ids.has(op.operationId), `${where} reuses ${op.operationId}`).toBe(false);
      ids.add(op.operationId);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      expect(op.summary?.length, where).toBeGreaterThan(10);
      expect(op.description?.length, where).toBeGreaterThan(20);
      expect(op.security, where).toEqual([{ bearerAuth: [] }]);
    }
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("declare production and sandbox servers and the 2020-12 schema dialect", () => {
    expect(spec.servers.map((s: any) => s.url)).toEqual(["https://api.propexo.com", "https://api.sandbox.propexo.com"]);
    expect(spec.jsonSchemaDialect).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(spec.openapi).toBe("3.1.0");
  });

  it("answer 400 with the shared error body, and 401 and 429 with their documented shapes", () => {
    for (const { method, path, op } of operationsOf(bundled)) {
      const where = `${method} ${path}`;
      const schemaOf = (status: string) => deref(bundled, deref(bundled, op.responses[status])?.content?.["application/json"]?.schema);
      expect(schemaOf("400"), where).toBe(bundled.components.schemas.errorResponse);
      expect(schemaOf("401"), where).toBe(bundled.components.schemas.errorResponse);
      const tooMany = deref(bundled, op.responses["429"]);
      expect(Object.keys(tooMany.headers ?? {}).sort(), where).toEqual(["x-ratelimit-limit", "x-ratelimit-remaining"]);
      const has405 = "405" in op.responses;
      expect(has405, `${where}: 405 only on the not-supported operations`).toBe(NOT_SUPPORTED.includes(where));
    }
  });

  it("wrap every per-PMS write in { meta: { job_id }, result } and lists in { meta: ResponseMeta, results }", () => {
    for (const { method, path, op } of operationsOf(bundled)) {
      const ok = deref(bundled, deref(bundled, op.responses["200"]).content["application/json"].schema);
      if (op["x-propexo-vendor"] && op["x-propexo-supported"] !== false) {
        expect(ok.required, `${method} ${path}`).toEqual(["meta", "result"]);
        const meta = deref(bundled, ok.properties.meta);
        expect(meta.required).toEqual(["job_id"]);
        expect(meta.properties.job_id.type).toBe("string");
      }
    }
    const list = bundled.paths["/v1/appointments/"].get.responses["200"].content["application/json"].schema;
    const listSchema = deref(bundled, list);
    expect(listSchema.required).toEqual(["meta", "results"]);
    expect(deref(bundled, listSchema.properties.meta)).toBe(bundled.components.schemas.ResponseMeta);
    expect(deref(bundled, listSchema.properties.results.items)).toBe(bundled.components.schemas.Event);
  });

  it("mark exactly the two not-supported operations with x-propexo-supported: false", () => {
    const marked = operationsOf(spec)
      .filter((o) => o.op["x-propexo-supported"] === false)
      .map((o) => `${o.method} ${o.path}`);
    expect(marked.sort()).toEqual([...NOT_SUPPORTED].sort());
  });

  it("name their vendor and subject consistently with the path", () => {
    for (const { method, path, op } of operationsOf(spec)) {
      const vendor = op["x-propexo-vendor"];
      const mentioned = /\/(resman|rentmanager)(\/|$)/.exec(path)?.[1];
      expect(vendor, `${method} ${path}`).toBe(mentioned);
      if (vendor) {
        const subject = op["x-propexo-subject"];
        expect(path, `${method} ${path} has subject ${subject}`).toMatch(new RegExp(`[/-]${subject}/`));
        expect(op.summary, `${method} ${path}`).toMatch(vendor === "resman" ? /ResMan/ : /Rent Manager/);
      }
    }
  });

  it("list the documented query parameters, the four date filters included", () => {
    const op = bundled.paths["/v1/appointments/"].get;
    const names = op.parameters.map((p: any) => deref(bundled, p).name);
    expect(names).toEqual([
      "order-by", "offset", "limit", "x_id", "x_property_id", "x_type_id", "location_id", "property_id",
      "lead_id", "applicant_id", "resident_id", "integration_id", "integration_vendor",
      "updated_at_gte", "updated_at_lte", "last_seen_gte", "last_seen_lte",
    ]);
  });
});

describe("the generated operation table", () => {
  it("has one row per operation, agreeing with the spec", () => {
    const ops = operationsOf(bundled);
    expect(Object.keys(table).sort()).toEqual(ops.map((o) => o.op.operationId).sort());
    for (const { method, path, op } of ops) {
      const row = (table as Record<string, any>)[op.operationId];
      expect(row).toMatchObject({
        method,
        path,
        resource: op["x-propexo-resource"],
        vendor: op["x-propexo-vendor"] ?? null,
        subject: op["x-propexo-subject"] ?? null,
        verb: op["x-propexo-verb"],
        supported: op["x-propexo-supported"] !== false,
      });
    }
  });

  it("places every operation at a distinct spot in the client tree", () => {
    const spots = Object.values(table).map((r: any) => [r.resource, r.vendor, r.subject, r.verb].filter(Boolean).join("."));
    expect(new Set(spots).size).toBe(spots.length);
    expect(spots).toContain("appointments.rentmanager.leads.cancel");
    expect(spots).toContain("appointments.list");
    expect(spots).toContain("writes.status");
  });
});

// The spec holds every operation the project promises, exactly as Propexo serves it.
import { beforeAll, describe, expect, it } from "vitest";
import { operations as table, pmsTimeZones } from "../../generated/operations.js";
import { deref, loadBundled, loadSpec, operationsOf, promisedOperations } from "../helpers/project.js";

// What the package promises (method, path, operationId, supported), kept as data in one place.
const PROMISED = promisedOperations();
const HOW_TO_UPDATE =
  "If this is intended, update test/spec/promised-operations.json in the same change and record it in CHANGELOG.md (removing or renaming an operation is a breaking change).";

let spec: any;
let bundled: any;
beforeAll(async () => {
  spec = await loadSpec();
  bundled = await loadBundled();
});

describe("operations", () => {
  it("include every promised operation, under its promised operationId and support", () => {
    const inSpec = new Map(operationsOf(spec).map((o) => [`${o.method} ${o.path}`, o.op]));
    for (const promised of PROMISED) {
      const where = `${promised.method} ${promised.path}`;
      const op = inSpec.get(where);
      expect(op, `${where} is promised but missing from the spec (openapi/propexo.overlay.yaml takes it from Propexo's document, or openapi/propexo.yaml holds it). ${HOW_TO_UPDATE}`).toBeDefined();
      expect(op.operationId, `${where}: its operationId names the client method. ${HOW_TO_UPDATE}`).toBe(promised.operationId);
      expect(op["x-propexo-supported"] !== false, `${where}: promised supported=${promised.supported}. ${HOW_TO_UPDATE}`).toBe(promised.supported);
    }
  });

  it("each have a unique camelCase operationId, tags, summary, description and bearer security", () => {
    const ids = new Set<string>();
    // The bundle, where an operation without an operationId has the one the placement rule gives it.
    for (const { method, path, op } of operationsOf(bundled)) {
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
      expect(has405, `${where}: 405 exactly on the operations marked x-propexo-supported: false`).toBe(op["x-propexo-supported"] === false);
    }
  });

  it("answer every supported per-PMS operation with a write job, its job_id a required string", () => {
    for (const { method, path, op } of operationsOf(bundled)) {
      if (!op["x-propexo-vendor"] || op["x-propexo-supported"] === false) continue;
      const where = `${method} ${path}`;
      const ok = deref(bundled, deref(bundled, op.responses["200"]).content["application/json"].schema);
      const row = (table as Record<string, any>)[op.operationId];
      expect(row.returns, where).toBe("job");
      // Propexo's two write envelopes: { meta: { job_id }, result } and { job_id, ... } at the top.
      const holder = row.envelope === "meta" ? deref(bundled, ok.properties.meta) : ok;
      if (row.envelope === "meta") expect(ok.required, where).toEqual(expect.arrayContaining(["meta", "result"]));
      expect(holder.required, where).toContain("job_id");
      expect(deref(bundled, holder.properties.job_id).type, where).toBe("string");
    }
    const list = bundled.paths["/v1/appointments/"].get.responses["200"].content["application/json"].schema;
    const listSchema = deref(bundled, list);
    expect(listSchema.required).toEqual(["meta", "results"]);
    expect(deref(bundled, listSchema.properties.meta)).toBe(bundled.components.schemas.ResponseMeta);
    expect(deref(bundled, listSchema.properties.results.items)).toBe(bundled.components.schemas.Event);
  });

  it("name their PMS consistently in x-propexo-vendor, the path, the tags and the summary", () => {
    // The PMSs are the tags that carry x-propexo-pms (the PMS's display name); nothing here lists them.
    const pms = new Map<string, string>(spec.tags.filter((t: any) => typeof t["x-propexo-pms"] === "string").map((t: any) => [t.name, t["x-propexo-pms"]]));
    expect(pms.size).toBeGreaterThan(0);
    for (const { method, path, op } of operationsOf(spec)) {
      const where = `${method} ${path}`;
      const vendor = op["x-propexo-vendor"];
      const named = path.split("/").filter((s) => pms.has(s));
      expect(vendor === undefined ? [] : [vendor], `${where}: the PMS its path names`).toEqual(named);
      if (vendor === undefined) continue;
      expect(op.tags, where).toContain(vendor);
      expect(op.summary, where).toContain(pms.get(vendor));
      const subject = op["x-propexo-subject"];
      expect(path, `${where} has subject ${subject}`).toMatch(new RegExp(`[/-]${subject}/`));
    }
  });

  it("state for every PMS the time zone it reads appointment times in, as the generated table has it", () => {
    const pmsTags = spec.tags.filter((t: any) => typeof t["x-propexo-pms"] === "string");
    expect(Object.keys(pmsTimeZones).sort()).toEqual(pmsTags.map((t: any) => t.name).sort());
    for (const tag of pmsTags) {
      const zone = tag["x-propexo-time-zone"];
      expect((pmsTimeZones as Record<string, string>)[tag.name], tag.name).toBe(zone);
      if (zone !== "property") expect(() => new Intl.DateTimeFormat("en-US", { timeZone: zone }), tag.name).not.toThrow();
      // The rule is explained to readers too, not only carried in the extension.
      expect(tag.description, tag.name).toContain(zone === "property" ? "property" : zone);
    }
    for (const { op } of operationsOf(spec)) {
      if (op["x-propexo-vendor"]) expect(Object.keys(pmsTimeZones)).toContain(op["x-propexo-vendor"]);
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
  it("has one row per operation, agreeing with the spec and its placement extensions", () => {
    const ops = operationsOf(bundled);
    const rows = Object.values(table) as any[];
    expect(rows.length).toBe(ops.length);
    for (const { method, path, op } of ops) {
      const row = rows.find((r) => r.method === method && r.path === path);
      expect(row, `${method} ${path}`).toBeDefined();
      if (op.operationId) expect(row.operationId).toBe(op.operationId);
      expect(row.supported).toBe(op["x-propexo-supported"] !== false);
      const ext = ["x-propexo-resource", "x-propexo-vendor", "x-propexo-subject", "x-propexo-verb"].map((k) => op[k]);
      if (ext.some((v) => v !== undefined)) {
        // Each extension present overrides its part of the placement.
        if (ext[0]) expect(row.placement[0]).toBe(ext[0]);
        if (ext[3]) expect(row.placement.at(-1)).toBe(ext[3]);
        expect(row.placement.slice(1, -1)).toEqual(ext.slice(1, 3).filter((v) => v !== undefined));
      }
      expect(row.pathParams).toEqual([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    }
  });

  it("places every operation at a distinct spot in the client tree", () => {
    const spots = Object.values(table).map((r: any) => r.placement.join("."));
    expect(new Set(spots).size).toBe(spots.length);
    for (const promised of PROMISED) expect(spots).toContain((table as Record<string, any>)[promised.operationId].placement.join("."));
  });
});

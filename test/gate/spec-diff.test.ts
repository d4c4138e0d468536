// The rule table of scripts/spec-diff.mjs, one fixture pair per rule: each change is found, at the
// right place, with the right classification, and nothing else is reported alongside it.
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { diffSpecs, groupFindings, RULES, type Finding } from "../../scripts/lib/spec-diff/diff.mjs";
import { changelogEntry, formatText, writeChangelog } from "../../scripts/lib/spec-diff/report.mjs";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const load = async (dir: string, side: "old" | "new") => JSON.parse(await readFile(join(FIXTURES, dir, `${side}.json`), "utf8")) as unknown;
const diffFixture = async (dir: string) => diffSpecs(await load(dir, "old"), await load(dir, "new"));

/** One line per change: "B" (breaking) or "-", the rule, where (component, or every location), what. */
const lines = (findings: Finding[]) =>
  groupFindings(findings)
    .map((g) => `${g.breaking ? "B" : "-"} ${g.rule} ${g.origin ?? g.locations.join(" | ")}: ${g.message}`)
    .sort();

// Every fixture's new.json is its old.json with the changes listed here, and only those.
const EXPECTED: Record<string, string[]> = {
  "path-removed": ["B path-removed /pets/{pet_id}: path removed, with GET, DELETE"],
  "operation-removed": ["B operation-removed DELETE /pets/{pet_id}: operation deletePet removed"],
  "operation-added": ["- operation-added PUT /pets/{pet_id}: operation replacePet added"],
  "parameter-removed": [
    'B parameter-removed GET /pets #/parameters/query/limit: query parameter "limit" removed (renamed to "page_size"?)',
    '- parameter-added GET /pets #/parameters/query/page_size: optional query parameter "page_size" added',
  ],
  "parameter-added": [
    'B parameter-added GET /pets #/parameters/query/owner: required query parameter "owner" added',
    '- parameter-added GET /pets/{pet_id} #/parameters/header/x-trace: optional header parameter "X-Trace" added',
  ],
  "parameter-required": [
    'B parameter-required GET /pets #/parameters/query/limit: query parameter "limit" made required',
    '- parameter-required POST /pets #/parameters/header/idempotency-key: header parameter "Idempotency-Key" made optional',
  ],
  "request-body-changed": [
    "B request-body-changed DELETE /pets/{pet_id} #/requestBody: required request body added",
    "- request-body-changed POST /pets #/requestBody: request body made optional",
  ],
  "media-type-changed": [
    "B media-type-changed GET /pets/{pet_id} #/responses/200/content/application~1json: 200 response media type application/json removed",
    "- media-type-changed GET /pets/{pet_id} #/responses/200/content/application~1xml: 200 response media type application/xml added",
    "- media-type-changed POST /pets #/requestBody/content/application~1x-www-form-urlencoded: request media type application/x-www-form-urlencoded added",
  ],
  "request-property-removed": ['B request-property-removed #/components/schemas/NewPet/properties/tag: request property "tag" removed'],
  "request-property-added": [
    'B request-property-added #/components/schemas/NewPet/properties/species: required request property "species" added',
    '- request-property-added #/components/schemas/NewPet/properties/color: optional request property "color" added',
  ],
  "request-property-required": [
    'B request-property-required #/components/schemas/NewPet/properties/status: request property "status" made required',
    '- request-property-required #/components/schemas/NewPet/properties/name: request property "name" made optional',
  ],
  "response-property-removed": ['B response-property-removed #/components/schemas/Pet/properties/born: response property "born" removed'],
  "response-property-added": [
    '- response-property-added #/components/schemas/Pet/properties/nickname: response property "nickname" added',
    '- response-property-added #/components/schemas/Pet/properties/owner_id: response property "owner_id" added',
  ],
  "response-property-required": [
    'B response-property-required #/components/schemas/Pet/properties/name: response property "name" made optional',
    '- response-property-required #/components/schemas/Pet/properties/tag: response property "tag" made required',
  ],
  "type-changed": [
    "B type-changed GET /pets #/parameters/query/limit/schema: type narrowed integer | null → integer (in a request)",
    "B type-changed #/components/schemas/Pet/properties/born: type changed string → integer (in a response)",
    "B type-changed #/components/schemas/Pet/properties/id: type widened string → integer | string (in a response)",
    "B type-changed #/components/schemas/NewPet/properties/birthday: anyOf member string, format date-time removed (in a request)",
    "- type-changed #/components/schemas/Pet/properties/tag: type narrowed null | string → string (in a response)",
    "- type-changed #/components/schemas/NewPet/properties/age: type widened integer → integer | null (in a request)",
    '- constraint-changed #/components/schemas/Pet/properties/born: loosened: format "date" removed (in a response)',
  ],
  "enum-changed": [
    'B enum-changed #/components/schemas/PetStatus: enum value "pending" removed (in a request)',
    'B enum-changed #/components/schemas/PetStatus: enum value "adopted" added (in a response)',
    '- enum-changed #/components/schemas/PetStatus: enum value "adopted" added (in a request)',
    '- enum-changed #/components/schemas/PetStatus: enum value "pending" removed (in a response)',
  ],
  "constraint-changed": [
    "B constraint-changed #/components/schemas/NewPet/properties/age: tightened: minimum raised 0 → 1 (in a request)",
    "B constraint-changed #/components/schemas/NewPet/properties/name: tightened: maxLength lowered 50 → 40 (in a request)",
    'B constraint-changed #/components/schemas/NewPet/properties/tag: tightened: pattern changed "^[a-z]+$" → "^[a-z0-9]+$" (in a request)',
    "B constraint-changed #/components/schemas/NewPet/properties/weight: tightened: exclusiveMinimum raised 0 → 0.5 (in a request)",
    "- constraint-changed GET /pets #/parameters/query/limit/schema: loosened: maximum raised 100 → 200 (in a request)",
    "- constraint-changed #/components/schemas/Pet/properties/name: tightened: maxLength lowered 50 → 40 (in a response)",
    "- constraint-changed #/components/schemas/NewPet/properties/name: loosened: minLength 1 removed (in a request)",
  ],
  "status-code-removed": ["B status-code-removed GET /pets #/responses/400: 400 response removed"],
  "status-code-added": [
    "B status-code-added POST /pets #/responses/200: success response 200 added",
    "- status-code-added GET /pets/{pet_id} #/responses/404: error response 404 added",
  ],
  "response-header-changed": [
    "B response-header-changed GET /pets/{pet_id} #/responses/200/headers/etag: required header etag removed from the 200 response",
    "- response-header-changed GET /pets/{pet_id} #/responses/200/headers/x-rate-limit: optional header x-rate-limit removed from the 200 response",
    "- response-header-changed GET /pets/{pet_id} #/responses/200/headers/x-request-id: header x-request-id added to the 200 response",
  ],
  "security-changed": [
    "B security-changed #/components/securitySchemes/bearerAuth: security scheme bearerAuth changed",
    "B security-changed POST /pets #/security: security alternative bearerAuth removed",
    "- security-changed GET /pets #/security | POST /pets #/security: security alternative apiKey added",
  ],
  "default-changed": ["- default-changed GET /pets #/parameters/query/limit/schema: default changed 20 → 50 (in a request)"],
  deprecated: ["- deprecated GET /pets/{pet_id}: operation deprecated"],
  "description-changed": [
    "- description-changed #/components/schemas/Pet/description: description changed",
    "- description-changed GET /pets #/summary: summary changed",
  ],
};

describe("the rule table", () => {
  it("has unique kebab-case ids, a description each, and a fixture pair and expectation per rule", async () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(rule.description.length).toBeGreaterThan(20);
    }
    const dirs = (await readdir(FIXTURES)).filter((d) => d !== "additive");
    expect(dirs.sort()).toEqual([...ids].sort());
    expect(Object.keys(EXPECTED).sort()).toEqual([...ids].sort());
  });

  it.each(RULES.map((r) => r.id))("%s: its fixture gives exactly the expected findings", async (id) => {
    const found = await diffFixture(id);
    expect(lines(found)).toEqual([...EXPECTED[id]!].sort());
    expect(found.some((f) => f.rule === id)).toBe(true);
  });

  it("lists breaking findings first", async () => {
    const found = await diffFixture("enum-changed");
    const firstSafe = found.findIndex((f) => !f.breaking);
    expect(firstSafe).toBeGreaterThan(0);
    expect(found.slice(firstSafe).every((f) => !f.breaking)).toBe(true);
  });
});

describe("non-breaking and no changes", () => {
  it("an additive change (optional request field, new operation, new response field) is non-breaking only", async () => {
    const found = await diffFixture("additive");
    expect(found.filter((f) => f.breaking)).toEqual([]);
    expect(lines(found)).toEqual([
      '- operation-added PUT /pets/{pet_id}: operation replacePet added',
      '- request-property-added #/components/schemas/NewPet/properties/color: optional request property "color" added',
      '- response-property-added #/components/schemas/Pet/properties/color: response property "color" added',
    ]);
  });

  it("identical specs give no changes: every fixture, and the project's own bundled spec", async () => {
    for (const dir of await readdir(FIXTURES)) {
      for (const side of ["old", "new"] as const) expect(diffSpecs(await load(dir, side), await load(dir, side))).toEqual([]);
    }
    const own = JSON.parse(await readFile(join(ROOT, "generated", "openapi.json"), "utf8")) as unknown;
    expect(diffSpecs(own, structuredClone(own))).toEqual([]);
  });
});

// The project's real spec, changed in place: shared components, $refs and refactors that must not
// read as changes.
describe("on the project's spec", () => {
  type Doc = { components: { schemas: Record<string, Record<string, unknown>> } } & Record<string, unknown>;
  const own = async () => JSON.parse(await readFile(join(ROOT, "generated", "openapi.json"), "utf8")) as Doc;

  it("reports a change to a shared schema once per direction, at the component, with every place it is used", async () => {
    const old = await own();
    const next = structuredClone(old);
    next.components.schemas.AppointmentTitle!.maxLength = 40;
    const groups = groupFindings(diffSpecs(old, next));
    const request = groups.find((g) => g.breaking);
    expect(request).toMatchObject({ rule: "constraint-changed", origin: "#/components/schemas/AppointmentTitle" });
    expect(request!.message).toBe("tightened: maxLength lowered 50 → 40 (in a request)");
    expect(request!.locations.length).toBeGreaterThan(1);
    expect(request!.locations.every((l) => l.includes("#/requestBody/"))).toBe(true);
    expect(groups.filter((g) => g.breaking)).toHaveLength(1);
  });

  it("reads refactors as no change: key order, nullable as a type list or an anyOf, properties moved into allOf", async () => {
    const old = await own();
    const next = structuredClone(old);
    const schemas = next.components.schemas;
    const event = schemas.Event! as { properties: Record<string, { type?: unknown; description?: string }> };
    const lastSeen = event.properties.last_seen!;
    expect(lastSeen.type).toEqual(["string", "null"]);
    event.properties.last_seen = { description: lastSeen.description, anyOf: [{ type: "string" }, { type: "null" }] } as never;
    const meta = schemas.WriteJobMeta!;
    schemas.JobIdentity = { type: "object", required: meta.required, properties: meta.properties };
    schemas.WriteJobMeta = { description: meta.description, allOf: [{ $ref: "#/components/schemas/JobIdentity" }, { type: "object" }] };
    const reversed = Object.fromEntries(Object.entries(next).reverse());
    expect(diffSpecs(old, reversed)).toEqual([]);
  });

  it("follows a schema that became nullable through anyOf and still sees changes inside it", async () => {
    const old = await own();
    const next = structuredClone(old);
    const title = { ...old.components.schemas.AppointmentTitle!, maxLength: 40 };
    next.components.schemas.AppointmentTitle = { anyOf: [title, { type: "null" }] };
    const found = lines(diffSpecs(old, next));
    expect(found).toContain("- type-changed #/components/schemas/AppointmentTitle: anyOf member null added (in a request)");
    expect(found).toContain("B type-changed #/components/schemas/AppointmentTitle: anyOf member null added (in a response)");
    expect(found).toContain("B constraint-changed #/components/schemas/AppointmentTitle/anyOf/0: tightened: maxLength lowered 50 → 40 (in a request)");
  });
});

describe("reports", () => {
  it("the text report groups Breaking and Non-breaking, with locations", async () => {
    const text = formatText({ header: "spec-diff: test", findings: await diffFixture("enum-changed") });
    expect(text).toMatch(/^spec-diff: test\n\nBreaking \(2\)\n {2}✗ enum-changed: enum value "pending" removed \(in a request\)\n/);
    expect(text).toContain("Non-breaking (2)\n");
    expect(text).toContain("at #/components/schemas/PetStatus, reached from 2 places:");
    expect(formatText({ findings: [] })).toContain("No changes to the API description.");
  });

  it("a changelog entry is prepended, replaces its own earlier entry for the version, and never a hand-written one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spec-diff-changelog-"));
    try {
      const file = join(dir, "CHANGELOG.md");
      await writeFile(file, "# Changelog\n\nIntro.\n\n## 0.1.0 — Unreleased\n\nHand-written.\n");
      const findings = await diffFixture("request-property-added");
      const entry = changelogEntry({ version: "1.0.0", date: "2025-01-02", base: "v0.1.0", findings });
      expect(entry).toContain("## 1.0.0 — 2025-01-02");
      // NewPet is used once, so the entry names the operation rather than the component.
      expect(entry).toContain(
        '### Breaking\n\n- `POST /pets #/requestBody/content/application~1json/schema/properties/species`: required request property "species" added',
      );
      expect(entry).toContain("### Added\n");
      expect(entry).not.toContain("### Changed");

      await writeChangelog(file, entry, "1.0.0");
      await writeChangelog(file, changelogEntry({ version: "1.0.0", date: "2025-01-03", base: "v0.1.0", findings: [] }), "1.0.0");
      const text = await readFile(file, "utf8");
      expect(text).toMatch(/^# Changelog\n\nIntro\.\n\n## 1\.0\.0 — 2025-01-03\n[\s\S]*No changes to the API\.\n\n## 0\.1\.0 — Unreleased\n\nHand-written\.\n$/);
      expect(text.match(/## 1\.0\.0/g)).toHaveLength(1);
      await expect(writeChangelog(file, entry, "0.1.0")).rejects.toThrow(/hand-written entry for 0\.1\.0/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

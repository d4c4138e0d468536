// The rule table of scripts/spec-diff.mjs, one fixture pair per rule: each change is found, at the
// right place, with the right classification, and nothing else is reported alongside it.
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { diffSpecs, groupFindings, RULES, type Finding } from "../../scripts/lib/spec-diff/diff.mjs";
import { clientTable, placement } from "../../scripts/lib/spec-diff/client.mjs";
import { comparePatterns } from "../../scripts/lib/spec-diff/patterns.mjs";
import { changelogEntry, formatText, writeChangelog } from "../../scripts/lib/spec-diff/report.mjs";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const load = async (dir: string, side: "old" | "new") => JSON.parse(await readFile(join(FIXTURES, dir, `${side}.json`), "utf8")) as unknown;
const diffFixture = async (dir: string) => diffSpecs(await load(dir, "old"), await load(dir, "new"));

const MARK = { breaking: "B", behaviour: "!", "non-breaking": "-" } as const;
/** One line per change: "B" (breaking), "!" (behaviour) or "-", the rule, where (component, or every location), what. */
const lines = (findings: Finding[]) =>
  groupFindings(findings)
    .map((g) => `${MARK[g.severity]} ${g.rule} ${g.origin ?? g.locations.join(" | ")}: ${g.message}`)
    .sort();

// Every fixture's new.json is its old.json with the changes listed here, and only those. A
// fixture named after a rule shows that rule; the others (SCENARIOS) are pairs of real-world
// kinds of change that cross rules.
const EXPECTED: Record<string, string[]> = {
  "path-removed": ["B path-removed /pets/{pet_id}: path removed, with GET, DELETE"],
  "operation-removed": ["B operation-removed DELETE /pets/{pet_id}: operation deletePet removed"],
  "operation-added": ["- operation-added PUT /pets/{pet_id}: operation replacePet added"],
  // Matched by operationId, so what changed inside is still seen.
  "operation-moved": [
    // Without placement marks the client places by tag, method and path: both methods move.
    "B client-method-changed GET /animals/{animal_id}: client method moved: pets.retrieve → animals.retrieve",
    "B client-method-changed PUT /pets: client method moved: pets.create → pets.update",
    "B operation-moved GET /animals/{animal_id}: operation getPet moved from GET /pets/{pet_id}",
    '- parameter-removed GET /animals/{animal_id} #/parameters/path/animal_id: path parameter "pet_id" renamed to "animal_id" (same place in the path)',
    "B operation-moved PUT /pets: operation createPet moved from POST /pets",
    '- parameter-required PUT /pets #/parameters/header/idempotency-key: header parameter "Idempotency-Key" made optional',
  ],
  // A webhook's payload is read by the user, so it is judged as a response.
  "webhook-changed": [
    "B webhook-changed WEBHOOK petLost (POST): webhook petLost removed",
    "- webhook-changed WEBHOOK petFound (POST): webhook petFound added",
    'B response-property-removed #/components/schemas/Adoption/properties/adopter: response property "adopter" removed',
    'B enum-changed #/components/schemas/Adoption/properties/channel: enum value "phone" added (in a response)',
  ],
  // The generated types export every component by name, so a rename is a removal for users.
  "component-changed": [
    "B component-changed #/components/schemas/Error: schemas component Error removed (renamed to ApiError?)",
    "- component-changed #/components/schemas/ApiError: schemas component ApiError added",
    "B component-changed #/components/responses/BadRequest: responses component BadRequest removed",
  ],
  "operation-id-changed": [
    "B operation-id-changed GET /pets/{pet_id}: operationId renamed getPet → fetchPet",
    "B operation-id-changed DELETE /pets/{pet_id}: operationId deletePet dropped",
    "- operation-id-changed POST /pets: operationId createPet given",
  ],
  // Widgets placed in a client by x-propexo-* marks, as the generator reads them.
  "client-method-changed": [
    "B client-method-changed GET /widgets: client method moved: widgets.list → widgets.search",
    // An optional body is still a positional argument: it takes the place the options had.
    "B client-method-changed GET /widgets/{widget_id}: client method widgets.retrieve takes (path parameter, body, options) instead of (path parameter, options)",
    "- request-body-changed GET /widgets/{widget_id} #/requestBody: optional request body added",
    "B client-method-changed POST /widgets: client method widgets.create returns a body instead of a job",
    'B response-property-removed #/components/schemas/Widget/properties/job_id: response property "job_id" removed',
    '- response-property-added #/components/schemas/Widget/properties/id: response property "id" added',
    '- response-property-added #/components/schemas/Widget/properties/name: response property "name" added',
    "B client-method-changed POST /widgets/{widget_id}/archive: client method widgets.archive marked unsupported: calls now fail before anything is sent",
  ],
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
    "B client-method-changed DELETE /pets/{pet_id}: client method pets.delete takes (path parameter, body, options) instead of (path parameter, options)",
    "B request-body-changed DELETE /pets/{pet_id} #/requestBody: required request body added",
    "- request-body-changed POST /pets #/requestBody: request body made optional",
  ],
  "response-body-changed": [
    "B response-body-changed GET /pets/{pet_id} #/responses/200/content: 200 response body removed (was application/json)",
    "B response-body-changed POST /pets #/responses/201/content/application~1json/schema: 201 response schema removed from application/json",
    "- response-body-changed DELETE /pets/{pet_id} #/responses/204/content: 204 response body added (text/plain)",
    "- response-body-changed GET /pets #/responses/200/content/text~1csv/schema: 200 response schema added to text/csv",
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
  // Animal is read and written; Dog's value is renamed and Bird, reached by its component name,
  // is renamed Parrot. Shape is read only, Owner written only.
  "discriminator-changed": [
    'B discriminator-changed #/components/schemas/Animal: discriminator values "dog", "Bird" removed (in a request)',
    '- discriminator-changed #/components/schemas/Animal: discriminator values "hound", "Parrot" added (in a request)',
    '- discriminator-changed #/components/schemas/Animal: discriminator values "dog", "Bird" removed (in a response)',
    'B discriminator-changed #/components/schemas/Animal: discriminator values "hound", "Parrot" added (in a response)',
    'B discriminator-changed #/components/schemas/Shape: discriminator property "pet_type" → "kind" (in a response)',
    'B discriminator-changed #/components/schemas/Owner: discriminator "pet_type" added (in a request)',
    "B component-changed #/components/schemas/Bird: schemas component Bird removed (renamed to Parrot?)",
    "- component-changed #/components/schemas/Parrot: schemas component Parrot added",
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
    // Every string of lowercase letters is still accepted (patterns.mjs proves it).
    '- constraint-changed #/components/schemas/NewPet/properties/tag: loosened: pattern changed "^[a-z]+$" → "^[a-z0-9]+$", admitting everything it did and more (in a request)',
    "B constraint-changed #/components/schemas/NewPet/properties/weight: tightened: exclusiveMinimum raised 0 → 0.5 (in a request)",
    "- constraint-changed GET /pets #/parameters/query/limit/schema: loosened: maximum raised 100 → 200 (in a request)",
    "- constraint-changed #/components/schemas/Pet/properties/name: tightened: maxLength lowered 50 → 40 (in a response)",
    "- constraint-changed #/components/schemas/NewPet/properties/name: loosened: minLength 1 removed (in a request)",
  ],
  // The client raises errors by the status the server sends, so an error code the spec no longer
  // lists breaks no one; a success code, whose body the client reads, does.
  "status-code-removed": [
    "- status-code-removed GET /pets #/responses/400: error response 400 removed",
    "B status-code-removed DELETE /pets/{pet_id} #/responses/204: success response 204 removed",
    "B status-code-added DELETE /pets/{pet_id} #/responses/200: success response 200 added",
  ],
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
  "default-changed": [
    "! default-changed GET /pets #/parameters/query/limit/schema: default changed 20 → 50 (in a request: leaving it out now means something else)",
  ],
  deprecated: ["- deprecated GET /pets/{pet_id}: operation deprecated"],
  "description-changed": [
    "- description-changed #/components/schemas/Pet/description: description changed",
    "- description-changed GET /pets #/summary: summary changed",
  ],

  // --- Scenarios ---
  // Owner is written and read; readOnly properties are not sent, writeOnly ones not returned.
  "read-write-only": [
    'B request-property-removed #/components/schemas/Owner/properties/email: required request property "email" made readOnly: no longer in requests',
    'B request-property-added #/components/schemas/Owner/properties/id: request property "id" no longer readOnly: now required in requests',
    'B response-property-removed #/components/schemas/Owner/properties/name: required response property "name" made writeOnly: no longer in responses',
    // Optional: old code already copes with it missing, and its type is unchanged.
    '- response-property-removed #/components/schemas/Owner/properties/nickname: response property "nickname" made writeOnly: no longer in responses',
    '- response-property-added #/components/schemas/Owner/properties/secret: response property "secret" no longer writeOnly: now in responses',
    // code is readOnly: tightening it breaks no request, and in responses it is informational.
    "- constraint-changed #/components/schemas/Owner/properties/code: tightened: maxLength 2 added (in a response)",
    '- constraint-changed #/components/schemas/Owner/properties/code: tightened: pattern changed "^[A-Z]{3}$" → "^[A-Z]{2}$", no longer admitting some values it did (in a response)',
  ],
  "pattern-changed": [
    '- constraint-changed #/components/schemas/NewPet/properties/tag: loosened: pattern changed "^[a-z]+$" → "^[a-z0-9]+$", admitting everything it did and more (in a request)',
    '- constraint-changed #/components/schemas/NewPet/properties/code: loosened: pattern changed "^[A-Z]{2}$" → "^[A-Za-z]{2,3}$", admitting everything it did and more (in a request)',
    '- constraint-changed #/components/schemas/NewPet/properties/color: loosened: pattern changed "^(red|green)$" → "^(red|green|blue)$", admitting everything it did and more (in a request)',
    '- constraint-changed #/components/schemas/NewPet/properties/zip: loosened: pattern changed "^\\\\d{5}$" → "^\\\\d{5}(-\\\\d{4})?$", admitting everything it did and more (in a request)',
    '- constraint-changed #/components/schemas/NewPet/properties/word: loosened: pattern changed "^[a-z]+$" → "[a-z]", admitting everything it did and more (in a request)',
    '- constraint-changed #/components/schemas/NewPet/properties/slug: loosened: pattern "^[a-z]+(-[a-z]+)*$" removed (in a request)',
    '- constraint-changed #/components/schemas/NewPet/properties/lang: rewritten: pattern changed "^(en|fr)$" → "^(fr|en)$", admitting exactly the same strings (in a request)',
    'B constraint-changed #/components/schemas/NewPet/properties/sku: tightened: pattern changed "^[A-Z0-9]+$" → "^[A-Z]+$" (in a request)',
    // A lookbehind is beyond the automata: no proof of loosening, so a narrowing.
    'B constraint-changed #/components/schemas/NewPet/properties/ref: tightened: pattern changed "(?<=#)\\\\d+" → "(?<=#)\\\\d{1,5}" (cannot prove it admits every value it did) (in a request)',
  ],
  "security-scopes": [
    "- security-changed GET /pets #/security: security alternative oauth[read,write] relaxed to oauth[read]",
    "- security-changed DELETE /pets/{pet_id} #/security: security alternative apiKey + oauth[write] relaxed to apiKey",
    "B security-changed POST /pets #/security: security alternative oauth[write] removed",
    "- security-changed POST /pets #/security: security alternative oauth[admin,write] added",
    "- security-changed #/components/securitySchemes/oauth: security scheme oauth: offered scopes changed (documentation only; clients send the same)",
    "- security-changed #/components/securitySchemes/bearerAuth: security scheme bearerAuth: bearerFormat changed (documentation only; clients send the same)",
  ],
  "request-body-schema": [
    "B request-body-changed POST /pets #/requestBody/content/text~1plain/schema: request body schema added to text/plain",
    "- request-body-changed POST /pets #/requestBody/content/application~1octet-stream/schema: request body schema removed from application/octet-stream: any body is accepted",
    "- request-body-changed POST /pets #/requestBody/content/application~1x-ndjson/schema: request body schema added to application/x-ndjson (admitting anything)",
  ],
  // Behaviour changes only where a caller may leave the value out of a request.
  defaults: [
    "! default-changed GET /pets #/parameters/query/limit/schema: default changed 20 → 50 (in a request: leaving it out now means something else)",
    "! default-changed #/components/schemas/NewPet/properties/age: default changed 1 → none (in a request: leaving it out now means something else)",
    '! default-changed #/components/schemas/NewPet/properties/status: default changed "available" → "pending" (in a request: leaving it out now means something else)',
    '- default-changed POST /pets #/parameters/header/idempotency-key/schema: default changed "none" → "auto" (in a request)',
    '- default-changed #/components/schemas/NewPet/properties/name: default changed "Rex" → "Max" (in a request)',
    "- default-changed #/components/schemas/NewPet/properties/weight: default changed none → 1.5 (in a request)",
    '- default-changed #/components/schemas/Pet/properties/name: default changed "Rex" → "Max" (in a response)',
  ],
  // Required and enum lists reordered, an inline schema moved to a component, union members
  // reordered, a nullable type list written as anyOf, the path parameter moved to the operations
  // and renamed, a header's case, an Authorization parameter (OpenAPI ignores it), an auth
  // scheme's case, a pattern rewritten: nothing a client sees.
  refactors: [
    '- parameter-removed DELETE /pets/{id} #/parameters/path/id | GET /pets/{id} #/parameters/path/id: path parameter "pet_id" renamed to "id" (same place in the path)',
    '- constraint-changed #/components/schemas/NewPet/properties/tag: rewritten: pattern changed "^[a-z]+$" → "^[a-z]{1,}$", admitting exactly the same strings (in a request)',
    // A new exported type, which nobody's code can miss.
    "- component-changed #/components/schemas/PetName: schemas component PetName added",
  ],
  // An absent items or additionalProperties admits anything.
  "open-schemas": [
    "B type-changed #/components/schemas/Pet/properties/extra/additionalProperties: type widened string → any (in a response)",
    "B type-changed #/components/schemas/NewPet/properties/tags/items: type narrowed any → string (in a request)",
  ],
  unions: [
    "B type-changed #/components/schemas/NewPet/properties/birthday: anyOf → oneOf: a value fitting several members is now refused (in a request)",
    // Members of different types never fit together, so oneOf refuses nothing anyOf accepted.
    "- type-changed #/components/schemas/NewPet/properties/code: anyOf → oneOf (in a request)",
    "- type-changed #/components/schemas/Pet/properties/ref_id: oneOf → anyOf (in a response)",
    // The two inline members swapped places; the one that gained a property is still found.
    '- request-property-added #/components/schemas/NewPet/properties/contact/oneOf/1/properties/name: optional request property "name" added',
    'B enum-changed #/components/schemas/NewPet/properties/labels/items: enum value "b" removed (in a request)',
    'B enum-changed #/components/schemas/Pet/properties/labels/items: enum value "c" added (in a response)',
  ],
};
const SCENARIOS = ["read-write-only", "pattern-changed", "security-scopes", "request-body-schema", "defaults", "refactors", "open-schemas", "unions"];

describe("the rule table", () => {
  it("has unique kebab-case ids, a description each, and a fixture pair and expectation per rule", async () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(rule.description.length).toBeGreaterThan(20);
    }
    const dirs = (await readdir(FIXTURES)).filter((d) => d !== "additive");
    expect(dirs.sort()).toEqual([...ids, ...SCENARIOS].sort());
    expect(Object.keys(EXPECTED).sort()).toEqual([...ids, ...SCENARIOS].sort());
  });

  it.each(RULES.map((r) => r.id))("%s: its fixture gives exactly the expected findings", async (id) => {
    const found = await diffFixture(id);
    expect(lines(found)).toEqual([...EXPECTED[id]!].sort());
    expect(found.some((f) => f.rule === id)).toBe(true);
  });

  it.each(SCENARIOS)("scenario %s gives exactly the expected findings", async (dir) => {
    expect(lines(await diffFixture(dir))).toEqual([...EXPECTED[dir]!].sort());
  });

  it("lists breaking findings first", async () => {
    const found = await diffFixture("enum-changed");
    const firstSafe = found.findIndex((f) => !f.breaking);
    expect(firstSafe).toBeGreaterThan(0);
    expect(found.slice(firstSafe).every((f) => !f.breaking)).toBe(true);
  });
});

describe("pattern comparison", () => {
  // [old, new, how the strings the new one admits relate to the old one's]; undefined is no pattern.
  it.each([
    ["^a$", "^(a|b)$", "wider"],
    ["^(a|b)$", "^a$", "narrower"],
    ["^a{2,5}$", "^a{1,10}$", "wider"],
    ["^[A-Z]{2}$", "^[A-Za-z]{2}$", "wider"],
    ["^\\d{4}-\\d{2}$", "^\\d{4}-\\d{2}(-\\d{2})?$", "wider"],
    // A pattern is searched for, as RegExp#test does: dropping an anchor admits more.
    ["^abc$", "abc", "wider"],
    ["abc", "^abc", "narrower"],
    ["^a$|^b$", "^[ab]$", "same"],
    ["^\\p{Lu}+$", "^[A-Z]+$", "narrower"],
    ["^[a-c]$", "^[b-d]$", "other"],
    ["^[a-z]+$", undefined, "wider"],
    [undefined, "^.*$", "narrower"], // "." does not match a line break
    [undefined, "", "same"],
    ["(?<=#)\\d+", "\\d+", "unknown"],
    // A backreference to a finite group is spelled out; to an unbounded one it cannot be.
    ["^(\\w)\\1$", "^\\w\\w$", "wider"],
    ["^(\\w+)\\1$", "^\\w+$", "unknown"],
    ["\\bfoo", "foo", "unknown"],
    ["[", "a", "unknown"],
    // Too large a pair to decide within the node budget: no proof, whatever the answer.
    ["^[\\s\\S]{0,30}x[\\s\\S]{25}$", "^y", "unknown"],
  ] as const)("%s → %s: %s", (prev, next, relation) => {
    expect(comparePatterns(prev, next)).toBe(relation);
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
    const found = diffSpecs(old, reversed).filter((f) => f.rule !== "component-changed");
    // The base schema is a new exported type, and nothing else changed in what the spec says.
    expect(lines(diffSpecs(old, reversed).filter((f) => f.rule === "component-changed"))).toEqual([
      "- component-changed #/components/schemas/JobIdentity: schemas component JobIdentity added",
    ]);
    expect(found.filter((f) => f.rule !== "client-method-changed")).toEqual([]);
    // The API is the same, but the client is built by the generator's reading of it: whatever
    // that reading makes of the allOf (the kind of result each write returns), the gate reports,
    // method by method, and nothing else.
    const [before, after] = [clientTable(old)!, clientTable(reversed)!];
    const changed = Object.keys(before).filter((id) => before[id]!.returns !== after[id]!.returns);
    expect(found.map((f) => f.message).sort()).toEqual(
      changed.map((id) => `client method ${placement(after[id]!)} returns a ${after[id]!.returns} instead of a ${before[id]!.returns}`).sort(),
    );
    expect(found.every((f) => f.breaking)).toBe(true);
  });

  it("sees a client method renamed or moved when an operationId or a placement mark changes", async () => {
    type Op = { operationId: string } & Record<string, unknown>;
    const old = await own();
    const next = structuredClone(old) as unknown as { paths: Record<string, Record<string, Op>> };
    const [path, item] = Object.entries(next.paths)[0]!;
    const method = Object.keys(item).find((k) => ["get", "put", "post", "delete", "patch"].includes(k))!;
    const op = item[method]!;
    const row = clientTable(old)![op.operationId]!;
    const from = placement(row);
    op.operationId = `${op.operationId}Renamed`;
    op["x-propexo-verb"] = `${row.verb}Renamed`;
    const label = `${method.toUpperCase()} ${path}`;
    expect(lines(diffSpecs(old, next))).toEqual([
      `B client-method-changed ${label}: client method moved: ${from} → ${from}Renamed`,
      `B operation-id-changed ${label}: operationId renamed ${row.operationId} → ${op.operationId}`,
    ]);
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
    const withBehaviour = formatText({ findings: await diffFixture("defaults") });
    expect(withBehaviour).toMatch(/^Behaviour changes \(3\)\n {2}! default-changed: /);
    expect(withBehaviour.indexOf("Behaviour changes")).toBeLessThan(withBehaviour.indexOf("Non-breaking (4)"));
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
      expect(entry).not.toContain("### Behaviour changes");
      const behaviour = changelogEntry({ version: "1.1.0", date: "2025-01-02", base: "v1.0.0", findings: await diffFixture("defaults") });
      expect(behaviour).toMatch(/### Behaviour changes\n\n(- .*\(in a request: leaving it out now means something else\)\n){3}\n### Changed\n/);
      expect(behaviour).not.toContain("### Breaking");

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

// The request validator against the official JSON-Schema-Test-Suite (draft 2020-12, vendored in
// test/fixtures/json-schema-test-suite/ with its commit). Each test group's schema goes through
// the generator's own reduce step: a group it refuses is listed with the generator's reason; a
// group it accepts is walked case by case, and the walker's verdict must be the suite's, or,
// where the suite and Prism disagree, the side that STANCES below chooses. Prism's verdict comes
// from Ajv set up as Prism sets it up. The listing of refusals and disagreements, with the
// counts, is committed next to the fixtures and must match what this test finds (after a
// deliberate change: `npx vitest run --project unit test/unit/json-schema-test-suite.test.ts -u`).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMATS, KEYWORDS, schemaReducer } from "../../scripts/lib/validators.mjs";
import * as formatCheckers from "../../src/core/formats.js";
import { schemaIssues, type SchemaContext } from "../../src/core/validate.js";
import { prismAjv } from "../helpers/prism-ajv.js";
import { ROOT } from "../helpers/project.js";

const FIXTURES = join(ROOT, "test", "fixtures", "json-schema-test-suite");
const SUITE = join(FIXTURES, "tests", "draft2020-12");

type Side = "Prism" | "the suite";

/**
 * Every place where the suite and Prism disagree on a group the client accepts, keyed by file,
 * or by "file › group" where a file's groups differ: the side the client takes, and why. A new
 * disagreement without an entry fails the test, so each one is decided, not discovered.
 */
const STANCES: Record<string, { follows: Side; why: string }> = {
  "format.json": {
    follows: "Prism",
    why: "Prism (Ajv with ajv-formats) asserts every format it knows, while in 2020-12 a format is only an annotation unless a validator opts in. A spec's format is meant as a rule, and Prism is the server the contract is tested against.",
  },
  "optional/format/date-time.json": {
    follows: "Prism",
    why: "Prism checks date-time with its own function: a leap second only as 23:59:60 in local time, zones up to ±24 hours, minutes optional. The unit tests compare isDateTime with that very function.",
  },
  "optional/format/email.json": {
    follows: "Prism",
    why: "ajv-formats takes an unquoted dot-atom and a host name with a dot: no quoted local parts, no address literals.",
  },
  "optional/format/uri.json": {
    follows: "Prism",
    why: "ajv-formats' URI grammar lets a single slash stand before the authority (so http:/[::1] has a host, and http://example.com:abc/path an empty host and a path), and lets an IPv4 address inside an IPv6 literal have leading zeros.",
  },
  "properties.json › properties whose names are Javascript object property names": {
    follows: "the suite",
    why: "Ajv reads a property as data[name], so on {} it validates the inherited constructor and __proto__ and fails. The client looks at own members only: JSON has no inherited ones, so {} sends none of them.",
  },
  "required.json › required properties whose names are Javascript object property names": {
    follows: "the suite",
    why: "Ajv reads data[name], so {} has a constructor, a toString and a __proto__ for Prism. A member that is not an own one is not sent, and the API cannot see it.",
  },
};

interface Case {
  description: string;
  data: unknown;
  valid: boolean;
}
interface Group {
  description: string;
  schema: unknown;
  tests: Case[];
}

const files = (function list(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? list(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : []))
    .sort();
})(SUITE).map((path) => ({ name: relative(SUITE, path), groups: JSON.parse(readFileSync(path, "utf8")) as Group[] }));

const ALL_FORMATS: SchemaContext["formats"] = Object.fromEntries(
  [...FORMATS].map(([format, fn]) => [format, (formatCheckers as unknown as Record<string, (v: string) => boolean>)[fn]!]),
);

const prism = prismAjv();

interface Disagreement {
  where: string;
  suite: boolean;
  prism: boolean;
  client: boolean;
}

interface GroupResult {
  file: string;
  group: string;
  refused?: string;
  cases: number;
  /** Cases where the suite and Prism part ways (the client is on one side, as STANCES says). */
  disagreements: Disagreement[];
  /** Cases where the client is on neither side, or on the side STANCES does not choose. */
  wrong: string[];
}

function stanceOf(file: string, group: string) {
  return STANCES[`${file} › ${group}`] ?? STANCES[file];
}

function run(file: string, group: Group): GroupResult {
  const result: GroupResult = { file, group: group.description, cases: group.tests.length, disagreements: [], wrong: [] };
  let root;
  let context: SchemaContext;
  try {
    const reducer = schemaReducer(group.schema);
    root = reducer.reduce(group.schema, "schema");
    context = { defs: Object.fromEntries(reducer.defs), formats: ALL_FORMATS };
  } catch (err) {
    result.refused = (err as Error).message;
    return result;
  }
  let oracle;
  try {
    oracle = prism.compile(group.schema as object);
  } catch (err) {
    result.wrong.push(`${file} › ${group.description}: the generator accepts a schema that Ajv refuses (${(err as Error).message})`);
    return result;
  }
  for (const c of group.tests) {
    const client = schemaIssues(root, c.data, context).length === 0;
    const byPrism = oracle(c.data) as boolean;
    const where = `${file} › ${group.description} › ${c.description}`;
    if (byPrism !== c.valid) {
      const d = { where, suite: c.valid, prism: byPrism, client };
      result.disagreements.push(d);
      const stance = stanceOf(file, group.description);
      if (!stance) result.wrong.push(`${where}: the suite says ${c.valid}, Prism ${byPrism}; decide in STANCES which one the client follows`);
      else if (client !== (stance.follows === "Prism" ? byPrism : c.valid)) result.wrong.push(`${where}: the client says ${client}, but follows ${stance.follows} here`);
    } else if (client !== c.valid) {
      result.wrong.push(`${where}: the suite and Prism say ${c.valid}, the client ${client}`);
    }
  }
  return result;
}

// Run inside the tests, never while the file loads, so that what they check is what they ran
// (mutation testing sees only the code a test runs).
const ran = new Map<string, GroupResult[]>();
const runFile = (name: string) => ran.get(name) ?? ran.set(name, files.find((f) => f.name === name)!.groups.map((g) => run(name, g))).get(name)!;
const allResults = () => files.flatMap(({ name }) => runFile(name));

const show = (v: boolean) => (v ? "valid" : "invalid");

/** The committed listing: counts, refused groups with the reason, disagreements with the stance. */
function listing(): string {
  const results = allResults();
  const accepted = results.filter((r) => r.refused === undefined);
  const refused = results.filter((r) => r.refused !== undefined);
  const disagreeing = accepted.filter((r) => r.disagreements.length > 0);
  const cases = accepted.reduce((n, r) => n + r.cases, 0);
  const disagreements = accepted.flatMap((r) => r.disagreements);
  const lines = [
    "# The request validator against the JSON-Schema-Test-Suite (draft 2020-12)",
    "",
    "Written by test/unit/json-schema-test-suite.test.ts, which fails when it no longer matches.",
    "",
    `- groups: ${results.length} (${files.length} files)`,
    `- accepted by the generator: ${accepted.length} groups, ${cases} cases; the client agrees with the suite on ${cases - disagreements.length} cases`,
    `- refused by the generator: ${refused.length} groups, ${refused.reduce((n, r) => n + r.cases, 0)} cases`,
    `- accepted groups where the suite and Prism disagree: ${disagreeing.length} groups, ${disagreements.length} cases, each decided below`,
    `- cases where the client is on neither side: ${accepted.reduce((n, r) => n + r.wrong.length, 0)}`,
    "",
    "## Where the suite and Prism disagree",
    "",
  ];
  const byStance = new Map<string, Disagreement[]>();
  for (const r of disagreeing) {
    const key = STANCES[`${r.file} › ${r.group}`] ? `${r.file} › ${r.group}` : r.file;
    byStance.set(key, [...(byStance.get(key) ?? []), ...r.disagreements]);
  }
  for (const [key, list] of byStance) {
    const stance = STANCES[key];
    lines.push(`### ${key}`, "", `The client follows ${stance?.follows ?? "(undecided)"}: ${stance?.why ?? ""}`, "");
    for (const d of list) lines.push(`- ${d.where}: suite ${show(d.suite)}, Prism ${show(d.prism)}, client ${show(d.client)}`);
    lines.push("");
  }
  lines.push("## Groups the generator refuses", "");
  for (const r of refused) lines.push(`- ${r.file} › ${r.group}: ${r.refused}`);
  lines.push("");
  return lines.join("\n");
}

describe("the request validator against the JSON-Schema-Test-Suite", () => {
  it.each(files.map((f) => f.name))("%s: every accepted case gets the suite's verdict or the chosen side's", (name) => {
    const mine = runFile(name);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.flatMap((r) => r.wrong)).toEqual([]);
  });

  it("matches the committed listing of refusals and disagreements", async () => {
    const text = listing();
    console.info(text.split("\n").filter((l) => l.startsWith("- ") && !l.includes(" › ")).join("\n"));
    await expect(text).toMatchFileSnapshot(join(FIXTURES, "LISTING.md"));
  });

  // A reducer that refused a keyword's own groups would agree with the suite on nothing about it.
  it("runs the suite's own groups of every keyword and format the validator implements", () => {
    const results = allResults();
    const ran = (file: string) => results.filter((r) => r.file === file && r.refused === undefined).reduce((n, r) => n + r.cases, 0);
    const files = [
      ...[...KEYWORDS].map((k) => (k === "$ref" ? "ref.json" : `${k}.json`)),
      ...[...FORMATS.keys()].map((f) => `optional/format/${f}.json`),
    ];
    expect(files.filter((f) => ran(f) === 0)).toEqual([]);
  });

  it("has a stance only for disagreements that exist", () => {
    const used = new Set(allResults().flatMap((r) => (r.disagreements.length ? [`${r.file} › ${r.group}`, r.file] : [])));
    expect(Object.keys(STANCES).filter((k) => !used.has(k))).toEqual([]);
  });
});

// The README's rescheduling table says, for every promised update that requires more than the
// date and time, which fields those are and where to take them from. Both halves are checked
// against the spec: the operations and their required fields, and that every event field it names
// exists. An operation the spec adds is held to the table once it is promised
// (test/spec/promised-operations.json); until then a row for it must still be true.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { operations } from "../../generated/operations.js";
import { ROOT, deref, loadBundled, operationsOf, promisedOperations } from "../helpers/project.js";

const SLOT_FIELDS = new Set(["appointment_date", "appointment_time"]);
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("### Rescheduling an appointment from a list"));
const table = section.slice(0, section.indexOf("```"));
const rows = [...table.matchAll(/^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({
  operationId: m[1]!,
  fields: [...m[2]!.matchAll(/`(\w+)`/g)].map((f) => f[1]!).sort(),
  advice: m[3]!,
}));

const promised = new Set(promisedOperations().map((o) => o.operationId));

describe("the README's rescheduling table", () => {
  it("lists exactly the promised supported updates that require more than the date and time, with those fields", async () => {
    const spec = await loadBundled();
    const expected: Record<string, string[]> = {};
    const listed = new Set(rows.map((r) => r.operationId));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of Object.values(operations)) {
      if (!row.supported || row.verb !== "update" || !(promised.has(row.operationId) || listed.has(row.operationId))) continue;
      const op = operationsOf(spec).find((o) => o.method === row.method && o.path === row.path)!.op;
      const body = deref(spec, deref(spec, op.requestBody)?.content?.["application/json"]?.schema);
      const beyond = ((body?.required ?? []) as string[]).filter((f) => !SLOT_FIELDS.has(f)).sort();
      if (beyond.length) expected[row.operationId] = beyond;
    }
    expect(Object.fromEntries(rows.map((r) => [r.operationId, r.fields]))).toEqual(expected);
  });

  it("takes fields from the event only where the event has them", async () => {
    const spec = await loadBundled();
    const event = deref(spec, spec.components.schemas.Event);
    for (const { operationId, advice } of rows) {
      for (const [, field] of advice.matchAll(/the event's `(\w+)`/g)) {
        expect(Object.keys(event.properties), `${operationId}: the event's ${field}`).toContain(field);
      }
    }
  });
});

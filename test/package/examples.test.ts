// Every program in examples/ runs against a Prism mock of the bundled spec, as a user would run
// it with PROPEXO_BASE_URL and PROPEXO_TOKEN set. esbuild bundles each one with
// "propexo-appointments" pointing at src/index.ts, so no build is needed. (They type-check
// separately, with `tsc -p examples`.)
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ROOT, loadBundled } from "../helpers/project.js";
import { mockAnswer, run, said } from "./kit.js";

const EXAMPLES = join(ROOT, "examples");

const spec = await loadBundled();
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "propexo-examples-"));
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

/** What each example must print (every line, in order); a new example needs an entry here. */
function expectedOutput(): Record<string, (string | RegExp)[]> {
  const rmCreate = mockAnswer(spec, "createRentmanagerLeadAppointment").meta.job_id;
  const status = mockAnswer(spec, "getWriteStatus");
  const page = mockAnswer(spec, "listAppointments");
  const event = mockAnswer(spec, "retrieveEvent").results;
  const integration = "clwktsp9v000008l31iv218hn";
  return {
    "create-and-wait.ts": [`accepted: job ${rmCreate}`, `written: ${status.write_status}, event ${status.created_record_id}`],
    "list-appointments.ts": [
      ...page.results.map((a: any) => `${a.appointment_datetime}  ${a.event_name}  [${a.id}]`),
      `${page.results.length} appointment(s) in integration ${integration}`,
      `first page: ${page.results.length} of ${page.meta.total}, more: false`,
      `event ${event.id}: ${event.type_raw} with ${event.agent_name}`,
      "raw event: 200 application/json, with a body",
    ],
    "update-and-cancel.ts": [
      `Rent Manager update: job ${mockAnswer(spec, "updateRentmanagerLeadAppointment").meta.job_id} done`,
      `ResMan update: job ${mockAnswer(spec, "updateResmanLeadAppointment").meta.job_id} done`,
      `Rent Manager cancel: job ${mockAnswer(spec, "cancelRentmanagerLeadAppointment").meta.job_id} done`,
      "ResMan can cancel: false",
      /^ResMan cancel: 405 POST \/v1\/events\/appointments\/leads\/cancel\/resman: .*nothing was sent/,
    ],
    "appointment-slot.ts": [
      "ResMan:       2024-07-18 19:00:00",
      "Rent Manager: 2024-07-18 14:00:00",
      "Entrata:      2024-07-18 13:00:00",
      "same for RM:  true",
      "fall back:    2024-11-03 01:30:00",
      `booked: job ${rmCreate}`,
    ],
  };
}

const EXPECTED = expectedOutput();

it("has an expectation for every example", async () => {
  const programs = (await readdir(EXAMPLES)).filter((f) => f.endsWith(".ts")).sort();
  expect(programs).toEqual(Object.keys(EXPECTED).sort());
});

it.each(Object.keys(EXPECTED))(
  "examples/%s runs against the mock",
  async (name) => {
    const outfile = join(out, name.replace(/\.ts$/, ".mjs"));
    await build({
      entryPoints: [join(EXAMPLES, name)],
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      alias: { "propexo-appointments": join(ROOT, "src", "index.ts") },
      logLevel: "silent",
    });
    // The tier's Prism mock of the bundled spec (test/helpers/prism-global-setup.ts).
    const env: NodeJS.ProcessEnv = { ...process.env, PROPEXO_BASE_URL: inject("prismUrl"), PROPEXO_TOKEN: "examples-token" };
    for (const key of ["PROPEXO_INTEGRATION_ID", "PROPEXO_LEAD_ID", "PROPEXO_EVENT_ID"]) delete env[key];
    const r = await run(process.execPath, [outfile], { env });
    expect(r.code, said(r)).toBe(0);
    // Nothing on stderr: no warning from the client's logger, no unhandled rejection.
    expect(r.stderr, said(r)).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    const expected = EXPECTED[name]!;
    expect(lines, said(r)).toHaveLength(expected.length);
    expected.forEach((line, i) => (typeof line === "string" ? expect(lines[i]).toBe(line) : expect(lines[i]).toMatch(line)));
  },
);

// scripts/contract-live.mjs end to end, against local stand-ins of the API generated from the
// spec: a conformant one passes, and each kind of drift fails the run with the drift named in
// the report. Every run is the real script: vitest on run.live.ts, a Prism proxy, the client.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeApi, type Drift, type Reply } from "../helpers/fake-api.js";
import type { OperationId } from "../../src/index.js";
import { ROOT } from "../helpers/project.js";
import { run, type RunResult } from "../helpers/run.js";
import { bodySchemaOf, jsonContent, named, parametersOf, specOperations, type SpecOperation } from "../helpers/contract.js";
import { envName, exitCodeOf, type Entry, type LiveReport } from "./live/checks.js";

const SCRIPT = join(ROOT, "scripts", "contract-live.mjs");
const TOKEN = "live-test-token";
// Each run starts vitest and Prism; on a small CI machine that takes a few seconds.
const RUN_TIMEOUT_MS = 60_000;

const listedEventId = (named(jsonContent(specOperations().find((o) => o.row.returns === "page")!.op.responses["200"]).examples)[0]![1] as any).results[0].id as string;

// A value for every ID that a path or a body names, so that --writes can send every write.
const writeIds: Record<string, string> = Object.fromEntries(
  specOperations()
    .flatMap((o) => [...parametersOf(o.op).filter((p) => p.in === "path").map((p) => p.name), ...Object.keys(bodySchemaOf(o.op)?.properties ?? {})])
    .filter((name) => name.endsWith("_id"))
    .map((name) => [envName(name), `env-${name}`]),
);

function runScript(args: string[], env: Record<string, string>) {
  // The outer environment must not leak a real token or IDs into the run.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PROPEXO_") && !k.startsWith("VITEST")));
  return run(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env: { ...clean, ...env } });
}

/** Runs `fn` against a fresh fake API, closed afterwards; the tests run concurrently, each with its own. */
async function withApi<T>(drift: Drift | undefined, fn: (server: Awaited<ReturnType<typeof startFakeApi>>) => Promise<T>): Promise<T> {
  const server = await startFakeApi(drift);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** The report line of an operation. */
const lineOf = (stdout: string, operationId: string) => stdout.split("\n").find((l) => new RegExp(`^\\s+\\S+\\s+${operationId}\\s`).test(l)) ?? "";

// Every run is a few seconds of mostly waiting on child processes, so they overlap.
describe.concurrent("npm run contract:live", () => {
  it("says so and exits 0 without a token, sending nothing", () =>
    withApi(undefined, async (server) => {
      const run = await runScript([], { PROPEXO_BASE_URL: server.url });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/PROPEXO_TOKEN is not set/);
      expect(server.requests).toEqual([]);
    }));

  it("refuses an unknown argument", async () => {
    const run = await runScript(["--write"], { PROPEXO_TOKEN: TOKEN });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown argument --write/);
  });

  it("passes a conformant API, reading only, with the event ID taken from the list", { timeout: RUN_TIMEOUT_MS }, () =>
    withApi(undefined, async (server) => {
      const run = await runScript([], { PROPEXO_TOKEN: TOKEN, PROPEXO_BASE_URL: server.url });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/OK: every checked answer matches the spec/);
      expect(lineOf(run.stdout, "listAppointments")).toMatch(/^\s+ok\s/);
      expect(lineOf(run.stdout, "retrieveEvent")).toMatch(new RegExp(`^\\s+ok\\s.*/v1/events/${listedEventId} → 200`));
      expect(lineOf(run.stdout, "getWriteStatus")).toMatch(/skipped.*PROPEXO_JOB_ID/);
      expect(lineOf(run.stdout, "createRentmanagerLeadAppointment")).toMatch(/skipped.*--writes/);
      // Reading only: one GET per read operation the run checked, nothing else.
      const checked = specOperations().filter((o) => o.row.method === "GET" && /^\s+ok\s/.test(lineOf(run.stdout, o.id)));
      expect(checked.length).toBeGreaterThanOrEqual(2);
      expect(server.requests.map((r) => r.method)).toEqual(checked.map(() => "GET"));
      expect(server.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(run.stdout).not.toContain(TOKEN);
    }));

  it("sends the writes only with --writes, with the IDs from the environment", { timeout: RUN_TIMEOUT_MS }, () =>
    withApi(undefined, async (server) => {
      const run = await runScript(["--writes"], { PROPEXO_TOKEN: TOKEN, PROPEXO_BASE_URL: server.url, ...writeIds });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const writes = specOperations().filter((o) => o.row.supported && o.row.method !== "GET");
      expect(writes.length).toBeGreaterThan(0);
      for (const w of writes) expect(lineOf(run.stdout, w.id), w.id).toMatch(/^\s+ok\s/);
      for (const o of specOperations().filter((o) => !o.row.supported)) expect(lineOf(run.stdout, o.id)).toMatch(/skipped.*not supported/);
      expect(server.requests.filter((r) => r.method !== "GET").length).toBe(writes.length);
      expect(server.requests.some((r) => r.path === `/v1/admin/write-status/${writeIds.PROPEXO_JOB_ID}`)).toBe(true);
      const sent = server.requests.filter((r) => r.body !== "").map((r) => JSON.parse(r.body));
      expect(sent.some((b) => b.lead_id === writeIds.PROPEXO_LEAD_ID)).toBe(true);
    }));

  // Every kind of drift in one run with --writes, each played by a different operation: the first
  // one, in spec order, whose example answer holds what the drift changes. One run per kind would
  // pay for vitest and Prism six times over to learn the same things.
  type Body = any;
  const drifts: { name: string; fits: (o: SpecOperation, example: Body) => boolean; apply: (reply: Reply) => Reply; expected: RegExp }[] = [
    {
      name: "a required field missing",
      fits: (o, example) => o.row.returns === "page" && typeof example?.results?.[0]?.integration_id === "string",
      apply: (reply) => (delete (reply.body as Body).results[0].integration_id, reply),
      expected: /response\.body\.results\.0\.integration_id\s+required:/,
    },
    {
      name: "a field of the wrong type",
      fits: (o, example) => o.row.method === "GET" && typeof example?.results?.x_id === "string",
      apply: (reply) => (((reply.body as Body).results.x_id = 10482), reply),
      expected: /response\.body\.results\.x_id\s+type:/,
    },
    {
      name: "an invalid time in a write's answer",
      fits: (o, example) => o.row.method !== "GET" && typeof example?.result?.appointment_time === "string",
      apply: (reply) => (((reply.body as Body).result.appointment_time = "9:30"), reply),
      expected: /response\.body\.result\.appointment_time\s+pattern:/,
    },
    {
      name: "an undocumented status",
      fits: (o) => !("418" in o.op.responses),
      apply: (reply) => ({ ...reply, status: 418, body: { error: { code: "teapot", message: "short and stout" } } }),
      expected: /response\s+status: status 418 is not documented/,
    },
    {
      name: "a wrong content type",
      fits: () => true,
      apply: (reply) => ({ ...reply, contentType: "text/plain" }),
      expected: /response\s+content-type: .*"text\/plain"/,
    },
    {
      name: "a body that is not JSON",
      fits: () => true,
      apply: (reply) => ({ ...reply, body: '{"meta": ' }),
      expected: /response\.body\s+json: the API's body is not valid JSON/,
    },
  ];
  // The operations a --writes run with every ID sends: the supported ones.
  const sent = specOperations().filter((o) => o.row.supported);
  const played: (typeof drifts[number] & { operationId: OperationId })[] = [];
  for (const d of drifts) {
    const o = sent.find((o) => !played.some((p) => p.operationId === o.id) && d.fits(o, named(jsonContent(o.op.responses["200"])?.examples)[0]?.[1]));
    if (!o) throw new Error(`no operation left in the spec to play ${d.name}`);
    played.push({ ...d, operationId: o.id });
  }
  const driftOf = new Map(played.map((d) => [d.operationId, d.apply]));

  let drifted: Promise<RunResult> | undefined;
  /** The one run against an API with every drift, started by whichever test asks first. */
  const driftedRun = () =>
    (drifted ??= withApi(
      (id, reply) => driftOf.get(id)?.(reply) ?? reply,
      (server) => runScript(["--writes"], { PROPEXO_TOKEN: TOKEN, PROPEXO_BASE_URL: server.url, ...writeIds }),
    ));

  it("exits 1 on drift, with the drifted operations, and only those, marked DRIFT", { timeout: RUN_TIMEOUT_MS }, async () => {
    const run = await driftedRun();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`DRIFT: ${drifts.length} operation\\(s\\) answered differently from the spec`));
    const marked = specOperations().filter((o) => /^\s+DRIFT\s/.test(lineOf(run.stdout, o.id))).map((o) => o.id);
    expect(marked.sort(), run.stdout).toEqual([...driftOf.keys()].sort());
  });

  it.each(played)("catches $name: $operationId and the drift named", { timeout: RUN_TIMEOUT_MS }, async ({ operationId, expected }) => {
    const run = await driftedRun();
    const report = run.stdout.split("\n");
    const at = report.indexOf(lineOf(run.stdout, operationId));
    expect(report[at], run.stdout).toMatch(/^\s+DRIFT\s/);
    expect(report[at + 1], run.stdout).toMatch(expected);
  });

  it("exits 1 when a single operation drifted, whatever the others did", () => {
    const entry = (state: Entry["state"]): Entry => ({ operationId: specOperations()[0]!.id, method: "GET", path: "/", state, findings: [] });
    const report = (...states: Entry["state"][]): LiveReport => ({ baseUrl: "http://127.0.0.1", writes: true, entries: states.map(entry) });
    expect(exitCodeOf(report("ok", "drift", "skipped"))).toBe(1);
    expect(exitCodeOf(report("drift"))).toBe(1);
    expect(exitCodeOf(report("error", "drift"))).toBe(1);
    expect(exitCodeOf(report("ok", "error", "skipped"))).toBe(2);
    expect(exitCodeOf(report("ok", "skipped"))).toBe(0);
  });

  it("exits 2 when the API refuses the token", { timeout: RUN_TIMEOUT_MS }, () =>
    withApi(
      (_, reply) => ({ ...reply, status: 401, body: { error: { code: "unauthorized", message: "bad token" } } }),
      async (server) => {
        const run = await runScript([], { PROPEXO_TOKEN: TOKEN, PROPEXO_BASE_URL: server.url });
        expect(run.code, run.stdout + run.stderr).toBe(2);
        expect(lineOf(run.stdout, "listAppointments")).toMatch(/ERROR.*refused the token/);
      },
    ));
});

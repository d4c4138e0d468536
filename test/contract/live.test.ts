// scripts/contract-live.mjs end to end, against local stand-ins of the API generated from the
// spec: a conformant one passes, and each kind of drift fails the run with the drift named in
// the report. Every run is the real script: vitest on run.live.ts, a Prism proxy, the client.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeApi, type Drift } from "../helpers/fake-api.js";
import { ROOT } from "../helpers/project.js";
import { run } from "../helpers/run.js";
import { bodySchemaOf, jsonContent, named, parametersOf, specOperations } from "../helpers/contract.js";
import { envName } from "./live/checks.js";

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

  const drifts: { name: string; args: string[]; drift: Drift; operationId: string; expected: RegExp }[] = [
    {
      name: "a required field missing",
      args: [],
      drift: (id, reply) => (id === "listAppointments" && delete (reply.body as any).results[0].integration_id, reply),
      operationId: "listAppointments",
      expected: /response\.body\.results\.0\.integration_id\s+required:/,
    },
    {
      name: "a field of the wrong type",
      args: [],
      drift: (id, reply) => (id === "retrieveEvent" && ((reply.body as any).results.x_id = 10482), reply),
      operationId: "retrieveEvent",
      expected: /response\.body\.results\.x_id\s+type:/,
    },
    {
      name: "an undocumented status",
      args: [],
      drift: (id, reply) => (id === "retrieveEvent" ? { ...reply, status: 418, body: { error: { code: "teapot", message: "short and stout" } } } : reply),
      operationId: "retrieveEvent",
      expected: /response\s+status: status 418 is not documented/,
    },
    {
      name: "a wrong content type",
      args: [],
      drift: (id, reply) => (id === "listAppointments" ? { ...reply, contentType: "text/plain" } : reply),
      operationId: "listAppointments",
      expected: /response\s+content-type: .*"text\/plain"/,
    },
    {
      name: "a body that is not JSON",
      args: [],
      drift: (id, reply) => (id === "listAppointments" ? { ...reply, body: '{"meta": ' } : reply),
      operationId: "listAppointments",
      expected: /response\.body\s+json: the API's body is not valid JSON/,
    },
    {
      name: "an invalid time in a write's answer",
      args: ["--writes"],
      drift: (id, reply) => (id === "updateResmanLeadAppointment" && ((reply.body as any).result.appointment_time = "9:30"), reply),
      operationId: "updateResmanLeadAppointment",
      expected: /response\.body\.result\.appointment_time\s+pattern:/,
    },
  ];

  it.each(drifts)("catches $name: exit 1, the operation and the drift named", { timeout: RUN_TIMEOUT_MS }, ({ args, drift, operationId, expected }) =>
    withApi(drift, async (server) => {
      const run = await runScript(args, { PROPEXO_TOKEN: TOKEN, PROPEXO_BASE_URL: server.url, ...(args.includes("--writes") && writeIds) });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout).toMatch(/DRIFT: 1 operation\(s\) answered differently from the spec/);
      const report = run.stdout.split("\n");
      const at = report.indexOf(lineOf(run.stdout, operationId));
      expect(report[at], run.stdout).toMatch(/^\s+DRIFT\s/);
      expect(report[at + 1], run.stdout).toMatch(expected);
    }));

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

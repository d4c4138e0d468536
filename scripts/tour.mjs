#!/usr/bin/env node
// A guided tour of the client (`npm start`): book an appointment, wait for the PMS, change it,
// cancel it and list what is there, printing each call and what came back.
//
//   npm start                      against a local Prism mock of generated/openapi.json: no
//                                  account, no network; the answers are the spec's examples
//   PROPEXO_TOKEN=… npm start      against Propexo's sandbox (or PROPEXO_BASE_URL). This writes
//                                  real appointments: it needs PROPEXO_INTEGRATION_ID and
//                                  PROPEXO_LEAD_ID of a Rent Manager integration, and takes
//                                  PROPEXO_TIME_ZONE, the property's zone (default US Eastern)
//
// The client is bundled from src/ by esbuild into a temporary file and imported from there, so
// the tour runs on a fresh checkout without a build.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { ROOT } from "./lib/paths.mjs";

const PRISM_CLI = join(ROOT, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
const SPEC = join(ROOT, "generated", "openapi.json");
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 30_000;

// The spec's sample IDs: the mock accepts any string, and these read like real ones.
const SAMPLE = { integration_id: "clwktsp9v000008l31iv218hn", lead_id: "clx2a9q1c000308l1bq5d7e2f" };

/** Everything to undo before leaving, newest first; run once whichever way the tour ends. */
const undo = [];
let cleaning;
function cleanUp() {
  cleaning ??= (async () => {
    for (const fn of undo.reverse()) await fn().catch(() => {});
  })();
  return cleaning;
}

// Ctrl-C (or a SIGTERM) must not leave Prism running on its port.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.once(signal, () => {
    console.log(`\nInterrupted; stopping.`);
    void cleanUp().then(() => process.exit(code));
  });
}

async function loadClient() {
  const dir = await mkdtemp(join(tmpdir(), "propexo-tour-"));
  undo.push(() => rm(dir, { recursive: true, force: true }));
  const outfile = join(dir, "client.mjs");
  await build({
    entryPoints: [join(ROOT, "src", "index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
  });
  return import(pathToFileURL(outfile).href);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Prism on the bundled spec; resolves to its base URL once it listens. */
async function startPrism() {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM_CLI, "mock", SPEC, "-h", HOST, "-p", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  undo.push(stop);
  // A crash of this process skips the async clean-up; this synchronous kill still happens.
  process.once("exit", () => child.kill("SIGKILL"));

  let output = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk.toString("utf8").replace(/\x1b\[[0-9;]*m/g, "");
      if (/Prism is listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (code ${code}) before listening:\n${output}`));
    });
    child.once("error", reject);
  });
  // Prism logs each request; the tour prints its own account instead.
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  child.stdout.resume();
  child.stderr.resume();
  return `http://${HOST}:${port}`;
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required with PROPEXO_TOKEN: the tour writes to that integration`);
  return value;
}

const say = (line = "") => console.log(line);
const code = (line) => console.log(`   > ${line}`);

async function tour() {
  const real = Boolean(process.env.PROPEXO_TOKEN);
  // Read before anything starts, so a missing setting costs no bundling, server or request.
  const ids = real ? { integration_id: required("PROPEXO_INTEGRATION_ID"), lead_id: required("PROPEXO_LEAD_ID") } : SAMPLE;
  const timeZone = process.env.PROPEXO_TIME_ZONE ?? "America/New_York";

  const { Propexo, appointmentSlot, environments } = await loadClient();
  const baseUrl = real ? (process.env.PROPEXO_BASE_URL ?? environments.sandbox) : await startPrism();
  const propexo = new Propexo({ token: real ? process.env.PROPEXO_TOKEN : "tour-token", baseUrl });

  say("propexo-appointments: a guided tour");
  say(`   server: ${baseUrl} ${real ? "(Propexo; this writes real appointments)" : "(Prism mock of generated/openapi.json; answers are the spec's examples)"}`);
  say();

  // Tomorrow, 15:00 UTC, as the property's wall-clock time: Rent Manager reads it in that zone.
  const when = new Date();
  when.setUTCDate(when.getUTCDate() + 1);
  when.setUTCHours(15, 0, 0, 0);
  const slot = appointmentSlot(when, timeZone);

  say(`1. Book a 45-minute tour for a Rent Manager lead, ${slot.appointment_date} at ${slot.appointment_time} (${timeZone})`);
  code(`await propexo.appointments.rentmanager.leads.create({ integration_id, lead_id, ...appointmentSlot(when, "${timeZone}"), appointment_duration_minutes: 45, title: "Community tour" })`);
  const created = await propexo.appointments.rentmanager.leads.create({
    ...ids,
    ...slot,
    appointment_duration_minutes: 45,
    title: "Community tour",
    notes: "Booked by the propexo-appointments tour.",
  });
  say(`   Propexo accepted it as write job ${created.jobId}; the PMS gets it later.`);
  say();

  say("2. Wait until the PMS has it");
  code("await job.wait()");
  const written = await created.wait({ timeoutMs: 120_000 });
  const eventId = written.created_record_id;
  say(`   ${written.write_status}: the appointment is event ${eventId}.`);
  if (!eventId) throw new Error("the write succeeded without naming the event it created; cannot go on");
  say();

  say("3. Make it an hour long");
  code(`await propexo.appointments.rentmanager.leads.update("${eventId}", { ...slot, appointment_duration_minutes: 60, title: "Community tour" })`);
  const updated = await propexo.appointments.rentmanager.leads.update(eventId, { ...slot, appointment_duration_minutes: 60, title: "Community tour" });
  say(`   job ${updated.jobId}: ${(await updated.wait({ timeoutMs: 120_000 })).write_status}`);
  say();

  say("4. Cancel it");
  code(`await propexo.appointments.rentmanager.leads.cancel({ integration_id, event_id: "${eventId}" })`);
  const cancelled = await propexo.appointments.rentmanager.leads.cancel({ integration_id: ids.integration_id, event_id: eventId });
  say(`   job ${cancelled.jobId}: ${(await cancelled.wait({ timeoutMs: 120_000 })).write_status}`);
  say(`   (ResMan cannot cancel: Propexo.supports("resman", "leads", "cancel") is ${Propexo.supports("resman", "leads", "cancel")})`);
  say();

  say("5. List the integration's appointments");
  code("await propexo.appointments.list({ integration_id, limit: 5 }).firstPage()");
  const page = await propexo.appointments.list({ integration_id: ids.integration_id, limit: 5 }).firstPage();
  for (const a of page.results) say(`   ${a.appointment_datetime ?? "(no time)"}  ${a.event_name ?? "(untitled)"}  [${a.id}]`);
  say(`   ${page.results.length} shown${page.meta.total === undefined ? "" : ` of ${page.meta.total}`}${page.hasMore ? "; iterate the list for the rest" : ""}.`);
  say();
  say("Done. More in examples/ and README.md.");
}

try {
  await tour();
} catch (error) {
  console.error(`\nThe tour stopped: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

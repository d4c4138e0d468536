// `npm start` (scripts/tour.mjs) against its own Prism mock: the steps it prints, its exit code,
// and that its mock is gone afterwards, whether the tour finished or was interrupted.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, loadBundled } from "../helpers/project.js";
import { mockAnswer, run, said } from "./kit.js";

const TOUR = join(ROOT, "scripts", "tour.mjs");

/** The environment of someone without a Propexo account. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("PROPEXO_")) delete env[key];
  return env;
}

const serverOf = (stdout: string) => /server: (http:\/\/127\.0\.0\.1:\d+) \(Prism mock/.exec(stdout)?.[1];

/** Resolves true if something accepts connections at `url`. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("the tour", () => {
  it("runs create → wait → update → cancel → list on the mock and stops it", async () => {
    const spec = await loadBundled();
    const r = await run(process.execPath, [TOUR], { env: offlineEnv() });
    expect(r.code, said(r)).toBe(0);
    expect(r.stderr, said(r)).toBe("");

    const created = mockAnswer(spec, "createRentmanagerLeadAppointment").meta.job_id;
    const status = mockAnswer(spec, "getWriteStatus");
    const listed = mockAnswer(spec, "listAppointments").results;
    const steps = [
      /^1\. Book a 45-minute tour for a Rent Manager lead, \d{4}-\d\d-\d\d at \d\d:\d\d:\d\d \(America\/New_York\)$/m,
      new RegExp(`accepted it as write job ${created};`),
      /^2\. Wait until the PMS has it$/m,
      new RegExp(`${status.write_status}: the appointment is event ${status.created_record_id}\\.`),
      /^3\. Make it an hour long$/m,
      new RegExp(`job ${mockAnswer(spec, "updateRentmanagerLeadAppointment").meta.job_id}: SUCCESS`),
      /^4\. Cancel it$/m,
      new RegExp(`job ${mockAnswer(spec, "cancelRentmanagerLeadAppointment").meta.job_id}: SUCCESS`),
      /^5\. List the integration's appointments$/m,
      ...listed.map((a: any) => new RegExp(`${a.event_name}  \\[${a.id}\\]`)),
      /^Done\./m,
    ];
    // In this order, each after the previous one.
    let from = 0;
    for (const step of steps) {
      const at = r.stdout.slice(from).search(step);
      expect(at, `${step} after offset ${from}\n${said(r)}`).toBeGreaterThanOrEqual(0);
      from += at + 1;
    }
    const server = serverOf(r.stdout);
    expect(server, said(r)).toBeDefined();
    expect(await listening(server!)).toBe(false);
  });

  it("stops its mock when interrupted with Ctrl-C", async () => {
    const child = spawn(process.execPath, [TOUR], { env: offlineEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      // Interrupt as soon as the mock is up, while the first write is under way.
      const server = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
          const url = serverOf(stdout);
          if (url) resolve(url);
        });
        child.once("exit", () => reject(new Error(`the tour ended before its server was up:\n${stdout}`)));
      });
      expect(await listening(server)).toBe(true);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(stdout).toContain("Interrupted; stopping.");
      expect(stdout).not.toContain("Done.");
      expect(await listening(server)).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("with a token, needs the integration to write to, before anything starts", async () => {
    const r = await run(process.execPath, [TOUR], { env: { ...offlineEnv(), PROPEXO_TOKEN: "some-token" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("PROPEXO_INTEGRATION_ID is required with PROPEXO_TOKEN");
  });
});

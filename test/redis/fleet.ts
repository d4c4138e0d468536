// The fleet tests' parts: fleets of worker processes (worker.ts, bundled once by esbuild into
// .tmp/) or of members in this process (member.ts), and a fake Propexo that enforces the policy
// and remembers every request.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { ROOT } from "../helpers/project.js";
import { sendJson, startServer } from "../helpers/http-server.js";
import { member, type WorkerConfig, type WorkerResult } from "./member.js";

export type { WorkerConfig, WorkerResult } from "./member.js";

const WORKER = join(ROOT, ".tmp", "redis-tier", "worker.mjs");
let built: Promise<unknown> | undefined;

/** Bundles worker.ts (the client from src/) for plain node; redis stays an import. */
export function buildWorker(): Promise<unknown> {
  built ??= build({
    entryPoints: [join(ROOT, "test", "redis", "worker.ts")],
    outfile: WORKER,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["redis"],
    logLevel: "error",
  });
  return built;
}

export interface Worker {
  child: ChildProcess;
  /** Resolves with the results, or with undefined if the process died without giving them. */
  done: Promise<WorkerResult | undefined>;
  stderr: () => string;
}

/** Starts the workers, waits until each is ready, then lets all go at once. */
export async function startFleet(configs: WorkerConfig[]): Promise<Worker[]> {
  await buildWorker();
  const workers = configs.map((config) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const lines = createInterface({ input: child.stdout! });
    const ready = new Promise<void>((resolve, reject) => {
      lines.once("line", (line) => (line === "ready" ? resolve() : reject(new Error(`worker ${config.worker} said ${line}\n${stderr}`))));
      child.once("exit", (code) => reject(new Error(`worker ${config.worker} exited with ${code} before it was ready\n${stderr}`)));
    });
    const done = new Promise<WorkerResult | undefined>((resolve) => {
      let result: WorkerResult | undefined;
      lines.on("line", (line) => {
        if (line.startsWith("{")) result = JSON.parse(line) as WorkerResult;
      });
      child.once("exit", () => resolve(result));
    });
    // A test that fails midway must not leave workers behind.
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    void done.then(() => clearTimeout(timer));
    return { child, done, ready, stderr: () => stderr };
  });
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin!.write("go\n");
  return workers;
}

/**
 * Runs the members in this process, each with its own client, pacer and Redis connection, all at
 * once; resolves with their results once every call has settled and every connection is closed.
 */
export async function runMembers(configs: WorkerConfig[]): Promise<WorkerResult[]> {
  const members = configs.map(member);
  try {
    return await Promise.all(members.map((m) => m.run()));
  } finally {
    await Promise.all(members.map((m) => m.close()));
  }
}

/** Ends every worker still running. */
export async function stopFleet(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill("SIGKILL");
        await once(w.child, "exit");
      }
    }),
  );
}

export interface Arrival {
  at: number;
  worker: string;
  event: string;
  status: number;
}

/**
 * A fake Propexo for writes: `limit` requests per fixed window of `windowMs` from its first
 * request; above 80% of the limit answers are held windowMs / 30 (2 s of a minute); above the
 * limit, 429 until the window ends. Every request counts, 429s included, and the rate-limit
 * headers say what is left. Requests from a worker in `withheld` are never answered.
 */
export async function startPolicyServer({ limit, windowMs }: { limit: number; windowMs: number }) {
  let t0: number | undefined;
  const counts = new Map<number, number>();
  const arrivals: Arrival[] = [];
  const withheld = new Set<string>();
  const server = await startServer((req, res, body) => {
    const now = performance.now();
    t0 ??= now;
    const window = Math.floor((now - t0) / windowMs);
    const n = (counts.get(window) ?? 0) + 1;
    counts.set(window, n);
    const worker = String(req.headers["x-worker"] ?? "?");
    const event = String((JSON.parse(body || "{}") as { event_id?: string }).event_id);
    const status = n > limit ? 429 : 200;
    arrivals.push({ at: now, worker, event, status });
    if (withheld.has(worker)) return;
    const headers = { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(Math.max(0, limit - n)) };
    if (status === 429) return sendJson(res, 429, { error: { code: "rate_limited", message: "too many requests" } }, headers);
    const answer = () => sendJson(res, 200, { meta: { job_id: `job-${arrivals.length}` }, result: { event_id: event } }, headers);
    if (n > 0.8 * limit) setTimeout(answer, windowMs / 30);
    else answer();
  });
  return { ...server, arrivals, withheld };
}

/** The most requests that arrived within any window-long span. */
export function maxInAnyWindow(arrivals: { at: number }[], windowMs: number): number {
  const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Events the server accepted more than once (a write done twice). */
export function acceptedTwice(arrivals: Arrival[]): string[] {
  const seen = new Map<string, number>();
  for (const a of arrivals) if (a.status === 200) seen.set(a.event, (seen.get(a.event) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([e]) => e);
}

// Fault injection: a table of hostile answers × every kind of operation (derived from the rows
// of generated/operations.ts: what a method returns and how it is sent, plus wait() on a write
// job) × both transports. The client runs in a child process (children/sweep.ts) against a real
// server on 127.0.0.1 started here. It shows that every rejection is a PropexoError of the class
// the answer calls for, that every call settles well inside its documented bound, that the
// child then exits by itself (no timer or socket kept it alive), and that no form of the token
// the server echoed appears in any error, printed or serialised, or in any log line.
import { writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../helpers/http-server.js";
import { run } from "../helpers/run.js";
import { bundleChild } from "./children/bundle.js";
import type { Outcome, Plan, PlannedCall } from "./children/sweep.js";
import { leakIn, operationKinds, tokenForms } from "./kinds.js";

/** A token with every character that JSON, util.inspect or a URL escapes. */
const TOKEN = `swp"q\\b'a%7e\`t p_0123456789`;
const FORMS = tokenForms(TOKEN);

const OPTIONS = { maxRetries: 1, maxResponseBytes: 256 * 1024, waitTimeoutMs: 8000 };
/**
 * Each attempt's time limit: short against a server that never finishes its answer, which is
 * where the limit is what ends the call; roomy elsewhere, so that a loaded machine cannot turn
 * an answer into a timeout and hide the error that answer calls for.
 */
const SILENT_TIMEOUT_MS = 800;
const TIMEOUT_MS = 5000;
/**
 * What the README documents as a call's bound: per attempt, a turn under the rate limit and an
 * answer, each within timeoutMs; one retry after a backoff of at most 500 ms (a Retry-After
 * beyond the 60 s cap is not waited for). wait() ends at its own timeoutMs.
 */
const BOUND_MS = Math.max((OPTIONS.maxRetries + 1) * 2 * TIMEOUT_MS + 500, OPTIONS.waitTimeoutMs);
/** Generous: the machine is loaded and shared; the point is that every call ends at all. */
const DEADLINE_MS = BOUND_MS + 15_000;

type Answer = (req: IncomingMessage, res: ServerResponse, token: string, origin: string) => void;
interface Hostile {
  answer: Answer;
  /** The server never completes its answer: the attempt's time limit ends the call. */
  silent?: true;
  /** The error class this answer calls for. */
  error: string;
  /** Kinds of operation whose method may resolve here, as they read nothing the answer lacks. */
  resolves?: (returns: string) => boolean;
}

/** Headers that echo the token the request carried, in the shapes servers use. */
const echo = (token: string) => ({
  "x-echo": token,
  "www-authenticate": `Bearer realm="api", error="invalid_token", error_description="${JSON.stringify(token).slice(1, -1)}"`,
  "x-echo-encoded": encodeURIComponent(token),
});
const json = (res: ServerResponse, status: number, body: unknown, token: string, extra: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...echo(token), ...extra });
  res.end(text);
};
const BOMB = gzipSync(`{"results":"${"a".repeat(8 * 1024 * 1024)}"}`);

const HOSTILE: Record<string, Hostile> = {
  reset: { error: "ConnectionError", answer: (req) => req.socket.destroy() },
  "reset mid-body": {
    error: "ConnectionError",
    answer: (req, res, token) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "500", ...echo(token) });
      res.write(`{"meta": {"job_id": "${JSON.stringify(token).slice(1, -1)}`);
      setTimeout(() => req.socket.destroy(), 20);
    },
  },
  silence: { error: "TimeoutError", silent: true, answer: () => {} },
  "stalled body": {
    error: "TimeoutError",
    silent: true,
    answer: (_req, res, token) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100", ...echo(token) });
      res.write("{");
    },
  },
  "502 html": {
    error: "InternalServerError",
    answer: (_req, res, token) => {
      res.writeHead(502, { "content-type": "text/html", ...echo(token) });
      res.end(`<html><body><h1>Bad gateway</h1><p>${token}</p></body></html>`);
    },
  },
  "503 with Retry-After 999999999999": {
    error: "InternalServerError",
    answer: (_req, res, token) => json(res, 503, { error: { code: "down", message: `down for ${token}` } }, token, { "retry-after": "999999999999" }),
  },
  "429 until year 9999": {
    error: "RateLimitError",
    answer: (_req, res, token) => json(res, 429, { error: { code: "rate_limited", message: "later" } }, token, { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" }),
  },
  "429 with Retry-After 120": {
    error: "RateLimitError",
    answer: (_req, res, token) => json(res, 429, { error: { code: "rate_limited", message: "later" } }, token, { "retry-after": "120" }),
  },
  "302 to another origin": {
    error: "RedirectError",
    answer: (_req, res, token) => {
      res.writeHead(302, { location: `http://127.0.0.2:9/steal?token=${encodeURIComponent(token)}`, ...echo(token) });
      res.end();
    },
  },
  "307 loop": {
    error: "RedirectError",
    answer: (req, res, token) => {
      res.writeHead(307, { location: req.url ?? "/", ...echo(token) });
      res.end();
    },
  },
  "status 999": { error: "InvalidResponseError", answer: (_req, res, token) => json(res, 999, { ok: true }, token) },
  "status 600": { error: "InvalidResponseError", answer: (_req, res, token) => json(res, 600, { ok: true }, token) },
  "unsolicited 100 Continue": { error: "ConnectionError", answer: (_req, res) => res.writeContinue() },
  "200 null": { error: "InvalidResponseError", answer: (_req, res, token) => json(res, 200, null, token) },
  "200 number": { error: "InvalidResponseError", answer: (_req, res, token) => json(res, 200, 42, token) },
  "200 list": { error: "InvalidResponseError", answer: (_req, res, token) => json(res, 200, [token], token) },
  "200 string": { error: "InvalidResponseError", answer: (_req, res, token) => json(res, 200, token, token) },
  "200 empty object": {
    error: "InvalidResponseError",
    // A plain body (write status) is read as it comes; only wait() relies on its members.
    resolves: (returns) => returns === "body",
    answer: (_req, res, token) => json(res, 200, {}, token),
  },
  "200 not JSON": {
    error: "InvalidResponseError",
    answer: (_req, res, token) => {
      res.writeHead(200, { "content-type": "text/html", ...echo(token) });
      res.end(`<p>${token}</p>`);
    },
  },
  "200 larger than the limit": {
    error: "ResponseTooLargeError",
    answer: (_req, res, token) => {
      res.writeHead(200, { "content-type": "application/json", ...echo(token) });
      res.end(`{"results":"${"x".repeat(1024 * 1024)}"}`);
    },
  },
  "200 gzip bomb": {
    error: "ResponseTooLargeError",
    answer: (_req, res, token) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", ...echo(token) });
      res.end(BOMB);
    },
  },
  "200 corrupt gzip": {
    error: "ConnectionError",
    answer: (_req, res, token) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", ...echo(token) });
      res.end(Buffer.from(`not gzip ${token}`));
    },
  },
  "content-length longer than the body": {
    error: "ConnectionError",
    answer: (req, res, token) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100", ...echo(token) });
      res.write('{"a":1}');
      setTimeout(() => req.socket.end(), 20);
    },
  },
  "malformed head": {
    error: "ConnectionError",
    answer: (req, _res, token) => {
      req.socket.write(`HTTP/1.1 200 OK\r\nx-echo: ${token}\r\nbroken\u0000line ${token}\r\n\r\n`);
      setTimeout(() => req.socket.destroy(), 20);
    },
  },
  "401 echoing the token": {
    error: "AuthenticationError",
    answer: (_req, res, token) => {
      res.writeHead(401, `Unauthorized ${token}`, { "content-type": "application/json", ...echo(token) });
      res.end(JSON.stringify({ error: { code: "unauthorized", message: `token ${token} refused`, details: [{ percent: encodeURIComponent(token), raw: token }] } }));
    },
  },
};

/** One call per kind of operation (derived from the operation table), and wait() on a write job. */
function kinds(): { call: PlannedCall; returns: string; supported: boolean }[] {
  const calls = operationKinds().map((k) => ({
    call: { kind: k.name, where: k.where, args: k.args, read: k.returns === "page" ? "page" : "call" } as PlannedCall,
    returns: k.returns,
    supported: k.supported,
  }));
  calls.push({ call: { kind: "wait() on a write job", where: ["writes", "wait"], args: [], read: "wait" }, returns: "wait", supported: true });
  return calls;
}

describe("fault-injection sweep: hostile answers × operation kinds × transports", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let child: Awaited<ReturnType<typeof bundleChild>>;

  beforeAll(async () => {
    child = await bundleChild("sweep.ts");
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const name = (req.headers["x-case"] as string | undefined) ?? decodeURIComponent(/\/case-([^/]+)$/.exec(url.pathname)?.[1] ?? "");
      const hostile = HOSTILE[name];
      if (!hostile) return res.writeHead(400).end(`no case ${name}`);
      hostile.answer(req, res, (req.headers.authorization ?? "").replace(/^Bearer /, ""), server.url);
    });
    // The server keeps idle connections for long, so a client socket left referenced would keep
    // the child alive for at least that long instead of being closed from this side.
    server.server.keepAliveTimeout = 120_000;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await child?.dispose();
  });

  it("every call rejects with the PropexoError its answer calls for, inside its bound, without the token, and the process exits by itself", async () => {
    const planned = kinds();
    const plan: Plan = {
      baseUrl: server.url,
      token: TOKEN,
      cases: Object.entries(HOSTILE).map(([name, h]) => ({ name, timeoutMs: h.silent ? SILENT_TIMEOUT_MS : TIMEOUT_MS })),
      calls: planned.map((k) => k.call),
      options: OPTIONS,
      deadlineMs: DEADLINE_MS,
      concurrency: 32,
    };
    const planFile = join(child.file, "..", "plan.json");
    await writeFile(planFile, JSON.stringify(plan));
    // The child is killed only if it does not exit by itself well after its last call.
    const result = await run(process.execPath, [child.file], { env: { ...process.env, SWEEP_PLAN: planFile }, timeoutMs: DEADLINE_MS + 20_000 });
    const exitedAt = Date.now();
    expect(result.code, `exit ${result.code} after ${Math.round(result.ms)} ms; stderr:\n${result.stderr.slice(0, 4000)}`).toBe(0);
    expect(result.stderr, "no warning (e.g. TimeoutOverflowWarning) and no error").toBe("");
    const { outcomes, logLines, doneAt } = JSON.parse(result.stdout) as { outcomes: Outcome[]; logLines: string[]; doneAt: number };
    // Nothing was left to keep it alive: it exited soon after its last call, not when the
    // server's idle connections or some timer ran out.
    expect(exitedAt - doneAt).toBeLessThan(10_000);
    expect(outcomes).toHaveLength(2 * plan.cases.length * planned.length);

    const wrong: string[] = [];
    for (const o of outcomes) {
      const what = `${o.transport} · ${o.case} · ${o.kind}: ${o.settled} after ${o.ms} ms${o.printed[2] ? ` (${o.printed[2].slice(0, 160)})` : ""}`;
      const kind = planned.find((k) => k.call.kind === o.kind)!;
      const hostile = HOSTILE[o.case]!;
      const expected = !kind.supported ? "UnsupportedOperationError" : hostile.error;
      const mayResolve = kind.supported && hostile.resolves?.(kind.returns) === true;
      if (o.settled === "unsettled" || o.ms > DEADLINE_MS) wrong.push(`${what}: outlived its bound`);
      else if (o.settled === "resolved" && !mayResolve) wrong.push(`${what}: resolved`);
      else if (o.settled === "rejected" && !(o.propexo && o.name === expected)) wrong.push(`${what}: expected ${expected}`);
      for (const text of o.printed) {
        const leaked = leakIn(text, FORMS);
        if (leaked) wrong.push(`${what}: prints the token as ${JSON.stringify(leaked)}`);
      }
    }
    for (const line of logLines) {
      const leaked = leakIn(line, FORMS);
      if (leaked) wrong.push(`log line ${JSON.stringify(line.slice(0, 120))} holds the token as ${JSON.stringify(leaked)}`);
    }
    expect(wrong).toEqual([]);
    // The sweep did reach the server for every supported kind and case, and logged its failures.
    expect(logLines.length).toBeGreaterThan(outcomes.length / 2);
  }, DEADLINE_MS + 40_000);
});

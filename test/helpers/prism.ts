// Runs Stoplight Prism from node_modules for contract tests: one child process per call, on a
// free port of 127.0.0.1, that never outlives the test process.
//
// How Prism 5.14.2 (prism-http 5.12) behaves against generated/openapi.json, found by probing it;
// the contract tests and any browser test rely on this:
// - Invalid request: Prism answers the spec's 422, else its 400 (we declare 400), with that
//   response's first example. The body is therefore the canned `invalidRequest` example whatever
//   the fault; only `sl-violations` says what was wrong. `Prefer: code=` is ignored for an invalid
//   request unless it names 422 or 400. A body sent with a Content-Type other than
//   application/json is refused the same way (415 is not declared), with a violation of code 415.
// - Security is checked first: no or non-Bearer `Authorization` gives the spec's 401 with its
//   example, even when the request is invalid too, and the violation
//   `{ location: ["request"], code: 401 }` (a number, not a string).
// - `Prefer: code=N` serves declared response N with its first example; an undeclared N gives
//   404 problem+json, not N. `Prefer: example=name` picks a named 200 example (with `code=N, ` in
//   front, a named example of N); an unknown name is a 404 as well. Without a Prefer header the
//   query parameters `__code` and `__example` do the same.
// - Paths match literally, trailing slash included: `POST /v1/events/appointments/leads/resman/`
//   is served, the same path without its slash is a 404 (NO_PATH_MATCHED). `PUT
//   .../leads/resman/` matches `{event_id}` with an empty value and is refused as a missing path
//   parameter (400).
// - CORS is on by default. A preflight (OPTIONS with Origin and Access-Control-Request-Method)
//   gets 204 without touching the spec, echoing the Origin, the requested method and the
//   requested headers (so Authorization, Content-Type and Prefer are allowed), with
//   Allow-Credentials: true. Every other answer carries Access-Control-Allow-Origin (the Origin,
//   or `*`) and Access-Control-Expose-Headers: `*`, which lets a browser read `sl-violations`
//   from a fetch without credentials (for a credentialed one `*` would be a literal name).
//   An OPTIONS lacking either preflight header is routed like a request and answers 405.
// - `sl-violations` (see violations.ts) is a JSON array of `{ location, severity, code,
//   message }`, absent when there is nothing to report. `location` starts with "request" or
//   "response", then "body", "query" or "path" and the JSON path. A `required` or
//   `additionalProperties` fault is located at the object, the field is named only in the
//   message. Above about 8 KB the header becomes "Too many violations! " plus truncated JSON.
// - Every mocked response is validated against its own schema too (location "response", ...),
//   which is how the contract tests prove each example right. `--errors` turns such response
//   violations, never request ones, into a 500 problem+json.
// - The open request bodies (RetryWriteInput, NotSupportedInput; retry-write's body is not even
//   required) accept unknown properties and a missing body without a violation.
// - `proxy` forwards every request, valid or not, returns the upstream's status and body, and
//   adds `sl-violations` for what it found wrong with the request and the upstream's response.
// - Prism installs no signal handlers, so SIGTERM ends it at once. A taken port makes it print
//   its help, then "listen EADDRINUSE: address already in use", and exit 1.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "./project.js";

const PRISM_CLI = join(ROOT, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
const DEFAULT_SPEC = join(ROOT, "generated", "openapi.json");
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 30_000;
const KILL_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 5;
// Prism logs every request; a long run must not grow the buffer without bound.
const MAX_OUTPUT_CHARS = 1_000_000;

export interface PrismOptions {
  /** Spec file or URL; generated/openapi.json when omitted. */
  spec?: string;
  mode?: "mock" | "proxy";
  /** Server that `proxy` mode forwards to; required there. */
  upstream?: string;
  /** Turn response violations into 500 errors (`--errors`). */
  errors?: boolean;
}

export interface PrismServer {
  /** Base URL, without a trailing slash. */
  url: string;
  /** Ends the process (SIGTERM, then SIGKILL) and resolves once it has exited. */
  stop(): Promise<void>;
  /** Everything Prism has printed so far, for failure messages. */
  output(): string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work is possible here, so this is a hard kill without waiting.
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error(`unexpected address ${String(address)}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

class PortTakenError extends Error {}

export async function startPrism(options: PrismOptions = {}): Promise<PrismServer> {
  const mode = options.mode ?? "mock";
  if (mode === "proxy" && !options.upstream) throw new Error("startPrism: proxy mode needs an upstream URL");
  // The port is free when we look but could be taken before Prism binds it; try another then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(mode, options, await freePort());
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

function launch(mode: "mock" | "proxy", options: PrismOptions, port: number): Promise<PrismServer> {
  const args = [PRISM_CLI, mode, options.spec ?? DEFAULT_SPEC];
  if (mode === "proxy") args.push(options.upstream!);
  args.push("-h", HOST, "-p", String(port));
  if (options.errors) args.push("--errors");

  installExitHook();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);

  let output = "";
  const append = (chunk: Buffer) => {
    output += stripAnsi(chunk.toString("utf8"));
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  // A failed kill is reported as an "error" event, which would crash the test process unheard.
  child.on("error", (error) => append(Buffer.from(`\n[startPrism] ${error.message}\n`)));

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  void exited.then(() => live.delete(child));

  const stop = async () => {
    // No pid means the spawn itself failed and there is no process to end.
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };

  const url = `http://${HOST}:${port}`;
  const server: PrismServer = { url, stop, output: () => output };

  return new Promise<PrismServer>((resolve, reject) => {
    let settled = false;
    const fail = async (make: () => Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      await stop();
      reject(make());
    };
    const onData = () => {
      if (settled || !/Prism is listening on/.test(output)) return;
      settled = true;
      cleanup();
      resolve(server);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      void fail(() =>
        /EADDRINUSE/.test(output)
          ? new PortTakenError(`port ${port} was taken:\n${output}`)
          : new Error(`Prism exited before listening (code ${code}, signal ${signal}):\n${output}`),
      );
    const onError = (error: Error) => void fail(() => new Error(`could not start Prism: ${error.message}\n${output}`));
    const deadline = setTimeout(
      () => void fail(() => new Error(`Prism was not listening on ${url} after ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    function cleanup() {
      clearTimeout(deadline);
      child.stdout!.off("data", onData);
      child.stderr!.off("data", onData);
      child.off("close", onExit);
      child.off("error", onError);
    }
    // Registered after `append`, so the output already holds the chunk when it is inspected.
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    // "close" rather than "exit": it waits for the pipes, so the EADDRINUSE line is in `output`.
    child.once("close", onExit);
    child.once("error", onError);
  });
}

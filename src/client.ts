// The Propexo class: reads and checks the options, then builds the resource tree from the
// generated operation table. No method here is written per endpoint; a new operation in the
// spec becomes a new method by regenerating.
import { operations, writeStatusOperation, type OperationId } from "../generated/operations.js";
import { ApiPromise } from "./core/api-promise.js";
import { PropexoError, RequestValidationError, formatValue } from "./core/errors.js";
import { levelled, type LogLevel, type Logger } from "./core/logger.js";
import { numberIssues } from "./core/options.js";
import { Pager, type PageMeta } from "./core/pagination.js";
import { RateLimiter, type Pacer, type PacerFactory, type RateLimitOptions } from "./core/rate-limit.js";
import { retryPolicy } from "./core/retry.js";
import { redactor } from "./core/redact.js";
import { Core, checkBaseUrl, fetchOptionIssues, headerIssues, type CallInput, type FetchOptions, type RequestOptions, type WithResponse } from "./core/request.js";
import type { PropexoResources } from "../generated/client.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./core/transport-contract.js";
import { waitForJob, waitIssues, writeStatusProblem, type WaitOptions, type WriteStatusBody } from "./core/write-jobs.js";

/** Propexo's servers. */
export const environments = {
  production: "https://api.propexo.com",
  sandbox: "https://api.sandbox.propexo.com",
} as const;

/** Settings of a client. Only the token is needed (or PROPEXO_TOKEN in the environment). */
export interface ClientOptions {
  /** API token, sent as `Authorization: Bearer <token>`. Defaults to `process.env.PROPEXO_TOKEN`. */
  token?: string | undefined;
  /** Which Propexo server to call (default "production"). */
  environment?: keyof typeof environments | undefined;
  /** Another server, e.g. a local mock; overrides `environment`. Must be HTTPS unless loopback. */
  baseUrl?: string | undefined;
  /**
   * The fetch to send requests with (default `globalThis.fetch`). When `fetchOptions` are set, it
   * gets them as its second argument.
   */
  fetch?: ((request: Request, init?: FetchOptions) => Promise<Response>) | undefined;
  /**
   * The Request class each request is built with before it goes to `fetch` (default
   * `globalThis.Request`). Set together with `fetch` by transports such as `nodeTransport()`.
   */
  Request?: typeof Request | undefined;
  /** Retries of a failed call, where retrying is safe (default 2). */
  maxRetries?: number | undefined;
  /**
   * Time limit in milliseconds of each attempt's wait for its turn under the rate limit, and then
   * of its answer, body included (default 60 000).
   */
  timeoutMs?: number | undefined;
  /**
   * Largest response body accepted, in bytes, counted after decompression (default 32 MiB).
   * A larger one is cut off and the call fails with ResponseTooLargeError.
   */
  maxResponseBytes?: number | undefined;
  /**
   * Client-side pacing under the API's rate limit (default 150 requests a minute), or false; or a
   * pacer shared with other processes, such as `sharedRateLimit()` from propexo-appointments/redis.
   */
  rateLimit?: RateLimitOptions | PacerFactory | false | undefined;
  /** Check every request against the spec before sending it (default true). */
  validate?: boolean | undefined;
  /**
   * Headers sent with every request. A call's `headers` override them one by one (`null` there
   * leaves one out); they cannot replace the token's `Authorization` header.
   */
  defaultHeaders?: Record<string, string> | undefined;
  /**
   * Query parameters sent with every request; a call's own query overrides them one by one. They
   * are checked against the spec only where an operation declares them, and are never refused
   * as unknown.
   */
  defaultQuery?: Record<string, string | number | boolean | undefined> | undefined;
  /**
   * Passed through to the transport with every request (a call's `fetchOptions` override them
   * member by member): fetch's init, or with `nodeTransport()` undici's request options.
   */
  fetchOptions?: FetchOptions | undefined;
  /** Where log lines go (default `console`). */
  logger?: Logger | undefined;
  /**
   * How much to log (default: `PROPEXO_LOG` from the environment, else "warn"). The token is never
   * logged, nor any header.
   */
  logLevel?: LogLevel | undefined;
  /**
   * Allows the client in a web page. A Propexo token is an account-wide secret, and any visitor
   * of a page can read what the page holds, so without this the client refuses to start where
   * there is a DOM `window` and `document`. Set it only for a page that only the token's owner
   * can open (an internal tool), or a test environment such as jsdom.
   */
  dangerouslyExposeTokenInBrowser?: boolean | undefined;
}

/** The write-job helper placed beside the write-status operation (e.g. `writes.wait`). */
export interface Writes {
  /**
   * Polls a job's write status until it settles; `requestOptions` are the options of every poll.
   * @example await propexo.writes.wait(job.jobId, { timeoutMs: 60_000, requestOptions: { headers: { Prefer: "example=success" } } });
   */
  wait(jobId: string, options?: WaitOptions): Promise<WriteStatusBody>;
}

function fail(field: string, rule: string, value: unknown): never {
  throw new PropexoError(`options.${field} ${rule}, received ${formatValue(value)}`);
}

/** Whether this runs in a web page (a worker, Node or an edge runtime has no DOM window and document). */
function inWebPage(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown };
  return typeof g.window === "object" && g.window !== null && typeof g.document === "object" && g.document !== null;
}

function env(name: string): string | undefined {
  // `process` is absent in browsers and some edge runtimes.
  return typeof process !== "undefined" ? process.env?.[name] : undefined;
}

/** Where a derived client (withOptions) finds the pacer it shares with its parent. */
const PACER = Symbol("pacer");
type Internal = ClientOptions & { [PACER]?: Pacer | undefined };

/**
 * The resources of the spec (`appointments`, `events`, `writes`, ...), declared one method at a
 * time in generated/client.ts so that editors and the reference show each with its docs.
 */
export interface Propexo extends PropexoResources {}

/**
 * A client of Propexo's appointment API.
 *
 * @example
 * const propexo = new Propexo({ token: process.env.PROPEXO_TOKEN, environment: "sandbox" });
 * const job = await propexo.appointments.rentmanager.leads.create({ integration_id, lead_id,
 *   appointment_date: "2024-07-20", appointment_time: "09:15:00", appointment_duration_minutes: 45, title: "Tour" });
 * await job.wait();
 */
export class Propexo {
  /** The options this client was made with, its token resolved: what withOptions() starts from. */
  readonly #options: Internal;
  readonly #limiter: Pacer | undefined;

  constructor(options: ClientOptions = {}) {
    const token = options.token ?? env("PROPEXO_TOKEN");
    if (typeof token !== "string" || token === "") {
      throw new PropexoError("options.token is required (or set PROPEXO_TOKEN in the environment)");
    }
    // The value itself is never echoed: it is a secret. Controls (CR, LF, NUL, tab, ...) would
    // break the header or be trimmed from it; beyond ASCII, a header's bytes are read back
    // differently by different decoders, so an echo could not be recognised and redacted.
    if (!/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(token)) {
      throw new PropexoError("options.token must be printable ASCII, as a bearer token is: no control characters (CR, LF, NUL, tab), no spaces at its ends (value not shown)");
    }
    if (inWebPage() && options.dangerouslyExposeTokenInBrowser !== true) {
      throw new PropexoError("refusing to run in a web page, where any visitor could read the token: call Propexo from a server, or set dangerouslyExposeTokenInBrowser: true");
    }
    const environment = options.environment ?? "production";
    if (!(environment in environments)) fail("environment", 'must be "production" or "sandbox"', environment);
    const { maxRetries = retryPolicy.maxRetries, timeoutMs = 60_000, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES } = options;
    const { validate = true, defaultHeaders, defaultQuery, fetchOptions } = options;
    // An explicit logLevel wins over PROPEXO_LOG; an empty PROPEXO_LOG counts as unset.
    const logLevel = options.logLevel ?? (env("PROPEXO_LOG") || "warn");
    for (const issue of [
      ...numberIssues("", { maxRetries, timeoutMs, maxResponseBytes }, { maxRetries: "count", timeoutMs: "ms", maxResponseBytes: "bytes" }),
      ...headerIssues(defaultHeaders, "defaultHeaders"),
      ...fetchOptionIssues(fetchOptions, "fetchOptions"),
    ]) {
      fail(issue.path, issue.message, issue.value);
    }
    if (defaultQuery !== undefined && (typeof defaultQuery !== "object" || defaultQuery === null || Object.values(defaultQuery).some((v) => v !== undefined && !["string", "number", "boolean"].includes(typeof v)))) {
      fail("defaultQuery", "must be an object of strings, numbers and booleans", defaultQuery);
    }
    if (!["off", "error", "warn", "info", "debug"].includes(logLevel)) {
      throw new PropexoError(`${options.logLevel === undefined ? "PROPEXO_LOG (from the environment)" : "options.logLevel"} must be off, error, warn, info or debug, received ${formatValue(logLevel)}`);
    }
    const { rateLimit } = options;
    const perMinute = rateLimit ? (rateLimit as RateLimitOptions).requestsPerMinute : undefined;
    if (perMinute !== undefined && !(perMinute > 0)) fail("rateLimit.requestsPerMinute", "must be a positive number", perMinute);
    for (const issue of numberIssues("rateLimit.", typeof rateLimit === "object" ? { ...rateLimit } : {}, { windowMs: "ms" })) fail(issue.path, issue.message, issue.value);
    if (options.fetch !== undefined && typeof options.fetch !== "function") fail("fetch", "must be a function", typeof options.fetch);
    if (options.Request !== undefined && typeof options.Request !== "function") fail("Request", "must be a class", typeof options.Request);

    const redact = redactor(token);
    const log = levelled(options.logger ?? console, logLevel as LogLevel, redact.text);
    // A derived client keeps its parent's pacer: the rate limit belongs to the token.
    const limiter =
      (options as Internal)[PACER] ??
      (rateLimit === false ? undefined : typeof rateLimit === "function" ? rateLimit(token, log) : new RateLimiter(rateLimit));
    this.#options = { ...options, token };
    this.#limiter = limiter;
    const core = new Core({
      token,
      baseUrl: checkBaseUrl(options.baseUrl ?? environments[environment as keyof typeof environments]),
      fetch: options.fetch,
      Request: options.Request,
      maxRetries,
      timeoutMs,
      maxResponseBytes,
      validate,
      headers: defaultHeaders,
      query: defaultQuery,
      fetchOptions,
      limiter,
      log,
      redact,
    });
    const status: OperationId | null = writeStatusOperation;
    const wait: Writes["wait"] = async (jobId, opts = {}) => {
      if (status === null) throw new PropexoError("this API describes no write-status operation, so a write job cannot be waited for");
      const param = operations[status].pathParams[0]!;
      const issues = waitIssues(opts);
      if (issues.length) throw redact.error(new RequestValidationError(issues, core.summary(status, { [param]: jobId })));
      const poll = (j: string, o: RequestOptions) => core.call(status, { path: { [param]: j } }, o, writeStatusProblem);
      return waitForJob(jobId, poll as (j: string, o: RequestOptions) => Promise<WithResponse<WriteStatusBody>>, opts, log).catch((err: unknown) => {
        throw redact.error(err);
      });
    };
    const tree = buildTree(core, wait);
    if (status !== null) {
      // `wait` sits beside the write-status method, e.g. writes.status → writes.wait.
      const where: readonly string[] = operations[status].placement;
      let node = tree;
      for (const key of where.slice(0, -1)) node = node[key];
      node.wait = wait;
    }
    // The resources are the spec's: every top-level name of the tree becomes a property.
    Object.assign(this, tree);
  }

  /**
   * A client with these options over this one's: each option given replaces this client's (a
   * `defaultHeaders` object replaces the whole object). It shares this client's rate-limit pacer,
   * whose budget belongs to the token, unless `token` or `rateLimit` is given another value.
   *
   * @example
   * const traced = propexo.withOptions({ defaultHeaders: { "x-trace-id": traceId }, maxRetries: 0 });
   */
  withOptions(overrides: ClientOptions): Propexo {
    const options: Internal = { ...this.#options, ...overrides };
    const same = options.token === this.#options.token && options.rateLimit === this.#options.rateLimit;
    return new Propexo({ ...options, [PACER]: same ? this.#limiter : undefined } as ClientOptions);
  }

  /**
   * Whether Propexo can carry out `verb` on `subject` in `vendor`'s PMS, from the spec's
   * `x-propexo-supported` marks. Unknown combinations answer false.
   *
   * @example Propexo.supports("resman", "leads", "cancel"); // false: ResMan cannot cancel
   */
  static supports(vendor: string, subject: string, verb: string): boolean {
    return Object.values(operations).some((r) => r.vendor === vendor && r.subject === subject && r.verb === verb && r.supported);
  }
}

/** Builds the resource tree: one method per row of the operation table, at the row's placement. */
function buildTree(core: Core, wait: Writes["wait"]): Record<string, any> {
  const tree: Record<string, any> = {};
  for (const id of Object.keys(operations) as OperationId[]) {
    const where: readonly string[] = operations[id].placement;
    let node = tree;
    for (const key of where.slice(0, -1)) node = node[key] ??= {};
    node[where[where.length - 1]!] = method(core, id, wait);
  }
  return tree;
}

/**
 * The method of one operation: path parameters first, in path order; then one object that is the
 * body, the query, or both (split by the query parameters' names); then options.
 */
function method(core: Core, id: OperationId, wait: Writes["wait"]) {
  const row = operations[id];
  // Widened so the checks below stay valid for shapes the current spec happens not to use.
  const bodyKind: string = row.body;
  const queryNames: readonly string[] = row.queryParams;
  const envelope: string | undefined = (row as { envelope?: string }).envelope;
  const returns: string = row.returns;
  const takesBody = bodyKind === "required" || bodyKind === "optional";
  const takesObject = takesBody || queryNames.length > 0;
  return (...args: unknown[]) => {
    let i = 0;
    const input: CallInput = { path: {} };
    for (const name of row.pathParams as readonly string[]) input.path![name] = args[i++];
    const params = takesObject ? args[i++] : undefined;
    if (takesBody && queryNames.length > 0 && params && typeof params === "object" && !Array.isArray(params)) {
      const body: Record<string, unknown> = {};
      const query: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params)) (queryNames.includes(k) ? query : body)[k] = v;
      input.body = body;
      input.query = query;
      input.merged = params;
    } else if (takesBody) input.body = params;
    else if (queryNames.length > 0) input.query = params as Record<string, unknown> | undefined;
    if (bodyKind === "empty") input.body = {};
    const options = (args[i] ?? {}) as RequestOptions;
    if (row.returns === "page") {
      return new Pager(
        (query, opts) => core.call(id, { ...input, query }, opts) as Promise<WithResponse<{ meta: PageMeta; results: unknown[] }>>,
        input.query ?? {},
        options,
      );
    }
    return new ApiPromise((raw) =>
      core.call(id, input, options, undefined, raw).then((r) => {
        if (raw || (returns !== "item" && returns !== "job")) return r;
        if (returns === "item") return { ...r, data: (r.data as { results: unknown }).results };
        const body = r.data as { meta?: { job_id: string }; job_id?: string; result?: unknown };
        // Both envelopes Propexo uses: { meta: { job_id }, result } and { job_id, ... } at the top.
        const jobId = (envelope === "meta" ? body.meta?.job_id : body.job_id) ?? "";
        const job = {
          jobId,
          result: envelope === "meta" ? body.result : body,
          response: r.response,
          requestId: r.requestId,
          wait: (opts?: WaitOptions) => wait(jobId, opts),
        };
        return { ...r, data: job };
      }),
    );
  };
}

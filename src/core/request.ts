// The core: the one module that builds the openapi-fetch client, checks a call before it is
// sent, paces it under the rate limit, runs each attempt with its own timeout, retries what is
// safe to retry (policy and timing in ./retry.ts), unwraps the body and turns failures into
// typed errors. Resource methods (../client.ts) are generated from the operation table and all end here.
import * as openapiFetch from "openapi-fetch";
import type { paths } from "../../generated/schema.js";
import { operations, type OperationId } from "../../generated/operations.js";
import {
  ConnectionError,
  InvalidResponseError,
  issue,
  PropexoError,
  RedirectError,
  RequestValidationError,
  ResponseTooLargeError,
  TimeoutError,
  UnsupportedOperationError,
  errorFromResponse,
  requestIdOf,
  type RequestSummary,
  type ValidationIssue,
} from "./errors.js";
import type { Logger } from "./logger.js";
import { isSignal, numberIssues } from "./options.js";
import type { Pacer } from "./rate-limit.js";
import { reason, type Redactor } from "./redact.js";
import { backoffDelay, classifyNetworkError, parseRetryAfter, retryPolicy, shouldRetry, type Failure } from "./retry.js";
import { abortReason, sleep, timerDelay, untilAborted } from "./sleep.js";
import { BAD_STATUS, LIMIT_KEY, STREAM_KEY, TOO_LARGE, type TransportFault } from "./transport-contract.js";
import { validateRequest } from "./validate.js";

/** The init members that the client sets itself: `fetchOptions` cannot replace them (FetchOptions says so to the types). */
const RESERVED = ["method", "body", "headers", "signal", "redirect"] as const;

/**
 * Settings passed through to the transport with each request: the second argument of `fetch`
 * (e.g. `cache`, `keepalive`, `priority`, or undici's `dispatcher` for Node's fetch), or, with
 * `nodeTransport()`, options of undici's `request()` (e.g. `headersTimeout`, `bodyTimeout`, or a
 * `dispatcher` for this request). The method, body, headers, signal and redirect handling are the
 * client's and are refused here.
 */
export type FetchOptions = Omit<RequestInit, "method" | "body" | "headers" | "signal" | "redirect"> & {
  method?: never;
  body?: never;
  headers?: never;
  signal?: never;
  redirect?: never;
} & Record<string, unknown>;

/** The names RequestOptions has, so that anything else (a query in the options' place) is refused. */
const OPTION_KEYS = ["signal", "timeoutMs", "maxRetries", "headers", "maxResponseBytes", "fetchOptions"];

/** Per-call settings; every method takes them as its last argument. */
export interface RequestOptions {
  /** Cancels the call, including retries and waits. */
  signal?: AbortSignal | undefined;
  /**
   * Time limit in milliseconds of each attempt's wait for a turn under the rate limit, and then
   * of its answer, body included.
   */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt (only where retrying is safe). */
  maxRetries?: number | undefined;
  /** Extra request headers, over the client's `defaultHeaders`; `null` leaves a default header out. */
  headers?: Record<string, string | null> | undefined;
  /** Largest response body accepted, in bytes, after decompression (default: the client's). */
  maxResponseBytes?: number | undefined;
  /** Passed through to the transport, over the client's `fetchOptions` (member by member). */
  fetchOptions?: FetchOptions | undefined;
}

/** A result together with the HTTP exchange that produced it. */
export interface WithResponse<T> {
  data: T;
  /** The raw response (its body has already been read). */
  response: Response;
  /** The request ID the server sent, if any. */
  requestId: string | undefined;
}

/** What the core needs from the client's options. */
export interface CoreConfig {
  token: string;
  baseUrl: string;
  /** The user's fetch; undefined means globalThis.fetch, looked up by openapi-fetch. */
  fetch: ((request: Request, init?: FetchOptions) => Promise<Response>) | undefined;
  /** The user's Request class; undefined means globalThis.Request. */
  Request: typeof Request | undefined;
  maxRetries: number;
  timeoutMs: number;
  maxResponseBytes: number;
  validate: boolean;
  /** The client's defaultHeaders (under the token's header), defaultQuery and fetchOptions. */
  headers: Record<string, string> | undefined;
  query: Record<string, unknown> | undefined;
  fetchOptions: FetchOptions | undefined;
  limiter: Pacer | undefined;
  log: Logger;
  redact: Redactor;
}

/** The inputs of one operation call. */
export interface CallInput {
  path?: Record<string, unknown>;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  /** The one object a method was given for both its body and its query, which body was copied from. */
  merged?: object;
}

/** What a caller relies on in a 200's parsed body beyond its kind: a description of what is wrong, or undefined. */
export type Expect = (body: Record<string, unknown>) => string | undefined;

// openapi-fetch's CommonJS build sets `exports.default` without `__esModule`, so a CommonJS
// consumer of our CJS build sees its whole exports object as the default import. Both shapes work.
// Looked up when a client is made, not at module load, so that a bundle which imports only a
// helper (appointmentSlot) leaves openapi-fetch out.
const createClient = ((options) => {
  const create = typeof openapiFetch.default === "function" ? openapiFetch.default : (openapiFetch.default as unknown as { default: typeof openapiFetch.default }).default;
  return create(options);
}) as typeof openapiFetch.default;

/** Percent-encodes each path parameter into the route, as sent on the wire (a value that cannot be encoded is refused before sending). */
function fillPath(route: string, params: Record<string, unknown>): string {
  return route.replace(/\{([^}]+)\}/g, (_, name: string) => {
    try {
      return encodeURIComponent(String(params[name]));
    } catch {
      return "%EF%BF%BD";
    }
  });
}

// RFC 9110 §5.1 (a field name is a token) and §5.5 (a value: visible ASCII, space, tab and
// obs-text, i.e. Latin-1 without controls). fetch's Headers would throw a TypeError mid-call.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A lone UTF-16 surrogate, which encodeURIComponent refuses with a URIError. */
const LONE_SURROGATE = /\p{Cs}/u;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What the client reads from a 200 of each kind in the operation table's `returns`; a body that
 * lacks it would otherwise surface as a TypeError, a job ID of "" or a string iterated as a list.
 */
function shapeProblem(kind: string, body: unknown, envelope: string | undefined): string | undefined {
  if (!isObject(body)) return `the body is ${Array.isArray(body) ? "a list" : body === null ? "null" : `a ${typeof body}`}, not an object`;
  if (kind === "page") {
    const meta = body.meta;
    if (!Array.isArray(body.results)) return "its results is not a list";
    if (!isObject(meta)) return "its meta is not an object";
    for (const key of ["offset", "limit", "total"]) if (meta[key] != null && typeof meta[key] !== "number") return `its meta.${key} is not a number`;
    if (meta.hasMore != null && typeof meta.hasMore !== "boolean") return "its meta.hasMore is not a boolean";
  }
  if (kind === "item" && !isObject(body.results)) return "its results is not an object";
  if (kind === "job") {
    // Where the spec says this operation's job ID is: { meta: { job_id }, result } or { job_id, ... }.
    const id = envelope === "meta" ? (isObject(body.meta) ? body.meta.job_id : undefined) : body.job_id;
    if (typeof id !== "string" || id === "") return `it has no job ID (${envelope === "meta" ? "meta.job_id" : "job_id"})`;
  }
  return undefined;
}

/**
 * A value JSON.stringify would choke on (a BigInt) or silently drop (a symbol, a function): refused,
 * so that what is sent is what was given. NaN and Infinity become null, as JSON defines, and the
 * validator refuses them where the spec wants a number.
 */
function strict(_key: string, value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") throw new TypeError("unserialisable");
  return value;
}

/**
 * Finds, with its path, each part of a body that `strict` refused or that made JSON.stringify
 * throw. A getter that throws, or nesting too deep for the stack, ends the walk (see serialise).
 */
function jsonIssues(value: unknown, path: string, key: string, seen: unknown[], paths: string[], out: ValidationIssue[]): void {
  if (typeof (value as { toJSON?: unknown } | null)?.toJSON === "function") {
    try {
      value = (value as { toJSON(key: string): unknown }).toJSON(key);
    } catch {
      return void out.push(issue(path, "toJSON", "must have a toJSON() that does not throw", undefined));
    }
  }
  const type = typeof value;
  if (type === "bigint" || type === "symbol" || type === "function") return void out.push(issue(path, "type", `must not be a ${type === "bigint" ? "BigInt" : type}`, value));
  if (type !== "object" || value === null) return;
  const at = seen.indexOf(value);
  if (at >= 0) return void out.push(issue(path, "cycle", `must not refer back to ${paths[at]}`, undefined));
  seen.push(value);
  paths.push(path);
  for (const k of Object.keys(value as object)) jsonIssues((value as Record<string, unknown>)[k], `${path}.${k}`, k, seen, paths, out);
  seen.pop();
  paths.pop();
}

/**
 * The body as JSON text, or undefined with its issues added to `out`. `merged` is the caller's
 * object the body was copied from: a reference back to it is a reference back to the body.
 */
function serialise(body: unknown, out: ValidationIssue[], merged?: object): string | undefined {
  if (body === undefined) return undefined;
  try {
    return JSON.stringify(body, strict);
  } catch {
    const found: ValidationIssue[] = [];
    try {
      jsonIssues(body, "body", "", merged ? [merged] : [], merged ? ["body"] : [], found);
    } catch {
      // A throwing getter or a stack overflow: what was found so far, or the body as a whole.
    }
    out.push(...(found.length ? found : [issue("body", "json", "must be JSON", undefined)]));
    return undefined;
  }
}

/** The issues of one call's options (under `at`, e.g. "options"), before anything else is looked at. */
export function optionIssues(options: unknown, at = "options"): ValidationIssue[] {
  if (!isObject(options)) return [issue(at, "type", "must be an object", options)];
  // Most calls pass no options: nothing to check.
  for (const _ in options) return optionChecks(options, at);
  return [];
}

function optionChecks(options: Record<string, unknown>, at: string): ValidationIssue[] {
  const issues = numberIssues(`${at}.`, options, { timeoutMs: "ms", maxRetries: "count", maxResponseBytes: "bytes" });
  // An unknown key is most likely a query or body passed in the options' place.
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key) && options[key] !== undefined) issues.push(issue(`${at}.${key}`, "additionalProperties", `is not an option (${OPTION_KEYS.join(", ")})`, options[key]));
  }
  if (options.signal !== undefined && !isSignal(options.signal)) {
    issues.push(issue(`${at}.signal`, "type", "must be an AbortSignal", options.signal));
  }
  // A call's header issues have always been named "headers.<name>".
  issues.push(...headerIssues(options.headers, at === "options" ? "headers" : `${at}.headers`), ...fetchOptionIssues(options.fetchOptions, `${at}.fetchOptions`));
  return issues;
}

/** The issues of a record of headers (a call's, or the client's defaultHeaders) at `at`. */
export function headerIssues(headers: unknown, at: string): ValidationIssue[] {
  if (headers === undefined) return [];
  if (!isObject(headers)) return [issue(at, "type", "must be an object of strings", headers)];
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      issues.push(issue(`${at}.${name}`, "headerName", "must be an HTTP field name", name));
    } else if (value != null && (typeof value !== "string" || !HEADER_VALUE.test(value))) {
      issues.push(issue(`${at}.${name}`, "headerValue", "must be a string of Latin-1 characters without controls (CR, LF, NUL)", value));
    }
  }
  return issues;
}

/** The issues of fetchOptions at `at`: an object that leaves what the client sets alone. */
export function fetchOptionIssues(value: unknown, at: string): ValidationIssue[] {
  if (value === undefined) return [];
  if (!isObject(value)) return [issue(at, "type", "must be an object", value)];
  return RESERVED.filter((key) => value[key] !== undefined).map((key) => issue(`${at}.${key}`, "reserved", "is set by the client and cannot be passed through", value[key]));
}

/** Runs operations by operationId. */
export class Core {
  readonly #config: CoreConfig;
  readonly #client: ReturnType<typeof openapiFetch.default<paths>>;
  /** globalThis.fetch as it was when the client was made, as openapi-fetch would have taken it. */
  readonly #globalFetch: typeof fetch = globalThis.fetch;

  constructor(config: CoreConfig) {
    this.#config = config;
    this.#client = createClient<paths>({
      baseUrl: config.baseUrl,
      // The defaults go under the token, which they cannot replace; a call's headers go over both.
      headers: { Accept: "application/json", ...config.headers, Authorization: `Bearer ${config.token}` },
      ...(config.Request && { Request: config.Request }),
    });
  }

  /** What errors remember of a request of operation `id`. */
  summary(id: OperationId, pathParams: Record<string, unknown>): RequestSummary {
    const row = operations[id];
    const path = fillPath(row.path, pathParams);
    return { method: row.method, route: row.path, path, url: this.#config.baseUrl + path, operationId: id };
  }

  /**
   * Sends operation `id` and resolves to its parsed 200 body; rejects with a PropexoError from
   * which every form of the token has been removed. `expect` adds checks of the body that a
   * caller relies on. With `raw`, a success resolves as soon as its headers arrive, with the body
   * unread (`data` undefined): reading it, and its size, are the caller's.
   */
  async call(id: OperationId, input: CallInput, options: RequestOptions = {}, expect?: Expect, raw = false): Promise<WithResponse<unknown>> {
    try {
      return await this.#call(id, input, options, expect, raw);
    } catch (err) {
      // The caller gets the error; logging it too (by default) would report it twice.
      this.#config.log.debug(String(this.#config.redact.error(err)));
      throw err;
    }
  }

  async #call(id: OperationId, input: CallInput, options: RequestOptions, expect: Expect | undefined, raw: boolean): Promise<WithResponse<unknown>> {
    const row = operations[id];
    const config = this.#config;
    const pathParams = input.path ?? {};
    const defaults = config.query;
    const own = input.query ?? {};
    let query = own;
    // The client's defaultQuery goes under the call's own query. Its keys are checked against the
    // spec only where the operation declares them: elsewhere they are the caller's own extras.
    let checked = own;
    if (defaults && isObject(own)) {
      query = { ...defaults, ...own };
      checked = { ...own };
      for (const key of row.queryParams as readonly string[]) if (!(key in own) && key in defaults) checked[key] = defaults[key];
    }
    const summary = this.summary(id, pathParams);

    if (!row.supported) {
      throw new UnsupportedOperationError({
        status: 405,
        request: summary,
        message: `${row.vendor} has no upstream support for this operation, so Propexo always answers 405; nothing was sent`,
      });
    }
    const issues = optionIssues(options);
    issues.push(...this.#unsafe(row.pathParams, pathParams, query));
    const body = serialise(input.body, issues, input.merged);
    if (config.validate) {
      try {
        issues.push(...validateRequest(id, { path: pathParams, query: checked, body: input.body }));
      } catch {
        // A body JSON cannot carry (a cycle, a getter that throws) may trip the validator's walk;
        // serialise has named what is wrong with it already.
      }
    }
    if (issues.length) throw new RequestValidationError(issues, summary);

    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? config.timeoutMs;
    const maxRetries = options.maxRetries ?? config.maxRetries;
    const limit = options.maxResponseBytes ?? config.maxResponseBytes;
    const where = `${row.method} ${summary.path}`;
    const fetchOptions = options.fetchOptions || config.fetchOptions ? { ...config.fetchOptions, ...options.fetchOptions } : undefined;
    // The path goes to openapi-fetch already filled in (summary.path), so it is encoded once, here.
    // The body goes already serialised, so that a body JSON cannot carry never reaches the wire.
    // Redirects are never followed: Propexo's API does not redirect, and following one would
    // turn a write into a GET or send its body to another origin.
    const init = {
      params: { query },
      body,
      bodySerializer: (text: unknown) => text,
      headers: options.headers,
      // A raw call hands the body over unread.
      parseAs: raw ? "stream" : "text",
      redirect: "manual",
      // For our Node transport, which reads them from the request (see transport-contract.ts).
      [LIMIT_KEY]: limit,
      [STREAM_KEY]: raw,
    };
    for (let attempt = 0; ; attempt++) {
      let failure: Failure;
      let failed: PropexoError;
      const ticket = await this.#turn(signal, timeoutMs, summary, where);
      if (signal?.aborted) {
        config.limiter?.settle(ticket);
        throw abortReason(signal);
      }
      // One controller per attempt: the caller's signal and this attempt's clock both abort it,
      // and it covers reading the body too, so a stalled body cannot hang the call.
      const controller = new AbortController();
      const onAbort = () => controller.abort(abortReason(signal!));
      signal?.addEventListener("abort", onAbort, { once: true });
      // A raw response's body is still to be read: the caller's signal keeps cutting it.
      let handedOver = false;
      const timer = setTimeout(
        () => controller.abort(new TimeoutError(`${where}: no response within ${timeoutMs} ms`, { request: summary })),
        timerDelay(timeoutMs),
      );
      try {
        // openapi-fetch builds a fresh Request from the inputs each attempt, so a retry never
        // needs to copy a consumed body.
        const { data, error, response } = await this.#client.request(row.method.toLowerCase() as "get", summary.path as never, {
          ...init,
          ...this.#transport(controller.signal, summary, limit, fetchOptions, raw),
        } as never);
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        config.limiter?.observe(response.headers, response.status, retryAfterMs, ticket);
        if (response.ok && raw) {
          handedOver = true;
          return { data: undefined, response, requestId: requestIdOf(response.headers) };
        }
        if (response.ok) return this.#success(summary, data, response, row.returns, (row as { envelope?: string }).envelope, expect);
        failed = errorFromResponse({ status: response.status, headers: response.headers, body: config.redact.value(error), request: summary, response });
        failure = { kind: "status", status: response.status, retryAfterMs };
        if (retryAfterMs !== undefined && retryAfterMs > retryPolicy.maxRetryAfterMs) failure = { kind: "final" };
      } catch (err) {
        if (signal?.aborted) throw abortReason(signal);
        const reason: unknown = controller.signal.reason;
        if (controller.signal.aborted && reason instanceof TimeoutError) {
          // The request may have reached the server before the clock ran out.
          failure = { kind: "maybe-sent" };
          failed = reason;
        } else if (err instanceof PropexoError) {
          // An answer the client cannot use (a redirect, a bad status or body, too large): final.
          failure = { kind: "final" };
          failed = err;
        } else {
          failure = classifyNetworkError(err);
          failed = new ConnectionError(`${where}: connection failed${failure.code ? ` (${failure.code})` : ""}`, { request: summary, cause: err });
        }
      } finally {
        clearTimeout(timer);
        if (!handedOver) signal?.removeEventListener("abort", onAbort);
        config.limiter?.settle(ticket);
      }
      if (!shouldRetry(row.method, failure, attempt, maxRetries)) throw failed;
      const delay = failure.kind === "status" && failure.retryAfterMs !== undefined ? failure.retryAfterMs : backoffDelay(attempt);
      const why = failure.kind === "status" ? `status ${failure.status}` : `${failed.name}${"code" in failure && failure.code ? ` ${failure.code}` : ""}`;
      config.log.info(`${where}: retry ${attempt + 1} of ${maxRetries} in ${delay} ms after ${why}`);
      await sleep(delay, signal);
    }
  }

  /**
   * Waits for the attempt's turn under the rate limit, for at most `timeoutMs`: a call whose turn
   * does not come in time fails with TimeoutError and is never sent.
   */
  async #turn(signal: AbortSignal | undefined, timeoutMs: number, request: RequestSummary, where: string): Promise<unknown> {
    const limiter = this.#config.limiter;
    if (!limiter) return undefined;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal!.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new TimeoutError(`${where}: no turn under the rate limit within ${timeoutMs} ms; nothing was sent`, { request })),
      timerDelay(timeoutMs),
    );
    try {
      // The queue releases calls in order; this one leaves it at its own deadline, and a turn
      // that comes after all the same is handed back.
      return await untilAborted(limiter.acquire(controller.signal), controller.signal, (late) => limiter.settle(late));
    } catch (err) {
      const reason: unknown = controller.signal.reason;
      if (reason instanceof TimeoutError && !signal?.aborted) throw reason;
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * The fetch of an attempt and where its signal goes. A user's fetch finds the signal in the
   * Request, the only place it can look. Global fetch takes it as an init instead: Node's fetch
   * copies the Request it is given, and a signal inside would be followed once by openapi-fetch's
   * Request and again by the copy (about 10 µs a call in Node 20). Aborting works the same either
   * way, also while the body is read. Every answer then passes #receive.
   */
  #transport(signal: AbortSignal, request: RequestSummary, limit: number, extra: FetchOptions | undefined, raw: boolean) {
    const globalFetch = this.#globalFetch; // called unbound, as browsers require
    const send = this.#config.fetch ?? ((r: Request, init?: FetchOptions) => globalFetch(r, { ...init, signal }));
    const fetch = async (r: Request) => {
      let response: Response | undefined;
      const started = Date.now();
      try {
        // A user's fetch gets the pass-through settings as its init, only when there are some.
        const sent = extra ? send(r, extra) : send(r);
        // A user's fetch may not honour the signal (or may drop the request it was given): the
        // attempt still ends when its signal fires, and an answer that comes after is let go.
        response = await (this.#config.fetch ? untilAborted(sent, signal, (late) => void late.body?.cancel().catch(() => {})) : sent);
      } catch (err) {
        throw this.#fault(err, request) ?? err;
      } finally {
        // The URL carries the query but never the token (it travels in a header, and no header is logged).
        const id = response && requestIdOf(response.headers);
        this.#config.log.debug(`${r.method} ${r.url} → ${response?.status ?? "no answer"} in ${Date.now() - started} ms${id ? `, request ${id}` : ""}`);
      }
      return this.#receive(response, request, limit, raw);
    };
    return this.#config.fetch ? { fetch, signal } : { fetch };
  }

  /** The core's own error for a fault our Node transport reports by code (see transport-contract.ts). */
  #fault(err: unknown, request: RequestSummary): PropexoError | undefined {
    const fault = err as Partial<TransportFault> | undefined;
    const init = { status: fault?.status ?? 0, headers: fault?.headers, request };
    if (fault?.code === TOO_LARGE) return new ResponseTooLargeError({ ...init, limit: fault.limit ?? 0 });
    if (fault?.code === BAD_STATUS) return new InvalidResponseError({ ...init, message: badStatus(init.status) });
    return undefined;
  }

  /**
   * Refuses an answer the client cannot use (a redirect, a status outside 200–599), reads the body
   * within the size limit, and hands on a response without the token in its headers or status text.
   */
  async #receive(response: Response, request: RequestSummary, limit: number, raw: boolean): Promise<Response> {
    const { status, headers } = response;
    const refuse = (error: PropexoError) => {
      response.body?.cancel().catch(() => {});
      return Promise.reject(error);
    };
    if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
      const to = headers.get("location");
      return refuse(
        new RedirectError({
          status,
          headers,
          request,
          response,
          message: `redirected${to ? ` to ${to}` : ""}; not followed, as Propexo's API never redirects`,
        }),
      );
    }
    if (status < 200 || status > 599) return refuse(new InvalidResponseError({ status, headers, request, response, message: badStatus(status) }));
    const declared = headers.get("content-length");
    // fetch decodes content-encoding, so only an unencoded body's declared length is its real one.
    const length = declared !== null && /^\d+$/.test(declared) && !headers.has("content-encoding") ? +declared : NaN;
    let result = response;
    // A body of a known length within the limit is handed on as it is; one past it is refused
    // before it is read; any other (no length, or one that is no number) is read, and cut off at the limit.
    if (response.body && !(raw && response.ok) && !(length <= limit)) {
      const tooLarge = () => refuse(new ResponseTooLargeError({ status, headers, request, response, limit }));
      if (length > limit) return tooLarge();
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          reader.cancel().catch(() => {});
          return tooLarge();
        }
        chunks.push(value);
      }
      const bytes = new Uint8Array(size);
      chunks.reduce((at, chunk) => (bytes.set(chunk, at), at + chunk.byteLength), 0);
      result = new Response(bytes, { status, statusText: reason(response.statusText), headers });
      if (response.url) Object.defineProperty(result, "url", { value: response.url });
    }
    // result's status is 200–599 (checked above), so a clean copy can always be built.
    return this.#config.redact.response(result)!;
  }

  /** A 200's body, parsed and checked for what the client reads from it; an ApiError if it cannot be used. */
  #success(summary: RequestSummary, text: unknown, response: Response, kind: string, envelope: string | undefined, expect: Expect | undefined): WithResponse<unknown> {
    const body = typeof text === "string" ? text : "";
    const parsed = parseJson(body);
    const problem =
      parsed === undefined
        ? `the response is not the JSON the spec promises (${response.headers.get("content-type") ?? "no content type"})`
        : shapeProblem(kind, parsed, envelope) ?? expect?.(parsed as Record<string, unknown>);
    if (problem) {
      throw new InvalidResponseError({
        status: response.status,
        headers: response.headers,
        body: this.#config.redact.value(parsed === undefined ? body : parsed),
        request: summary,
        response,
        message: problem,
      });
    }
    return { data: parsed, response, requestId: requestIdOf(response.headers) };
  }

  /** Path segments and query values that would change the request's meaning, or could not be encoded, if sent as given. */
  #unsafe(names: readonly string[], pathParams: Record<string, unknown>, query: Record<string, unknown>): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    for (const name of names) {
      const value = pathParams[name];
      // "." and ".." would be resolved away by URL parsing and reach another route.
      if (typeof value !== "string" || value === "" || value === "." || value === "..") {
        issues.push(issue(`path.${name}`, "pathSegment", 'must be a non-empty string other than "." and ".."', value));
      } else if (LONE_SURROGATE.test(value)) {
        issues.push(issue(`path.${name}`, "wellFormed", "must be well-formed Unicode", value));
      }
    }
    for (const [name, value] of Object.entries(isObject(query) ? query : {})) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === "string" ? LONE_SURROGATE.test(item) : typeof item === "symbol" || typeof item === "function") {
          issues.push(issue(`query.${name}`, "wellFormed", "must be well-formed Unicode", item));
        }
      }
    }
    return issues;
  }
}

/** The message of a status outside what HTTP defines for a final answer. */
function badStatus(status: number): string {
  return `status ${status} is not that of a final HTTP answer (200–599)`;
}

/** JSON.parse that answers undefined for an empty or malformed body. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Empty, or not JSON.
  }
  return undefined;
}

/** Base URLs the client will send a token to: HTTPS anywhere, plain HTTP only on this machine. */
export function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PropexoError(`baseUrl must be an absolute URL, received ${JSON.stringify(raw)}`);
  }
  // A query or fragment would swallow every call's path (the path is appended after it), and
  // credentials in the URL would be sent to the server as well as the token (they are not shown).
  if (/[?#]/.test(raw)) throw new PropexoError(`baseUrl must not contain "?" or "#" (every call's path is appended to it), received ${JSON.stringify(raw)}`);
  if (url.username || url.password) throw new PropexoError("baseUrl must not contain credentials (value not shown)");
  // URL gives an IPv6 host in brackets, and an IPv4 one in its dotted form.
  const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new PropexoError(`baseUrl must use https (plain http only for loopback addresses), received ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, "");
}

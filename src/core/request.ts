// The core: the one module that builds the openapi-fetch client, checks a call before it is
// sent, paces it under the rate limit, runs each attempt with its own timeout, retries what is
// safe to retry (policy and timing in ./retry.ts), unwraps the body and turns failures into
// typed errors. Resource methods (../client.ts) are generated from the operation table and all end here.
import * as openapiFetch from "openapi-fetch";
import type { paths } from "../../generated/schema.js";
import { operations, type OperationId } from "../../generated/operations.js";
import {
  ApiError,
  ConnectionError,
  PropexoError,
  TimeoutError,
  RequestValidationError,
  UnsupportedOperationError,
  errorFromResponse,
  requestIdOf,
  type RequestSummary,
  type ValidationIssue,
} from "./errors.js";
import type { Logger } from "./logger.js";
import type { Pacer } from "./rate-limit.js";
import { backoffDelay, classifyNetworkError, parseRetryAfter, retryPolicy, shouldRetry, type Failure } from "./retry.js";
import { abortReason, sleep } from "./sleep.js";
import { validateRequest } from "./validate.js";

/** Per-call settings; every method takes them as its last argument. */
export interface RequestOptions {
  /** Cancels the call, including retries and waits. */
  signal?: AbortSignal | undefined;
  /** Time limit of each attempt, in milliseconds. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt (only where retrying is safe). */
  maxRetries?: number | undefined;
  /** Extra request headers. */
  headers?: Record<string, string> | undefined;
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
  fetch: ((request: Request) => Promise<Response>) | undefined;
  /** The user's Request class; undefined means globalThis.Request. */
  Request: typeof Request | undefined;
  maxRetries: number;
  timeoutMs: number;
  validate: boolean;
  limiter: Pacer | undefined;
  log: Logger;
  scrub: (text: string) => string;
}

/** The inputs of one operation call. */
export interface CallInput {
  path?: Record<string, unknown>;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
}

// openapi-fetch's CommonJS build sets `exports.default` without `__esModule`, so a CommonJS
// consumer of our CJS build sees its whole exports object as the default import. Both shapes work.
// Looked up when a client is made, not at module load, so that a bundle which imports only a
// helper (appointmentSlot) leaves openapi-fetch out.
const createClient = ((options) => {
  const create = typeof openapiFetch.default === "function" ? openapiFetch.default : (openapiFetch.default as unknown as { default: typeof openapiFetch.default }).default;
  return create(options);
}) as typeof openapiFetch.default;

/** Percent-encodes each path parameter into the route, as sent on the wire. */
function fillPath(route: string, params: Record<string, unknown>): string {
  return route.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
}

const CRLF = /[\r\n]/;

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
      headers: { Authorization: `Bearer ${config.token}`, Accept: "application/json" },
      ...(config.Request && { Request: config.Request }),
    });
  }

  /** Sends operation `id` and resolves to its parsed 200 body; rejects with a PropexoError. */
  async call(id: OperationId, input: CallInput, options: RequestOptions = {}): Promise<WithResponse<unknown>> {
    const row = operations[id];
    const config = this.#config;
    const pathParams = input.path ?? {};
    const query = input.query ?? {};
    const path = fillPath(row.path, pathParams);
    const summary: RequestSummary = { method: row.method, route: row.path, path, url: config.baseUrl + path, operationId: id };

    if (!row.supported) {
      throw new UnsupportedOperationError({
        status: 405,
        request: summary,
        message: `${row.vendor} has no upstream support for this operation, so Propexo always answers 405; nothing was sent`,
      });
    }
    const issues = this.#unsafe(row.pathParams, pathParams, options.headers);
    if (config.validate) issues.push(...validateRequest(id, { path: pathParams, query, body: input.body }));
    if (issues.length) throw new RequestValidationError(issues, summary);

    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? config.timeoutMs;
    const maxRetries = options.maxRetries ?? config.maxRetries;
    const where = `${row.method} ${summary.path}`;
    // The path goes to openapi-fetch already filled in (summary.path), so it is encoded once, here.
    const init = {
      params: { query },
      body: input.body,
      headers: options.headers,
      parseAs: "text",
    };
    for (let attempt = 0; ; attempt++) {
      const ticket = await config.limiter?.acquire(signal);
      if (signal?.aborted) throw abortReason(signal);
      // One controller per attempt: the caller's signal and this attempt's clock both abort it,
      // and it covers reading the body too, so a stalled body cannot hang the call.
      const controller = new AbortController();
      const onAbort = () => controller.abort(abortReason(signal!));
      signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(new TimeoutError(`${where}: no response within ${timeoutMs} ms`, { request: summary })), timeoutMs);
      let failure: Failure;
      let failed: PropexoError;
      try {
        config.log.info(`${where} attempt ${attempt + 1}`);
        // openapi-fetch builds a fresh Request from the inputs each attempt, so a retry never
        // needs to copy a consumed body.
        const { data, error, response } = await this.#client.request(row.method.toLowerCase() as "get", summary.path as never, {
          ...init,
          ...this.#transport(controller.signal),
        } as never);
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        config.limiter?.observe(response.headers, response.status, retryAfterMs, ticket);
        if (response.ok) return this.#success(summary, data, response);
        failed = errorFromResponse({ status: response.status, headers: response.headers, body: this.#scrubBody(error), request: summary, response });
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
          throw err;
        } else {
          failure = classifyNetworkError(err);
          failed = new ConnectionError(`${where}: connection failed${failure.code ? ` (${failure.code})` : ""}`, { request: summary, cause: err });
        }
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        config.limiter?.settle(ticket);
      }
      if (!shouldRetry(row.method, failure, attempt, maxRetries)) {
        config.log.error(failed.message);
        throw failed;
      }
      const delay = failure.kind === "status" && failure.retryAfterMs !== undefined ? failure.retryAfterMs : backoffDelay(attempt);
      config.log.warn(`${failed.message}; retry ${attempt + 1} of ${maxRetries} in ${delay} ms`);
      await sleep(delay, signal);
    }
  }

  /**
   * The fetch of an attempt and where its signal goes. A user's fetch finds the signal in the
   * Request, the only place it can look. Global fetch takes it as an init instead: Node's fetch
   * copies the Request it is given, and a signal inside would be followed once by openapi-fetch's
   * Request and again by the copy (about 10 µs a call in Node 20). Aborting works the same either
   * way, also while the body is read.
   */
  #transport(signal: AbortSignal) {
    const globalFetch = this.#globalFetch; // called unbound, as browsers require
    return this.#config.fetch
      ? { fetch: this.#config.fetch, signal }
      : { fetch: (request: Request) => globalFetch(request, { signal }) };
  }

  /** A 200's body, parsed; a body that is not JSON is an ApiError, as the spec promises JSON. */
  #success(summary: RequestSummary, text: unknown, response: Response): WithResponse<unknown> {
    const body = typeof text === "string" ? text : "";
    const parsed = parseJson(body);
    if (parsed === undefined) {
      throw new ApiError({
        status: response.status,
        headers: response.headers,
        body: this.#config.scrub(body),
        request: summary,
        response,
        message: `the response is not the JSON the spec promises (${response.headers.get("content-type") ?? "no content type"})`,
      });
    }
    this.#config.log.debug(`${summary.method} ${summary.path} → ${response.status}`);
    return { data: parsed, response, requestId: requestIdOf(response.headers) };
  }

  /** Path segments and headers that would change the request's meaning if sent as given. */
  #unsafe(names: readonly string[], pathParams: Record<string, unknown>, headers: Record<string, string> | undefined): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    for (const name of names) {
      const value = pathParams[name];
      // "." and ".." would be resolved away by URL parsing and reach another route.
      if (typeof value !== "string" || value === "" || value === "." || value === "..") {
        issues.push({ path: `path.${name}`, rule: "pathSegment", message: 'must be a non-empty string other than "." and ".."', value });
      }
    }
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (CRLF.test(name) || CRLF.test(String(value))) {
        issues.push({ path: `headers.${name}`, rule: "headerValue", message: "must not contain CR or LF", value });
      }
    }
    return issues;
  }

  /** An error body with every copy of the token replaced, whatever its shape. */
  #scrubBody(body: unknown): unknown {
    if (typeof body === "string") return this.#config.scrub(body);
    if (body === undefined) return undefined;
    const text = JSON.stringify(body);
    const clean = this.#config.scrub(text);
    return clean === text ? body : JSON.parse(clean);
  }
}

/** JSON.parse that answers undefined for an empty or malformed body. */
function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Base URLs the client will send a token to: HTTPS anywhere, plain HTTP only on this machine. */
export function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PropexoError(`baseUrl must be an absolute URL, received ${JSON.stringify(raw)}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new PropexoError(`baseUrl must use https (plain http only for loopback addresses), received ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, "");
}

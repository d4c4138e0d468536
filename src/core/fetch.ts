// The fetch wrapper under openapi-fetch: for each call it paces the request under the rate
// limit, runs each attempt with its own timeout, reads the body inside that timeout, retries
// what is safe to retry, and turns network failures into typed errors. Statuses are left to
// the core (./request.ts), which is the only place that maps them to error classes.
import { AbortError, ConnectionError, TimeoutError, type RequestSummary } from "./errors.js";
import type { Logger } from "./logger.js";
import type { RateLimiter } from "./rate-limit.js";
import { backoffDelay, parseRetryAfter, retryPolicy, shouldRetry, type Failure } from "./retry.js";
import { abortReason, sleep } from "./sleep.js";

/** What one call's attempts need to know. */
export interface AttemptOptions {
  fetch: (request: Request) => Promise<Response>;
  timeoutMs: number;
  maxRetries: number;
  signal?: AbortSignal | undefined;
  limiter?: RateLimiter | undefined;
  log: Logger;
  summary: RequestSummary;
  /** Test seam for the backoff's randomness. */
  random?: () => number;
}

// Error codes (Node/undici) meaning no connection was made, so the server never saw the request.
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** The first `code` along an error's cause chain. */
function errorCode(err: unknown): string | undefined {
  for (let e: any = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === "string") return e.code;
  }
  return undefined;
}

/** Builds the `fetch` that openapi-fetch calls for one operation call. */
export function attemptingFetch(options: AttemptOptions): (request: Request) => Promise<Response> {
  const { timeoutMs, maxRetries, signal, limiter, log, summary } = options;
  return async (request) => {
    const method = request.method;
    const where = `${method} ${summary.path}`;
    for (let attempt = 0; ; attempt++) {
      await limiter?.acquire(signal);
      const controller = new AbortController();
      const onAbort = () => controller.abort(abortReason(signal!));
      if (signal?.aborted) throw abortReason(signal);
      signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(new TimeoutError(`${where}: no response within ${timeoutMs} ms`, { request: summary })), timeoutMs);
      let failure: Failure;
      let thrown: Error;
      try {
        log.info(`${where} attempt ${attempt + 1}`);
        // A fresh copy each attempt: a request body can be read only once.
        const response = await options.fetch(new Request(request.clone(), { signal: controller.signal }));
        // The body is read inside the attempt's timeout, so a stalled body cannot hang the call.
        const text = await response.text();
        const buffered = new Response(response.status === 204 || response.status === 304 ? null : text, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        limiter?.observe(response.headers, response.status, retryAfterMs);
        if (response.ok) return buffered;
        failure = { kind: "status", status: response.status, retryAfterMs };
        if (
          !shouldRetry(method, failure, attempt, maxRetries) ||
          (retryAfterMs !== undefined && retryAfterMs > retryPolicy.maxRetryAfterMs)
        ) {
          return buffered;
        }
        thrown = new Error(`status ${response.status}`);
      } catch (err) {
        if (signal?.aborted) throw abortReason(signal);
        const reason: unknown = controller.signal.reason;
        if (controller.signal.aborted && reason instanceof TimeoutError) {
          // The request may have reached the server before the clock ran out.
          failure = { kind: "maybe-sent" };
          thrown = reason;
        } else if (err instanceof AbortError || (err instanceof Error && err.name === "AbortError")) {
          throw err instanceof AbortError ? err : new AbortError(`${where}: aborted`, { request: summary, cause: err });
        } else {
          const code = errorCode(err);
          failure = { kind: code && NOT_SENT.has(code) ? "not-sent" : "maybe-sent" };
          thrown = new ConnectionError(`${where}: connection failed${code ? ` (${code})` : ""}`, { request: summary, cause: err });
        }
        if (!shouldRetry(method, failure, attempt, maxRetries)) throw thrown;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
      const delay =
        failure.kind === "status" && failure.retryAfterMs !== undefined
          ? failure.retryAfterMs
          : backoffDelay(attempt, options.random);
      log.warn(`${where} failed (${thrown.message}); retry ${attempt + 1} of ${maxRetries} in ${delay} ms`);
      await sleep(delay, signal);
    }
  };
}

// Retry, kept in three parts: the policy (a literal), the timing (pure functions, tested with fake
// timers) and the mechanics (applied by the retry loop in ./request.ts).

/** When a failed attempt may be tried again. */
export const retryPolicy = {
  /** Attempts after the first, unless the client or the call says otherwise. */
  maxRetries: 2,
  /** Methods the API treats as idempotent: sending them twice does no more than once. */
  idempotentMethods: ["GET", "PUT", "HEAD", "OPTIONS", "DELETE"],
  /** Statuses worth another try of an idempotent request. */
  retryStatuses: [408, 429, 500, 502, 503, 504],
  /** Backoff: the first retry waits up to this long, each later one twice as long... */
  baseDelayMs: 500,
  /** ...up to this cap. */
  maxDelayMs: 8_000,
  /** A `Retry-After` longer than this is not waited for; the error is thrown instead. */
  maxRetryAfterMs: 60_000,
} as const;

/** Why an attempt failed, as far as retrying is concerned. */
export type Failure =
  | { kind: "status"; status: number; retryAfterMs?: number | undefined }
  /** No connection was made, so the server cannot have seen the request (e.g. ECONNREFUSED). */
  | { kind: "not-sent"; code?: string | undefined }
  /** The connection broke or timed out after the request may have reached the server. */
  | { kind: "maybe-sent"; code?: string | undefined }
  /** Not to be retried whatever the method (e.g. a Retry-After beyond the cap). */
  | { kind: "final" };

/**
 * Whether to try again after `failure` on attempt `attempt` (0-based). A request that may have
 * reached the server is retried only when repeating it is harmless (idempotent methods); a POST
 * is retried only when the server cannot have acted on it: a 429, or a connection never made.
 */
export function shouldRetry(method: string, failure: Failure, attempt: number, maxRetries: number): boolean {
  if (attempt >= maxRetries || failure.kind === "final") return false;
  if (failure.kind === "not-sent") return true;
  if (failure.kind === "status" && failure.status === 429) return true;
  const idempotent = (retryPolicy.idempotentMethods as readonly string[]).includes(method);
  if (failure.kind === "maybe-sent") return idempotent;
  return idempotent && (retryPolicy.retryStatuses as readonly number[]).includes(failure.status);
}

/**
 * Milliseconds to wait before retry number `attempt` (0-based): "full jitter" exponential backoff,
 * a random point in [0, min(cap, base·2^attempt)], which keeps many clients from retrying in step.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(retryPolicy.maxDelayMs, retryPolicy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling * random());
}

/**
 * Milliseconds a `Retry-After` header asks for: either delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date always names its weekday and month; this keeps Date.parse from reading "-3" as a year.
  const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Error codes (Node/undici) meaning no connection was made, so the server never saw the request.
const NOT_SENT = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"];

/**
 * Whether a failed fetch can have reached the server, from the first `code` along its cause
 * chain. Browsers give no code, so their failures count as possibly sent.
 */
export function classifyNetworkError(err: unknown): Extract<Failure, { kind: "not-sent" | "maybe-sent" }> {
  let code: string | undefined;
  for (let e: any = err, depth = 0; e && depth < 5 && !code; e = e.cause, depth++) {
    if (typeof e.code === "string") code = e.code;
  }
  return { kind: code && NOT_SENT.includes(code) ? "not-sent" : "maybe-sent", code };
}

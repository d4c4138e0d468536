// Every error the client throws, in one place, and the one function that picks a class from an
// HTTP status (errorFromResponse). Nothing else in the client maps statuses to errors.

/** What an error remembers of the request that failed; the token is never part of it. */
export interface RequestSummary {
  method: string;
  /** Full URL, e.g. "https://api.propexo.com/v1/events/abc". */
  url: string;
  /** The URL's path, e.g. "/v1/events/abc". */
  path: string;
  /** Path as written in the spec, e.g. "/v1/events/{event_id}". */
  route: string;
  /** The spec's operationId. */
  operationId: string;
}

/** Base class of every error this package throws. */
export class PropexoError extends Error {
  // The name lives on the prototype, as a getter, rather than in a field every instance copies;
  // and not as a statement after the class, which would keep every class in a bundle that
  // imports none of them. `error.name`, `String(error)`, the stack and toJSON() all read it.
  override get name(): string {
    return "PropexoError";
  }
  /** The request that failed, when there was one. */
  declare readonly request: RequestSummary | undefined;

  constructor(message: string, options: { request?: RequestSummary; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.request = options.request;
  }

  /** A plain, token-free description, so that `JSON.stringify(error)` is safe to log. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key === "cause" || value instanceof Headers || value instanceof Response) continue;
      // A refused value JSON cannot carry (a BigInt, a cycle, a throwing toJSON) is described instead.
      out[key] = key === "issues" ? (value as ValidationIssue[]).map((i) => ({ ...i, value: jsonSafe(i.value) })) : value;
    }
    return out;
  }
}

/** `value` if JSON.stringify can carry it, else its description. */
function jsonSafe(value: unknown): unknown {
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return formatValue(value);
  }
}

/** The documented error body: `{ error: { code, message, details? } }`. */
interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** The API answered with an error status. */
export class ApiError extends PropexoError {
  override get name(): string {
    return "ApiError";
  }
  /** HTTP status. */
  declare readonly status: number;
  /** Response headers. */
  declare readonly headers: Headers;
  /** Parsed JSON body, or the text when it was not JSON, or undefined when empty. */
  declare readonly body: unknown;
  /** The request ID the server sent (`x-request-id` and kin), if any. */
  declare readonly requestId: string | undefined;
  /** `error.code` of the documented error body, e.g. "invalid_request". */
  declare readonly code: string | undefined;
  /** `error.details` of the documented error body; for a 400, the validation issues. */
  declare readonly details: unknown;
  /** The raw response; its body has been read. */
  declare readonly response: Response | undefined;

  constructor(init: {
    status: number;
    headers?: Headers;
    body?: unknown;
    request: RequestSummary;
    response?: Response;
    message?: string;
  }) {
    const err = errorBody(init.body);
    const serverMessage = init.message ?? (typeof err?.message === "string" ? err.message : describeBody(init.body));
    super(`${init.status} ${init.request.method} ${init.request.path}: ${serverMessage}`, { request: init.request });
    this.status = init.status;
    this.headers = init.headers ?? new Headers();
    this.body = init.body;
    this.requestId = requestIdOf(this.headers);
    this.code = typeof err?.code === "string" ? err.code : undefined;
    this.details = err?.details;
    this.response = init.response;
  }
}

/** 400: the API refused the request; `details` holds its validation issues. */
export class BadRequestError extends ApiError {
  override get name(): string {
    return "BadRequestError";
  }
}
/** 401: the token is missing or was not accepted. */
export class AuthenticationError extends ApiError {
  override get name(): string {
    return "AuthenticationError";
  }
}
/** 403: the token may not do this. */
export class PermissionDeniedError extends ApiError {
  override get name(): string {
    return "PermissionDeniedError";
  }
}
/** 404: no such resource or route. */
export class NotFoundError extends ApiError {
  override get name(): string {
    return "NotFoundError";
  }
}
/**
 * 405: the PMS cannot do this. Thrown without a network call for operations the spec marks
 * `x-propexo-supported: false` (then `response` is undefined).
 */
export class UnsupportedOperationError extends ApiError {
  override get name(): string {
    return "UnsupportedOperationError";
  }
}
/** 429: the minute's request budget is spent. */
export class RateLimitError extends ApiError {
  override get name(): string {
    return "RateLimitError";
  }
  /** `x-ratelimit-limit`, when sent. */
  get limit(): number | undefined {
    return numberHeader(this.headers, "x-ratelimit-limit");
  }
  /** `x-ratelimit-remaining`, when sent. */
  get remaining(): number | undefined {
    return numberHeader(this.headers, "x-ratelimit-remaining");
  }
}
/** 5xx: the API failed. */
export class InternalServerError extends ApiError {
  override get name(): string {
    return "InternalServerError";
  }
}
/**
 * A 3xx. Propexo's API never redirects, so the client never follows one: following would turn a
 * write into a GET or send its body to another origin. `status` is 0 when a browser hides it.
 */
export class RedirectError extends ApiError {
  override get name(): string {
    return "RedirectError";
  }
}
/**
 * An answer the client cannot use: a success whose body is not JSON or lacks what the client
 * reads from it (the list's `results`, a write's job ID, ...), or a status outside 200–599.
 */
export class InvalidResponseError extends ApiError {
  override get name(): string {
    return "InvalidResponseError";
  }
}
/** The response was larger than `maxResponseBytes`; its transfer was cut. */
export class ResponseTooLargeError extends ApiError {
  override get name(): string {
    return "ResponseTooLargeError";
  }
  /** The limit that was exceeded, in bytes. */
  declare readonly limit: number;

  constructor(init: ConstructorParameters<typeof ApiError>[0] & { limit: number }) {
    super({ ...init, message: `the response is larger than maxResponseBytes (${init.limit} bytes); its transfer was cut` });
    this.limit = init.limit;
  }
}

/** The request never got an HTTP answer: DNS, refused or reset connection, TLS, ... */
export class ConnectionError extends PropexoError {
  override get name(): string {
    return "ConnectionError";
  }
}
/** No answer within `timeoutMs` (per attempt), or `wait()` ran out of time. */
export class TimeoutError extends PropexoError {
  override get name(): string {
    return "TimeoutError";
  }
}
/** The caller's `AbortSignal` fired. */
export class AbortError extends PropexoError {
  override get name(): string {
    return "AbortError";
  }
}

/** One way a request breaks the spec. */
export interface ValidationIssue {
  /** Dotted path of the value, e.g. "body.appointment_time" or "path.event_id". */
  path: string;
  /** The broken rule: required, pattern, maxLength, exclusiveMinimum, type, format, enum, ... */
  rule: string;
  /** What the rule asks for, e.g. "must match ^(?:[01]\\d|2[0123]):…$". */
  message: string;
  /** The value that was received (undefined for a missing field). */
  value: unknown;
}

/** A ValidationIssue from its four parts. */
export const issue = (path: string, rule: string, message: string, value: unknown): ValidationIssue => ({ path, rule, message, value });

/** The request breaks the spec; nothing was sent. */
export class RequestValidationError extends PropexoError {
  override get name(): string {
    return "RequestValidationError";
  }
  declare readonly issues: readonly ValidationIssue[];

  constructor(issues: ValidationIssue[], request: RequestSummary) {
    const list = issues.map((i) => `${i.path}: ${i.message} (${i.rule}; received ${formatValue(i.value)})`).join("; ");
    super(`${request.method} ${request.route}: invalid request, nothing was sent: ${list}`, { request });
    this.issues = issues;
  }
}

/**
 * A received webhook payload is not one the spec describes: not JSON, no known `trigger`, or a
 * member that breaks the webhook's payload schema. Thrown by `parseWebhook`.
 */
export class WebhookValidationError extends PropexoError {
  override get name(): string {
    return "WebhookValidationError";
  }
  /** Each way the payload breaks the spec: the member's dotted path (e.g. "data.root_job_id"), the rule and the value. */
  declare readonly issues: readonly ValidationIssue[];
  /** The webhook the payload's `trigger` names, when it names one the spec knows. */
  declare readonly webhook: string | undefined;

  constructor(issues: ValidationIssue[], webhook?: string) {
    const list = issues.map((i) => `${i.path || "payload"}: ${i.message} (${i.rule}; received ${formatValue(i.value)})`).join("; ");
    super(`invalid ${webhook ?? "webhook"} payload: ${list}`);
    this.issues = issues;
    this.webhook = webhook;
  }
}

/** Final state of a write job. */
export type WriteJobState = "SUCCESS" | "PARTIAL_SUCCESS" | "FAILURE" | "PENDING";

/** A write job settled as FAILURE or PARTIAL_SUCCESS. */
export class WriteFailedError extends PropexoError {
  override get name(): string {
    return "WriteFailedError";
  }
  declare readonly jobId: string;
  declare readonly status: WriteJobState;
  declare readonly errors: readonly string[];

  constructor(jobId: string, status: WriteJobState, errors: readonly string[]) {
    super(`write job ${jobId} settled as ${status}${errors.length ? `: ${errors.join("; ")}` : ""}`);
    this.jobId = jobId;
    this.status = status;
    this.errors = errors;
  }
}

/** The one place that turns an HTTP error status into an error class. */
export function errorFromResponse(init: ConstructorParameters<typeof ApiError>[0]): ApiError {
  const s = init.status;
  const Class =
    s === 400 ? BadRequestError
    : s === 401 ? AuthenticationError
    : s === 403 ? PermissionDeniedError
    : s === 404 ? NotFoundError
    : s === 405 ? UnsupportedOperationError
    : s === 429 ? RateLimitError
    : s >= 600 || s < 200 ? InvalidResponseError
    : s >= 500 ? InternalServerError
    : s >= 300 && s < 400 ? RedirectError
    : ApiError;
  return new Class(init);
}

function errorBody(body: unknown): ErrorBody["error"] | undefined {
  if (body && typeof body === "object" && "error" in body) {
    const e = (body as ErrorBody).error;
    if (e && typeof e === "object") return e;
  }
  return undefined;
}

function describeBody(body: unknown): string {
  if (body === undefined || body === "") return "(empty body)";
  if (typeof body === "string") {
    const text = body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
    return text.length > 200 ? `${text.slice(0, 200)}…` : text || "(no message)";
  }
  return "(no message)";
}

const REQUEST_ID_HEADERS = ["x-request-id", "request-id", "x-amzn-requestid", "x-amz-cf-id", "cf-ray"];

/** The first request-ID header the server sent. */
export function requestIdOf(headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const v = headers.get(name);
    if (v) return v;
  }
  return undefined;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  const n = raw === null ? NaN : Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A short rendering of a received value for a message: numbers JSON cannot hold (NaN, Infinity),
 * BigInts, symbols and functions by their own names, and never a throw (cycles, toJSON).
 */
export function formatValue(value: unknown): string {
  let text: string | undefined;
  if (typeof value === "number" || typeof value === "bigint") text = typeof value === "bigint" ? `${value}n` : String(value);
  else if (typeof value === "symbol" || typeof value === "function") text = typeof value === "symbol" ? String(value) : "a function";
  else if (value === undefined) return "nothing";
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      // Cycles, BigInts inside, a throwing toJSON: name the kind instead.
    }
    text ??= Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

// Following a write job to its end. Writes answer at once with a job ID and finish later in the
// PMS; GET /v1/admin/write-status/{root_job_id} reports PENDING until then (docs: "Write requests").
import { TimeoutError, WriteFailedError, issue, type ValidationIssue, type WriteJobState } from "./errors.js";
import type { Logger } from "./logger.js";
import { isSignal, numberIssues } from "./options.js";
import { optionIssues, type RequestOptions, type WithResponse } from "./request.js";
import { abortReason, sleep, timerDelay } from "./sleep.js";

/** The write-status body. */
export interface WriteStatusBody {
  write_status: WriteJobState;
  errors: string[];
  created_record_id: string | null;
}

/** How `wait()` polls. */
export interface WaitOptions {
  /** Give up after this long, with TimeoutError, also cutting a poll in progress (default: 5 minutes). */
  timeoutMs?: number | undefined;
  /** Stop waiting, with AbortError. */
  signal?: AbortSignal | undefined;
  /** First poll this long after the call (default 250 ms)... */
  initialDelayMs?: number | undefined;
  /** ...then each gap this many times the previous one (default 1.5)... */
  factor?: number | undefined;
  /** ...up to this gap (default 5 s). */
  maxDelayMs?: number | undefined;
  /**
   * Options of every status poll, e.g. `{ headers: { Prefer: "example=success" } }` to steer a
   * mock, or a `timeoutMs` per poll. Their `signal` is this wait's own `signal`.
   */
  requestOptions?: Omit<RequestOptions, "signal"> | undefined;
}

const WAIT_KEYS = ["timeoutMs", "signal", "initialDelayMs", "factor", "maxDelayMs", "requestOptions"];

/** The write states of the spec's WriteStatus schema. */
const STATES: readonly WriteJobState[] = ["SUCCESS", "PARTIAL_SUCCESS", "FAILURE", "PENDING"];

/** The issues of wait()'s options: a NaN or an Infinity would otherwise poll without pause or end. */
export function waitIssues(options: WaitOptions): ValidationIssue[] {
  if (typeof options !== "object" || options === null) return [issue("options", "type", "must be an object", options)];
  const issues = numberIssues("options.", { ...options }, { timeoutMs: "ms", initialDelayMs: "delay", factor: "factor", maxDelayMs: "ms" });
  for (const [key, value] of Object.entries(options)) {
    if (!WAIT_KEYS.includes(key) && value !== undefined) issues.push(issue(`options.${key}`, "additionalProperties", `is not an option of wait() (${WAIT_KEYS.join(", ")})`, value));
  }
  if (options.signal !== undefined && !isSignal(options.signal)) issues.push(issue("options.signal", "type", "must be an AbortSignal", options.signal));
  const poll = options.requestOptions as RequestOptions | undefined;
  if (poll !== undefined) {
    issues.push(...optionIssues(poll, "options.requestOptions"));
    // A poll's signal would stop one poll and leave the wait going: the wait's own signal stops both.
    if (poll?.signal !== undefined) issues.push(issue("options.requestOptions.signal", "additionalProperties", "is wait()'s own: pass options.signal", poll.signal));
  }
  return issues;
}

/** What wait() reads from a write status: a known state and a list of errors. */
export function writeStatusProblem(body: Record<string, unknown>): string | undefined {
  if (!STATES.includes(body.write_status as WriteJobState)) return `its write_status is not one of ${STATES.join(", ")}`;
  if (!Array.isArray(body.errors)) return "its errors is not a list";
  return undefined;
}

/**
 * Polls `status` until the job settles. Gaps grow geometrically, so a quick job is seen quickly
 * and a slow one costs few of the rate limit's requests. At `timeoutMs` everything stops: the
 * gap, the poll in the rate limiter's queue or on the wire, and its retries.
 */
export async function waitForJob(
  jobId: string,
  status: (jobId: string, options: RequestOptions) => Promise<WithResponse<WriteStatusBody>>,
  options: WaitOptions,
  log: Logger,
): Promise<WriteStatusBody> {
  const { timeoutMs = 300_000, signal, initialDelayMs = 250, factor = 1.5, maxDelayMs = 5_000 } = options;
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) throw abortReason(signal);
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal fires "abort" once, and the listener goes in finally; `once` changes nothing.
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new TimeoutError(`write job ${jobId} did not settle within ${timeoutMs} ms`)), timerDelay(timeoutMs));
  try {
    let delay = initialDelayMs;
    for (;;) {
      await sleep(delay, controller.signal);
      delay = Math.min(maxDelayMs, delay * factor);
      const { data } = await status(jobId, { ...options.requestOptions, signal: controller.signal });
      log.debug(`write job ${jobId}: ${data.write_status}`);
      if (data.write_status === "SUCCESS") return data;
      if (data.write_status === "FAILURE" || data.write_status === "PARTIAL_SUCCESS") {
        throw new WriteFailedError(jobId, data.write_status, data.errors);
      }
    }
  } catch (err) {
    const reason: unknown = controller.signal.reason;
    throw reason instanceof TimeoutError && !signal?.aborted ? reason : err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

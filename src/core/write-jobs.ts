// Following a write job to its end. Writes answer at once with a job ID and finish later in the
// PMS; GET /v1/admin/write-status/{root_job_id} reports PENDING until then (docs: "Write requests").
import { TimeoutError, WriteFailedError, type WriteJobState } from "./errors.js";
import type { RequestOptions, WithResponse } from "./request.js";
import { sleep } from "./sleep.js";

/** The write-status body. */
export interface WriteStatusBody {
  write_status: WriteJobState;
  errors: string[];
  created_record_id: string | null;
}

/** How `wait()` polls. */
export interface WaitOptions {
  /** Give up after this long, with TimeoutError (default: 5 minutes). */
  timeoutMs?: number | undefined;
  /** Stop waiting, with AbortError. */
  signal?: AbortSignal | undefined;
  /** First poll this long after the call (default 250 ms)... */
  initialDelayMs?: number | undefined;
  /** ...then each gap this many times the previous one (default 1.5)... */
  factor?: number | undefined;
  /** ...up to this gap (default 5 s). */
  maxDelayMs?: number | undefined;
}

/**
 * Polls `status` until the job settles. Gaps grow geometrically, so a quick job is seen quickly
 * and a slow one costs few of the rate limit's requests.
 */
export async function waitForJob(
  jobId: string,
  status: (jobId: string, options: RequestOptions) => Promise<WithResponse<WriteStatusBody>>,
  options: WaitOptions = {},
): Promise<WriteStatusBody> {
  const { timeoutMs = 300_000, signal, initialDelayMs = 250, factor = 1.5, maxDelayMs = 5_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let delay = initialDelayMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new TimeoutError(`write job ${jobId} did not settle within ${timeoutMs} ms`);
    await sleep(Math.min(delay, left), signal);
    delay = Math.min(maxDelayMs, delay * factor);
    const { data } = await status(jobId, signal ? { signal } : {});
    if (data.write_status === "SUCCESS") return data;
    if (data.write_status === "FAILURE" || data.write_status === "PARTIAL_SUCCESS") {
      throw new WriteFailedError(jobId, data.write_status, data.errors ?? []);
    }
  }
}

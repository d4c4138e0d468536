// wait(): polling write status with growing gaps until the job settles.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, Propexo, TimeoutError, WriteFailedError } from "../../src/index.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function jobServer(settleAfterMs: number, final: "SUCCESS" | "FAILURE" | "PARTIAL_SUCCESS" = "SUCCESS") {
  const start = Date.now();
  const polls: number[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    if (req.method === "POST") {
      return new Response(JSON.stringify({ meta: { job_id: "job_1" }, result: { integration_id: "i", event_id: "e" } }));
    }
    expect(url.pathname).toBe("/v1/admin/write-status/job_1");
    polls.push(Date.now() - start);
    const settled = Date.now() - start >= settleAfterMs;
    return new Response(
      JSON.stringify({
        write_status: settled ? final : "PENDING",
        errors: settled && final !== "SUCCESS" ? ["the PMS said no"] : [],
        created_record_id: settled && final === "SUCCESS" ? "rec_1" : null,
      }),
    );
  });
  return { propexo: new Propexo({ token: "tok_abcdef", fetch, rateLimit: false, logLevel: "off" }), polls };
}

describe("wait()", () => {
  it("resolves with the status once the job succeeds, soon after it settles", async () => {
    const { propexo, polls } = jobServer(3000);
    const job = await propexo.appointments.rentmanager.leads.cancel({ integration_id: "i", event_id: "e" });
    const p = job.wait();
    await vi.runAllTimersAsync();
    await expect(p).resolves.toEqual({ write_status: "SUCCESS", errors: [], created_record_id: "rec_1" });
    const last = polls.at(-1)!;
    expect(last).toBeGreaterThanOrEqual(3000);
    // Growing gaps: far fewer polls than one a second, and the last one not long after settling.
    expect(last - 3000).toBeLessThan(1500);
    expect(polls.length).toBeLessThan(8);
    for (let i = 2; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBeGreaterThanOrEqual(polls[i - 1]! - polls[i - 2]!);
  });

  it.each(["FAILURE", "PARTIAL_SUCCESS"] as const)("rejects with WriteFailedError on %s, with its errors", async (final) => {
    const { propexo } = jobServer(1000, final);
    const p = propexo.writes.wait("job_1").catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = (await p) as WriteFailedError;
    expect(err).toBeInstanceOf(WriteFailedError);
    expect(err.status).toBe(final);
    expect(err.errors).toEqual(["the PMS said no"]);
    expect(err.jobId).toBe("job_1");
  });

  it("rejects with TimeoutError when the job outlasts timeoutMs", async () => {
    const { propexo } = jobServer(60_000);
    const p = propexo.writes.wait("job_1", { timeoutMs: 5000 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await p).toBeInstanceOf(TimeoutError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with AbortError when the signal fires, and stops polling", async () => {
    const { propexo, polls } = jobServer(60_000);
    const controller = new AbortController();
    const p = propexo.writes.wait("job_1", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2000);
    controller.abort();
    const n = polls.length;
    await vi.runAllTimersAsync();
    expect(await p).toBeInstanceOf(AbortError);
    expect(polls.length).toBe(n);
    expect(vi.getTimerCount()).toBe(0);
  });
});

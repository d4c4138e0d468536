// Request options reach every call that wait() and a list make, so a mock can be steered through
// them as through a single call: wait()'s `requestOptions` carry a `Prefer` header to each status
// poll, and a list's options to each page. Against Prism, with each write-status example of the spec.
import { describe, expect, inject, it } from "vitest";
import { writeStatusOperation } from "../../generated/operations.js";
import { WriteFailedError } from "../../src/index.js";
import { argsOf, makeClient, methodOf, minimalInput, recordingFetch, responseExamples, specOperations } from "../helpers/contract.js";
import { readViolations } from "../helpers/violations.js";

const base = inject("prismUrl");
const ops = specOperations().filter((o) => o.row.supported);
const write = ops.find((o) => o.row.returns === "job" && o.row.body === "required")!;
const status = ops.find((o) => o.id === writeStatusOperation)!;
const list = ops.find((o) => o.row.returns === "page")!;
// Named 200 examples of the write status, by the state each reports.
const settled = responseExamples(status.op).filter((e) => e.code === "200" && (e.value as { write_status: string }).write_status !== "PENDING");

describe("wait({ requestOptions }) steers every status poll", () => {
  it("finds settled write-status examples in the spec", () => {
    expect(settled.length).toBeGreaterThan(0);
  });

  it.each(settled.map((e) => [e.name, e.value] as const))("Prefer: example=%s reaches each poll, and wait() settles as that example says", async (name, value) => {
    const recorder = recordingFetch();
    const client = makeClient(base, { validate: true, fetch: recorder.fetch });
    const job = await methodOf(client, write.row)(...argsOf(write.row, minimalInput(write.op), {}));
    const outcome = await job.wait({ initialDelayMs: 1, timeoutMs: 20_000, requestOptions: { headers: { Prefer: `example=${name}` } } }).then(
      (v: unknown) => ({ ok: true, v }),
      (e: unknown) => ({ ok: false, e }),
    );
    const expected = value as { write_status: string; errors: string[] };
    if (expected.write_status === "SUCCESS") expect(outcome).toEqual({ ok: true, v: expected });
    else {
      expect((outcome as { e: unknown }).e).toBeInstanceOf(WriteFailedError);
      expect((outcome as { e: WriteFailedError }).e.errors).toEqual(expected.errors);
    }
    const polls = recorder.exchanges.slice(1);
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) {
      expect(poll.headers.get("prefer")).toBe(`example=${name}`);
      expect(readViolations(poll.response)).toEqual([]);
    }
  });
});

describe("a list's options steer every page", () => {
  it("a Prefer header of the call reaches the page request, and Prism answers that example", async () => {
    const example = responseExamples(list.op).find((e) => e.code === "200")!;
    const recorder = recordingFetch();
    const client = makeClient(base, { validate: true, fetch: recorder.fetch });
    const page = await methodOf(client, list.row)(...argsOf(list.row, minimalInput(list.op), { headers: { Prefer: `example=${example.name}` } })).firstPage();
    expect(page.results).toEqual((example.value as { results: unknown[] }).results);
    expect(recorder.exchanges.map((x) => x.headers.get("prefer"))).toEqual([`example=${example.name}`]);
  });
});

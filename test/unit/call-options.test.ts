// A call's options, as a caller meets them: each one it refuses is named with its path, the rule,
// the message and the value, and nothing is sent. The call is one operation of each kind the spec
// has (kinds.ts), so the check is the same whatever the operation.
import { describe, expect, it, vi } from "vitest";
import { Propexo, RequestValidationError, type ValidationIssue } from "../../src/index.js";
import { callKindWith, kindArgs, operationKinds } from "../transport/kinds.js";

const SENT = operationKinds().filter((k) => k.supported);

/** The issues a call of each kind refuses `options` with, having sent nothing; the same for every kind. */
async function refused(options: unknown): Promise<Pick<ValidationIssue, "path" | "rule" | "message" | "value">[]> {
  const fetch = vi.fn(async () => new Response("{}", { status: 200 }));
  const propexo = new Propexo({ token: "tok_call_options", fetch, rateLimit: false, logLevel: "off" });
  const all = [];
  for (const kind of SENT) {
    const args = kindArgs(kind, kind.input);
    args[args.length - 1] = options;
    const err = await callKindWith(propexo, kind, args).catch((e: unknown) => e);
    expect(err, kind.name).toBeInstanceOf(RequestValidationError);
    all.push((err as RequestValidationError).issues.map(({ path, rule, message, value }) => ({ path, rule, message, value })));
  }
  expect(fetch).not.toHaveBeenCalled();
  for (const issues of all) expect(issues).toEqual(all[0]);
  return all[0]!;
}

describe("a call's options", () => {
  it("must be an object", async () => {
    expect(await refused("fast")).toEqual([{ path: "options", rule: "type", message: "must be an object", value: "fast" }]);
    expect(await refused([1])).toEqual([{ path: "options", rule: "type", message: "must be an object", value: [1] }]);
  });

  it("name only options: another key is most likely a query or a body in the options' place", async () => {
    expect(await refused({ limit: 5, timeoutMs: 1000 })).toEqual([
      { path: "options.limit", rule: "additionalProperties", message: "is not an option (signal, timeoutMs, maxRetries, headers, maxResponseBytes, fetchOptions)", value: 5 },
    ]);
  });

  it("take a signal only if it is one, headers only as an object of strings, fetchOptions only as an object", async () => {
    expect(await refused({ signal: "stop" })).toEqual([{ path: "options.signal", rule: "type", message: "must be an AbortSignal", value: "stop" }]);
    expect(await refused({ headers: "x-a: 1" })).toEqual([{ path: "headers", rule: "type", message: "must be an object of strings", value: "x-a: 1" }]);
    expect(await refused({ headers: { "x a": "1", "x-b": "2\n" } })).toEqual([
      { path: "headers.x a", rule: "headerName", message: "must be an HTTP field name", value: "x a" },
      { path: "headers.x-b", rule: "headerValue", message: "must be a string of Latin-1 characters without controls (CR, LF, NUL)", value: "2\n" },
    ]);
    expect(await refused({ fetchOptions: "keepalive" })).toEqual([{ path: "options.fetchOptions", rule: "type", message: "must be an object", value: "keepalive" }]);
    expect(await refused({ fetchOptions: { method: "DELETE", keepalive: true } })).toEqual([
      { path: "options.fetchOptions.method", rule: "reserved", message: "is set by the client and cannot be passed through", value: "DELETE" },
    ]);
  });

  it("list every issue at once", async () => {
    const issues = await refused({ signal: 1, timeoutMs: -1, extra: true });
    expect(issues.map((i) => i.path).sort()).toEqual(["options.extra", "options.signal", "options.timeoutMs"]);
  });
});

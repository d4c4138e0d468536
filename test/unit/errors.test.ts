// The error classes as a caller meets them: the class a status maps to, the message, the fields,
// the name that String(), stacks and logs print, and the JSON a log line carries.
import { describe, expect, it } from "vitest";
import { errorFromResponse, formatValue, requestIdOf } from "../../src/core/errors.js";
import { STATUS_CLASSES } from "../helpers/error-classes.js";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  PropexoError,
  RateLimitError,
  RedirectError,
  RequestValidationError,
  ResponseTooLargeError,
  TimeoutError,
  UnsupportedOperationError,
  WriteFailedError,
  type RequestSummary,
} from "../../src/index.js";

const request: RequestSummary = {
  method: "GET",
  url: "https://api.propexo.com/v1/events/evt_1",
  path: "/v1/events/evt_1",
  route: "/v1/events/{event_id}",
  operationId: "getEvent",
};

const apiError = (status: number, body?: unknown, headers?: Record<string, string>) =>
  errorFromResponse({ status, body, request, ...(headers && { headers: new Headers(headers) }) });

describe("errorFromResponse", () => {
  it.each([
    ...STATUS_CLASSES,
    [300, RedirectError],
    [302, RedirectError],
    [399, RedirectError],
    [0, InvalidResponseError],
    [199, InvalidResponseError],
    [600, InvalidResponseError],
  ] as const)("maps %i to %o", (status, Class) => {
    const err = apiError(status);
    expect(err).toBeInstanceOf(Class);
    expect(err.name).toBe(Class.name);
    expect(err.status).toBe(status);
  });

  // Statuses without a class of their own stay plain ApiErrors: a conflict or an unprocessable
  // body is the caller's to fix, not a server failure to retry.
  it.each([200, 402, 408, 409, 410, 422, 451, 499])("maps %i to a plain ApiError", (status) => {
    const err = apiError(status);
    expect(err.constructor).toBe(ApiError);
    expect(err.name).toBe("ApiError");
    expect(err).not.toBeInstanceOf(InternalServerError);
  });
});

describe("ApiError", () => {
  it("reads the documented error body: message, code and details", () => {
    const err = apiError(409, { error: { code: "conflict", message: "the slot is taken", details: ["slot"] } }, { "x-request-id": "req_9" });
    expect(err.message).toBe("409 GET /v1/events/evt_1: the slot is taken");
    expect(err.code).toBe("conflict");
    expect(err.details).toEqual(["slot"]);
    expect(err.requestId).toBe("req_9");
    expect(err.request).toBe(request);
    expect(err.headers.get("x-request-id")).toBe("req_9");
  });

  it("ignores an error body's code and message that are not strings", () => {
    const err = apiError(400, { error: { code: 42, message: { text: "no" } } });
    expect(err.code).toBeUndefined();
    expect(err.message).toBe("400 GET /v1/events/evt_1: (no message)");
  });

  it.each([
    [undefined, "(empty body)"],
    ["", "(empty body)"],
    ["   \n ", "(no message)"],
    ["<html><body><h1>Bad   Gateway</h1>\n<p>nginx</p></body></html>", "Bad Gateway nginx"],
    [{ message: "not in the documented place" }, "(no message)"],
    [{ error: "a string, not an object" }, "(no message)"],
    [{ error: null }, "(no message)"],
    [null, "(no message)"],
  ])("describes the body %j as %j when it has no error message", (body, described) => {
    expect(apiError(502, body).message).toBe(`502 GET /v1/events/evt_1: ${described}`);
  });

  it("cuts a long text body to 200 characters", () => {
    const text = "x".repeat(200);
    expect(apiError(502, text).message).toBe(`502 GET /v1/events/evt_1: ${text}`);
    expect(apiError(502, `${text}y`).message).toBe(`502 GET /v1/events/evt_1: ${text}…`);
  });

  it("has empty headers and no request ID when the server sent none", () => {
    const err = apiError(500);
    expect([...err.headers]).toEqual([]);
    expect(err.requestId).toBeUndefined();
    expect(err.response).toBeUndefined();
  });

  it("keeps the response it was made from", () => {
    const response = new Response(null, { status: 503 });
    expect(errorFromResponse({ status: 503, request, response }).response).toBe(response);
  });
});

describe("requestIdOf", () => {
  it.each(["x-request-id", "request-id", "x-amzn-requestid", "x-amz-cf-id", "cf-ray"])("reads %s", (name) => {
    expect(requestIdOf(new Headers({ [name]: "id_1" }))).toBe("id_1");
  });

  it("prefers x-request-id and skips empty values", () => {
    expect(requestIdOf(new Headers({ "cf-ray": "ray", "x-request-id": "req" }))).toBe("req");
    expect(requestIdOf(new Headers({ "x-request-id": "", "cf-ray": "ray" }))).toBe("ray");
    expect(requestIdOf(new Headers({ "x-other-id": "id" }))).toBeUndefined();
  });
});

describe("RateLimitError", () => {
  it("reports the limit and what remains, when the server sent them as numbers", () => {
    const err = apiError(429, undefined, { "x-ratelimit-limit": "150", "x-ratelimit-remaining": "0" }) as RateLimitError;
    expect([err.limit, err.remaining]).toEqual([150, 0]);
    const bare = apiError(429) as RateLimitError;
    expect([bare.limit, bare.remaining]).toEqual([undefined, undefined]);
    const odd = apiError(429, undefined, { "x-ratelimit-limit": "lots", "x-ratelimit-remaining": "Infinity" }) as RateLimitError;
    expect([odd.limit, odd.remaining]).toEqual([undefined, undefined]);
  });
});

describe("ResponseTooLargeError", () => {
  it("names the limit in its message and keeps it", () => {
    const err = new ResponseTooLargeError({ status: 200, request, limit: 1024 });
    expect(err.message).toBe("200 GET /v1/events/evt_1: the response is larger than maxResponseBytes (1024 bytes); its transfer was cut");
    expect(err.limit).toBe(1024);
    expect(err.name).toBe("ResponseTooLargeError");
  });
});

describe("errors without a response", () => {
  it.each([
    [ConnectionError, "ConnectionError"],
    [TimeoutError, "TimeoutError"],
    [AbortError, "AbortError"],
    [PropexoError, "PropexoError"],
  ] as const)("%o keeps its message, request and cause, and prints its name", (Class, name) => {
    const cause = new Error("socket hang up");
    const err = new Class("GET /v1/events/evt_1: connection failed", { request, cause });
    expect(err).toBeInstanceOf(PropexoError);
    expect(err.message).toBe("GET /v1/events/evt_1: connection failed");
    expect(err.request).toBe(request);
    expect(err.cause).toBe(cause);
    expect(String(err)).toBe(`${name}: GET /v1/events/evt_1: connection failed`);
    expect(err.stack).toMatch(new RegExp(`^${name}: `));
  });

  it("has no cause and no request when none were given", () => {
    const err = new PropexoError("plain");
    expect("cause" in err).toBe(false);
    expect(err.request).toBeUndefined();
  });
});

describe("RequestValidationError", () => {
  it("names the route and every issue with its rule and the value received", () => {
    const err = new RequestValidationError(
      [
        { path: "body.appointment_time", rule: "pattern", message: "must match ^\\d\\d:\\d\\d:\\d\\d$", value: "9:30" },
        { path: "body.lead_id", rule: "required", message: "is required", value: undefined },
      ],
      { ...request, method: "PUT", route: "/v1/events/{event_id}" },
    );
    expect(err.message).toBe(
      "PUT /v1/events/{event_id}: invalid request, nothing was sent: " +
        'body.appointment_time: must match ^\\d\\d:\\d\\d:\\d\\d$ (pattern; received "9:30"); body.lead_id: is required (required; received nothing)',
    );
    expect(err.issues).toHaveLength(2);
    expect(err.name).toBe("RequestValidationError");
  });
});

describe("WriteFailedError", () => {
  it("names the job, its state and the PMS's errors", () => {
    const err = new WriteFailedError("job_1", "PARTIAL_SUCCESS", ["unit not found", "no agent"]);
    expect(err.message).toBe("write job job_1 settled as PARTIAL_SUCCESS: unit not found; no agent");
    expect([err.jobId, err.status, err.errors]).toEqual(["job_1", "PARTIAL_SUCCESS", ["unit not found", "no agent"]]);
    expect(err.name).toBe("WriteFailedError");
    expect(new WriteFailedError("job_2", "FAILURE", []).message).toBe("write job job_2 settled as FAILURE");
  });
});

describe("toJSON", () => {
  it("gives an ApiError's name, message, status, code, details, body, request ID and request, without headers or response", () => {
    const response = new Response(null, { status: 409 });
    const body = { error: { code: "conflict", message: "taken", details: { slot: "09:00" } } };
    const err = errorFromResponse({ status: 409, body, request, headers: new Headers({ "x-request-id": "req_1" }), response });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: "ApiError",
      message: "409 GET /v1/events/evt_1: taken",
      status: 409,
      code: "conflict",
      details: { slot: "09:00" },
      body,
      requestId: "req_1",
      request,
    });
  });

  it("leaves the cause out and keeps the request", () => {
    const err = new ConnectionError("GET /v1/events/evt_1: connection failed (ECONNRESET)", { request, cause: new Error("reset") });
    expect(err.toJSON()).toEqual({ name: "ConnectionError", message: "GET /v1/events/evt_1: connection failed (ECONNRESET)", request });
  });

  it("leaves out a cause however it was set, since it may be anything (a foreign error, a request)", () => {
    const err = new PropexoError("failed");
    (err as { cause?: unknown }).cause = { authorization: "Bearer secret" };
    expect(Object.keys(err)).toContain("cause");
    expect(err.toJSON()).toEqual({ name: "PropexoError", message: "failed", request: undefined });
  });

  it("describes an issue's value JSON cannot carry, and keeps one it can", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const err = new RequestValidationError(
      [
        { path: "body.a", rule: "type", message: "must not be a BigInt", value: 10n },
        { path: "body.b", rule: "cycle", message: "must not refer back to body", value: cyclic },
        { path: "body.c", rule: "pattern", message: "must match x", value: { kept: [1] } },
      ],
      request,
    );
    const json = JSON.parse(JSON.stringify(err));
    expect(json.name).toBe("RequestValidationError");
    expect(json.issues.map((i: { value: unknown }) => i.value)).toEqual(["10n", "[object Object]", { kept: [1] }]);
    expect(json.issues[0]).toEqual({ path: "body.a", rule: "type", message: "must not be a BigInt", value: "10n" });
    // The error's own issues are left as they were.
    expect(err.issues[0]!.value).toBe(10n);
  });

  it("gives a WriteFailedError's job, state and errors", () => {
    expect(new WriteFailedError("job_1", "FAILURE", ["no"]).toJSON()).toEqual({
      name: "WriteFailedError",
      message: "write job job_1 settled as FAILURE: no",
      request: undefined,
      jobId: "job_1",
      status: "FAILURE",
      errors: ["no"],
    });
  });
});

describe("formatValue", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each([
    [undefined, "nothing"],
    [null, "null"],
    [NaN, "NaN"],
    [-Infinity, "-Infinity"],
    [12.5, "12.5"],
    [12n, "12n"],
    [Symbol("s"), "Symbol(s)"],
    [() => 1, "a function"],
    ["9:30", '"9:30"'],
    [{ a: [1, true] }, '{"a":[1,true]}'],
    [cyclic, "[object Object]"],
    [{ toJSON: () => { throw new Error("no"); } }, "[object Object]"],
    [{ big: 1n }, "[object Object]"],
  ])("renders %o as %s", (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  it("cuts a long rendering to 60 characters", () => {
    expect(formatValue("x".repeat(58))).toBe(`"${"x".repeat(58)}"`);
    expect(formatValue("x".repeat(59))).toBe(`"${"x".repeat(59)}…`);
    expect(formatValue(10n ** 70n)).toBe(`1${"0".repeat(59)}…`);
  });
});

// Path and query values the client refuses even with validation off, because sent as given they
// would reach another route or could not be encoded: each named with its place, rule, message and
// value, and nothing sent. The operations are the spec's, one of each kind (kinds.ts).
import { describe, expect, it, vi } from "vitest";
import { Propexo, RequestValidationError } from "../../src/index.js";
import { callKindWith, kindArgs, operationKinds } from "../transport/kinds.js";

const SENT = operationKinds().filter((k) => k.supported);
const WITH_PATH = SENT.filter((k) => k.pathParams.length > 0);
const WITH_QUERY = SENT.filter((k) => Object.keys((k.full.query as object | undefined) ?? {}).length > 0);

function client() {
  const fetch = vi.fn(async () => new Response("{}", { status: 200 }));
  return { fetch, propexo: new Propexo({ token: "tok_unsafe_values", fetch, rateLimit: false, logLevel: "off", validate: false }) };
}

describe("values that cannot be sent as given", () => {
  it("the spec has operations with path parameters and with query parameters to try", () => {
    expect(WITH_PATH.length).toBeGreaterThan(0);
    expect(WITH_QUERY.length).toBeGreaterThan(0);
  });

  it.each([
    [".", "pathSegment", 'must be a non-empty string other than "." and ".."'],
    ["..", "pathSegment", 'must be a non-empty string other than "." and ".."'],
    ["", "pathSegment", 'must be a non-empty string other than "." and ".."'],
    [42, "pathSegment", 'must be a non-empty string other than "." and ".."'],
    ["a\ud800b", "wellFormed", "must be well-formed Unicode"],
  ])("a path parameter %j", async (value, rule, message) => {
    const { propexo, fetch } = client();
    for (const kind of WITH_PATH) {
      const name = kind.pathParams[0]!;
      const err = await callKindWith(propexo, kind, kindArgs(kind, { ...kind.input, path: { ...(kind.input.path as object), [name]: value } })).catch((e: unknown) => e);
      expect(err, kind.name).toBeInstanceOf(RequestValidationError);
      expect((err as RequestValidationError).issues).toEqual([expect.objectContaining({ path: `path.${name}`, rule, message, value })]);
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  const symbol = Symbol("s");
  const fn = () => 1;
  it.each([
    ["a lone surrogate", "a\udc00", "a\udc00"],
    ["a lone surrogate in a list", ["ok", "\ud800"], "\ud800"],
    ["a symbol", symbol, symbol],
    ["a function", fn, fn],
  ])("a query value holding %s", async (_what, value, item) => {
    const { propexo, fetch } = client();
    for (const kind of WITH_QUERY) {
      const name = Object.keys(kind.full.query as object)[0]!;
      const err = await callKindWith(propexo, kind, kindArgs(kind, { ...kind.input, query: { ...(kind.input.query as object), [name]: value } })).catch((e: unknown) => e);
      expect(err, kind.name).toBeInstanceOf(RequestValidationError);
      expect((err as RequestValidationError).issues).toEqual([{ path: `query.${name}`, rule: "wellFormed", message: "must be well-formed Unicode", value: item }]);
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("well-formed values go out", async () => {
    const { propexo, fetch } = client();
    const kind = WITH_QUERY[0]!;
    const name = Object.keys(kind.full.query as object)[0]!;
    await callKindWith(propexo, kind, kindArgs(kind, { ...kind.input, query: { ...(kind.input.query as object), [name]: ["é", "ok"] } })).catch(() => {});
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

// Type tests of the argument convention (path parameters, then one object, then options, with no
// place where options can pass for a query), of not-supported operations and of the surface
// around the methods: withOptions, defaultHeaders/defaultQuery, fetchOptions, asResponse, and
// request options on wait().
import { describe, expectTypeOf, it } from "vitest";
import type { operations, OperationId } from "../../generated/operations.js";
import {
  Propexo,
  type ClientOptions,
  type FetchOptions,
  type PropexoResources,
  type RequestOptions,
  type WaitOptions,
} from "../../src/index.js";

declare const propexo: Propexo;
const signal = new AbortController().signal;

type At<T, P> = P extends readonly [infer H, ...infer R] ? (H extends keyof T ? At<T[H], R> : never) : T;
type Declared<K extends OperationId> = At<PropexoResources, (typeof operations)[K]["placement"]>;
type Unsupported = { [K in OperationId]: (typeof operations)[K]["supported"] extends true ? never : K }[OperationId];
declare const unsupported: Declared<Unsupported>;

describe("one argument convention", () => {
  it("refuses options in the query's place, and takes them after it", () => {
    // @ts-expect-error: signal is no query parameter
    propexo.appointments.list({ signal });
    // @ts-expect-error: headers is no query parameter of retrieve either
    propexo.events.retrieve("evt_1", { headers: { "x-a": "b" } });
    propexo.appointments.list(undefined, { signal, headers: { "x-a": "b" } });
    propexo.events.retrieve("evt_1", {}, { headers: { "x-a": "b" } });
    propexo.events.retrieve("evt_1", undefined, { signal });
  });

  it("refuses unknown query keys, as it refuses unknown body members", () => {
    // @ts-expect-error: the filter is lead_id
    propexo.appointments.list({ leadId: "lead_1" });
    propexo.appointments.list({ lead_id: "lead_1" });
    // @ts-expect-error: not a query parameter of retrieve
    propexo.events.retrieve("evt_1", { lead_id: "lead_1" });
  });

  it("refuses a query where only options may follow, and unknown options", () => {
    // @ts-expect-error: write status takes no query; limit is no option
    propexo.writes.status("job_1", { limit: 5 });
    // @ts-expect-error: the option is timeoutMs
    propexo.writes.status("job_1", { timeout: 5 });
    propexo.writes.status("job_1", { timeoutMs: 5, maxResponseBytes: 1024, fetchOptions: { cache: "no-store" } });
  });
});

describe("operations the spec marks not supported", () => {
  it("exist in the spec", () => {
    expectTypeOf<Unsupported>().not.toBeNever();
  });

  it("do not compile, with a type-level message that says why", () => {
    // @ts-expect-error: not supported by the PMS
    unsupported();
    // @ts-expect-error: not even with the arguments a supported sibling takes
    unsupported({ integration_id: "i", event_id: "e" });
    // The reason is the `this` type the editor shows and the compiler names.
    expectTypeOf<ThisParameterType<Declared<Unsupported>>>().toMatchTypeOf<`Not supported: Propexo always answers 405 to ${string} because the PMS cannot do this`>();
    expectTypeOf<Declared<Unsupported> extends (this: never, ...args: never[]) => infer R ? R : "no method">().toBeNever();
  });
});

describe("options and derived clients", () => {
  it("withOptions takes the client's options and gives a client", () => {
    expectTypeOf(propexo.withOptions).parameter(0).toEqualTypeOf<ClientOptions>();
    expectTypeOf(propexo.withOptions({ maxRetries: 0 })).toEqualTypeOf<Propexo>();
    // @ts-expect-error: not a client option
    propexo.withOptions({ retries: 0 });
  });

  it("defaultHeaders are strings, defaultQuery values strings, numbers or booleans", () => {
    new Propexo({ defaultHeaders: { "x-tenant": "t1" }, defaultQuery: { tenant: "t1", page_size: 50, archived: false } });
    // @ts-expect-error: a header value is a string
    new Propexo({ defaultHeaders: { "x-count": 5 } });
    // @ts-expect-error: a query value is a string, a number or a boolean
    new Propexo({ defaultQuery: { since: new Date() } });
  });

  it("fetchOptions refuse what the client sets itself, at the client and per call", () => {
    new Propexo({ fetchOptions: { cache: "no-store", keepalive: true, dispatcher: {} } });
    // @ts-expect-error: the client sets the method
    new Propexo({ fetchOptions: { method: "GET" } });
    // @ts-expect-error: redirects are never followed
    propexo.writes.status("job_1", { fetchOptions: { redirect: "follow" } });
    // @ts-expect-error: the signal is options.signal
    const init: FetchOptions = { signal };
    void init;
    expectTypeOf<RequestOptions["fetchOptions"]>().toEqualTypeOf<FetchOptions | undefined>();
  });

  it("a call's headers may leave a default header out with null", () => {
    propexo.writes.status("job_1", { headers: { "x-tenant": null } });
  });
});

describe("asResponse, and request options of wait()", () => {
  it("asResponse resolves to the raw Response", () => {
    expectTypeOf(propexo.events.retrieve("evt_1").asResponse()).toEqualTypeOf<Promise<Response>>();
    expectTypeOf(propexo.writes.status("job_1").asResponse()).toEqualTypeOf<Promise<Response>>();
  });

  it("wait() takes request options for every poll, without a signal of their own", () => {
    propexo.writes.wait("job_1", { requestOptions: { headers: { Prefer: "example=success" }, timeoutMs: 5_000 } });
    // @ts-expect-error: the wait's own signal stops the polls
    propexo.writes.wait("job_1", { requestOptions: { signal } });
    expectTypeOf<WaitOptions["requestOptions"]>().toEqualTypeOf<Omit<RequestOptions, "signal"> | undefined>();
  });
});

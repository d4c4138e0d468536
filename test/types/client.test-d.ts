// Type tests: the resource tree and its parameter and result types come from the spec, and a
// wrong vendor, subject or verb, a missing required field or a wrong field type does not compile.
import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/schema.js";
import {
  parseWebhook,
  Propexo,
  appointmentSlotFor,
  pmsTimeZones,
  type Args,
  type Method,
  type OperationId,
  type Page,
  type PmsVendor,
  type PropexoResources,
  type WebhookEvent,
  type WebhookPayload,
  type WebhookTrigger,
  type WebhookTypes,
  type WriteJob,
  type WriteStatusBody,
} from "../../src/index.js";
import type { operations } from "../../generated/operations.js";

declare const propexo: Propexo;
type Schemas = components["schemas"];

const rmLead = {
  integration_id: "i",
  lead_id: "l",
  appointment_date: "2024-07-20",
  appointment_time: "09:15:00",
  appointment_duration_minutes: 45,
  title: "Tour",
};

describe("per-PMS writes", () => {
  it("take the spec's request body and resolve to a write job with the spec's result", () => {
    expectTypeOf(propexo.appointments.rentmanager.leads.create).parameter(0).toEqualTypeOf<Schemas["RentmanagerLeadAppointmentCreateInput"]>();
    expectTypeOf(propexo.appointments.rentmanager.leads.create(rmLead)).resolves.toEqualTypeOf<
      WriteJob<Schemas["RentmanagerLeadAppointmentCreateOutput"]["result"]>
    >();
    expectTypeOf(propexo.appointments.resman.leads.update).parameters.toEqualTypeOf<
      [id: string, body: Schemas["ResmanLeadAppointmentUpdateInput"], options?: import("../../src/index.js").RequestOptions]
    >();
    expectTypeOf(propexo.appointments.rentmanager.residents.cancel).parameter(0).toEqualTypeOf<Schemas["RentmanagerAppointmentCancelInput"]>();
  });

  it("refuse a wrong vendor, subject or verb", () => {
    // @ts-expect-error: no such vendor
    propexo.appointments.yardi.leads.create(rmLead);
    // @ts-expect-error: ResMan has no applicant appointments
    propexo.appointments.resman.applicants.create(rmLead);
    // @ts-expect-error: no such verb
    propexo.appointments.rentmanager.leads.delete({ integration_id: "i", event_id: "e" });
  });

  it("refuse a missing required field, a wrong field type and an unknown field", () => {
    const { title: _t, ...noTitle } = rmLead;
    // @ts-expect-error: title is required
    propexo.appointments.rentmanager.leads.create(noTitle);
    // @ts-expect-error: the duration is a number
    propexo.appointments.rentmanager.leads.create({ ...rmLead, appointment_duration_minutes: "45" });
    // @ts-expect-error: the body is closed
    propexo.appointments.rentmanager.leads.create({ ...rmLead, colour: "blue" });
    // @ts-expect-error: update needs the event ID first
    propexo.appointments.resman.leads.update({ appointment_date: "2024-01-15", appointment_time: "09:30:00" });
  });
});

describe("reads and write jobs", () => {
  it("list() pages Event objects and takes the spec's filters", () => {
    const pager = propexo.appointments.list({ integration_id: "i", limit: 50, integration_vendor: "RENTMANAGER" });
    expectTypeOf(pager).toMatchTypeOf<AsyncIterable<Schemas["Event"]>>();
    expectTypeOf(pager.firstPage()).resolves.toEqualTypeOf<Page<Schemas["Event"]>>();
    // @ts-expect-error: not a vendor the spec knows
    propexo.appointments.list({ integration_vendor: "NOPE" });
    // @ts-expect-error: limit is a number
    propexo.appointments.list({ limit: "50" });
  });

  it("events.retrieve() resolves to the Event itself", () => {
    expectTypeOf(propexo.events.retrieve("e")).resolves.toEqualTypeOf<Schemas["Event"]>();
  });

  it("writes.status/retry/wait have the spec's types", () => {
    expectTypeOf(propexo.writes.status("j")).resolves.toEqualTypeOf<Schemas["WriteStatus"]>();
    expectTypeOf(propexo.writes.retry("j")).resolves.toMatchTypeOf<WriteJob<unknown>>();
    expectTypeOf(propexo.writes.wait("j")).resolves.toEqualTypeOf<WriteStatusBody>();
    // @ts-expect-error: the job ID is a string
    propexo.writes.status(42);
  });

  it("every method takes options last", () => {
    propexo.writes.status("j", { signal: new AbortController().signal, timeoutMs: 1000, maxRetries: 0, headers: { "x-a": "b" } });
    // @ts-expect-error: not an option
    propexo.writes.status("j", { retries: 3 });
  });
});

// The declarations in generated/client.ts (what editors and the reference show) must be exactly
// the types the operation table gives each method, for every supported operation of the spec.
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type At<T, P> = P extends readonly [infer H, ...infer R] ? (H extends keyof T ? At<T[H], R> : never) : T;
type Declared<K extends OperationId> = At<PropexoResources, (typeof operations)[K]["placement"]>;
type Supported = { [K in OperationId]: (typeof operations)[K]["supported"] extends true ? K : never }[OperationId];
type Unsupported = Exclude<OperationId, Supported>;
type Disagreeing = {
  [K in Supported]: Declared<K> extends (...args: infer A) => infer R
    ? Equal<A, Args<K>> extends true
      ? Equal<R, ReturnType<Method<K>>> extends true
        ? never
        : K
      : K
    : K;
}[Supported];

describe("the generated declarations", () => {
  it("give every supported operation the table-driven parameters and result", () => {
    expectTypeOf<Disagreeing>().toEqualTypeOf<never>();
  });

  it("make every not-supported operation uncallable", () => {
    type Callable = { [K in Unsupported]: Declared<K> extends (this: PropexoResources, ...args: never[]) => unknown ? K : never }[Unsupported];
    expectTypeOf<Callable>().toEqualTypeOf<never>();
    expectTypeOf<Unsupported>().not.toBeNever();
  });
});

describe("appointmentSlotFor", () => {
  // The PMSs of each kind, from the generated table: none is named here.
  type Zones = typeof pmsTimeZones;
  type PropertyPms = { [V in PmsVendor]: Zones[V] extends "property" ? V : never }[PmsVendor];
  type FixedPms = Exclude<PmsVendor, PropertyPms>;
  const propertyPms = (Object.keys(pmsTimeZones) as PmsVendor[]).find((v) => pmsTimeZones[v] === "property") as PropertyPms;
  const fixedPms = (Object.keys(pmsTimeZones) as PmsVendor[]).find((v) => pmsTimeZones[v] !== "property") as FixedPms;
  const anyPms = propertyPms as PmsVendor;

  it("asks for the property's time zone exactly where the PMS reads times in it", () => {
    expectTypeOf<PropertyPms>().not.toBeNever();
    expectTypeOf<FixedPms>().not.toBeNever();
    expectTypeOf(appointmentSlotFor(propertyPms, 0, "America/Chicago")).toEqualTypeOf<{ appointment_date: string; appointment_time: string }>();
    // @ts-expect-error: this PMS reads times in the property's zone, which must be given
    appointmentSlotFor(propertyPms, 0);
    appointmentSlotFor(fixedPms, "2024-07-22T21:00:00Z");
    // @ts-expect-error: this PMS reads one fixed zone, so a property zone would be ignored
    appointmentSlotFor(fixedPms, 0, "America/Chicago");
    // A vendor known only at run time may be called either way.
    appointmentSlotFor(anyPms, 0, "America/Chicago");
    appointmentSlotFor(anyPms, 0);
    // @ts-expect-error: not a PMS of the spec
    appointmentSlotFor("nopms", 0);
  });
});

describe("webhooks", () => {
  it("parseWebhook returns the union of the spec's webhook payloads, one per trigger", () => {
    expectTypeOf(parseWebhook("{}")).toEqualTypeOf<WebhookEvent>();
    type Payload<K extends keyof WebhookTypes> = NonNullable<WebhookTypes[K]["post"]["requestBody"]>["content"]["application/json"];
    expectTypeOf<WebhookEvent>().toEqualTypeOf<Payload<keyof WebhookTypes>>();
    // Each trigger picks out exactly one payload.
    expectTypeOf<{ [T in WebhookTrigger]: WebhookPayload<T>["trigger"] }>().toEqualTypeOf<{ [T in WebhookTrigger]: T }>();
  });

  it("narrows by trigger: a failed write is typed without a cast", () => {
    const event = parseWebhook("{}");
    if (event.trigger === "WRITE_OPERATION_FAILURE") {
      expectTypeOf(event).toEqualTypeOf<Schemas["WriteOperationFailureWebhook"]>();
      expectTypeOf(event.data.write_status).toEqualTypeOf<"PARTIAL_SUCCESS" | "FAILURE">();
      expectTypeOf(event.data.root_job_id).toEqualTypeOf<string>();
    }
    // @ts-expect-error: no webhook has this trigger
    const other: WebhookTrigger = "SOMETHING_ELSE";
    // @ts-expect-error: a failed write's status is never PENDING
    const pending: WebhookPayload<"WRITE_OPERATION_FAILURE">["data"]["write_status"] = "PENDING";
    void other;
    void pending;
  });

  it("takes text, bytes or a parsed body, and nothing else", () => {
    parseWebhook('{"trigger":"WRITE_OPERATION_FAILURE"}');
    parseWebhook(new Uint8Array());
    parseWebhook({ trigger: "WRITE_OPERATION_FAILURE" });
    // @ts-expect-error: a number is no request body
    parseWebhook(42);
  });
});

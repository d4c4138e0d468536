// Type tests: the resource tree and its parameter and result types come from the spec, and a
// wrong vendor, subject or verb, a missing required field or a wrong field type does not compile.
import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/schema.js";
import {
  parseWebhook,
  Propexo,
  type Page,
  type WebhookEvent,
  type WebhookPayload,
  type WebhookTrigger,
  type WebhookTypes,
  type WriteJob,
  type WriteStatusBody,
} from "../../src/index.js";

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

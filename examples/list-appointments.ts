// Read appointments back: every one of an integration, or one page at a time.
import { Propexo } from "propexo-appointments";

const propexo = new Propexo({ environment: "sandbox", baseUrl: process.env.PROPEXO_BASE_URL });
const integration_id = process.env.PROPEXO_INTEGRATION_ID ?? "clwktsp9v000008l31iv218hn";

// Iterating fetches page after page, lazily, until the last one. A long walk may meet a passing
// fault on some page: a derived client retries more, and shares the token's rate-limit budget.
const patient = propexo.withOptions({ maxRetries: 5 });
let count = 0;
for await (const appointment of patient.appointments.list({ integration_id, limit: 100 })) {
  count++;
  console.log(`${appointment.appointment_datetime ?? "(no time)"}  ${appointment.event_name ?? "(untitled)"}  [${appointment.id}]`);
}
console.log(`${count} appointment(s) in integration ${integration_id}`);

// One page, with its paging information: for a UI that shows a page at a time.
const page = await propexo.appointments.list({ integration_id, limit: 10, offset: 0 }).firstPage();
console.log(`first page: ${page.results.length} of ${page.meta.total ?? "?"}, more: ${page.hasMore}`);

// And a single event by its Propexo ID.
const first = page.results[0];
if (first) {
  const event = await propexo.events.retrieve(first.id);
  console.log(`event ${event.id}: ${event.type_raw ?? "?"} with ${event.agent_name ?? "nobody"}`);

  // Or the raw response, as soon as its headers arrive, to pass the body on as it came.
  const raw = await propexo.events.retrieve(first.id).asResponse();
  const bytes = (await raw.arrayBuffer()).byteLength;
  console.log(`raw event: ${raw.status} ${raw.headers.get("content-type")}, ${bytes > 0 ? "with a body" : "empty"}`);
}

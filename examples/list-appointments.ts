// Read appointments back: every one of an integration, or one page at a time.
import { Propexo } from "propexo-appointments";

const propexo = new Propexo({ environment: "sandbox", baseUrl: process.env.PROPEXO_BASE_URL });
const integration_id = process.env.PROPEXO_INTEGRATION_ID ?? "clwktsp9v000008l31iv218hn";

// Iterating fetches page after page, lazily, until the last one.
let count = 0;
for await (const appointment of propexo.appointments.list({ integration_id, limit: 100 })) {
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
}

// Move appointments and cancel one, in both PMSs, and what to do where a PMS cannot.
import { Propexo, UnsupportedOperationError } from "propexo-appointments";

const propexo = new Propexo({ environment: "sandbox", baseUrl: process.env.PROPEXO_BASE_URL });
const integration_id = process.env.PROPEXO_INTEGRATION_ID ?? "clwktsp9v000008l31iv218hn";
const event_id = process.env.PROPEXO_EVENT_ID ?? "clx2b7d9k000108l4h2c3f6a1";

// Rent Manager: the same tour, an hour long. An update sends the whole appointment again.
const moved = await propexo.appointments.rentmanager.leads.update(event_id, {
  appointment_date: "2024-07-20",
  appointment_time: "09:15:00",
  appointment_duration_minutes: 60,
  title: "Community tour",
  notes: "Asked for more time.",
});
await moved.wait();
console.log(`Rent Manager update: job ${moved.jobId} done`);

// ResMan reads the date and time as UTC.
const resman = await propexo.appointments.resman.leads.update(event_id, { appointment_date: "2024-07-20", appointment_time: "14:00:00" });
await resman.wait();
console.log(`ResMan update: job ${resman.jobId} done`);

// Rent Manager: cancel it.
const cancelled = await propexo.appointments.rentmanager.leads.cancel({ integration_id, event_id });
await cancelled.wait();
console.log(`Rent Manager cancel: job ${cancelled.jobId} done`);

// ResMan cannot cancel appointments at all. Ask first, from the spec, without a request...
console.log(`ResMan can cancel: ${Propexo.supports("resman", "leads", "cancel")}`);
// ...the types refuse the call itself, and a caller without types is refused at run time,
// with nothing sent.
try {
  // @ts-expect-error: ResMan cannot cancel, so the call does not compile
  await propexo.appointments.resman.leads.cancel();
} catch (error) {
  if (!(error instanceof UnsupportedOperationError)) throw error;
  console.log(`ResMan cancel: ${error.message}`);
}

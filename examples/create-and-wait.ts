// Book a tour for a Rent Manager lead, then wait until the PMS has it.
//
// Writes are asynchronous in Propexo: the call answers at once with a job, and the appointment
// reaches the PMS later. `job.wait()` polls the job's write status until it settles.
import { Propexo, WriteFailedError } from "propexo-appointments";

// The token comes from PROPEXO_TOKEN; PROPEXO_BASE_URL, when set, points at another server (a mock).
const propexo = new Propexo({ environment: "sandbox", baseUrl: process.env.PROPEXO_BASE_URL });
const integration_id = process.env.PROPEXO_INTEGRATION_ID ?? "clwktsp9v000008l31iv218hn";
const lead_id = process.env.PROPEXO_LEAD_ID ?? "clx2a9q1c000308l1bq5d7e2f";

const job = await propexo.appointments.rentmanager.leads.create({
  integration_id,
  lead_id,
  // Rent Manager reads these in the property's time zone (see appointment-slot.ts).
  appointment_date: "2024-07-20",
  appointment_time: "09:15:00",
  appointment_duration_minutes: 45,
  title: "Community tour",
  notes: "First visit.",
});
console.log(`accepted: job ${job.jobId}`);

try {
  // Two minutes in all; each status poll gives up after 10 s (and is retried, as reads are).
  const status = await job.wait({ timeoutMs: 120_000, requestOptions: { timeoutMs: 10_000 } });
  console.log(`written: ${status.write_status}, event ${status.created_record_id}`);
} catch (error) {
  // The PMS can still refuse a write that Propexo accepted, e.g. a time outside office hours.
  if (!(error instanceof WriteFailedError)) throw error;
  console.error(`the PMS refused the write (${error.status}): ${error.errors.join("; ")}`);
  process.exitCode = 1;
}

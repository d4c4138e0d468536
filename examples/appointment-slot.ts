// Turn a moment in time into the date and wall-clock time an appointment write takes.
//
// The PMSs read `appointment_date` and `appointment_time` differently: ResMan as UTC, Rent
// Manager in the property's time zone, Entrata in US Mountain Time (README, "Time zones").
// appointmentSlot does the conversion with Intl only, daylight-saving changes included;
// appointmentSlotFor looks up which zone a PMS reads.
import { Propexo, appointmentSlot, appointmentSlotFor } from "propexo-appointments";

const propexo = new Propexo({ environment: "sandbox", baseUrl: process.env.PROPEXO_BASE_URL });
const integration_id = process.env.PROPEXO_INTEGRATION_ID ?? "clwktsp9v000008l31iv218hn";
const lead_id = process.env.PROPEXO_LEAD_ID ?? "clx2a9q1c000308l1bq5d7e2f";

// 2 p.m. in Chicago on 18 July 2024.
const tour = new Date("2024-07-18T19:00:00Z");
const forResman = appointmentSlot(tour, "UTC");
const forRentManager = appointmentSlot(tour, "America/Chicago");
console.log(`ResMan:       ${forResman.appointment_date} ${forResman.appointment_time}`);
console.log(`Rent Manager: ${forRentManager.appointment_date} ${forRentManager.appointment_time}`);
// The same, with the PMS's rule looked up; Rent Manager needs the property's zone, Entrata not.
const forEntrata = appointmentSlotFor("entrata", tour);
console.log(`Entrata:      ${forEntrata.appointment_date} ${forEntrata.appointment_time}`);
console.log(`same for RM:  ${JSON.stringify(appointmentSlotFor("rentmanager", tour, "America/Chicago")) === JSON.stringify(forRentManager)}`);

// On the night clocks go back, 05:30 UTC is 01:30 in New York (the second 01:30 is 06:30 UTC).
const fallBack = appointmentSlot("2024-11-03T05:30:00Z", "America/New_York");
console.log(`fall back:    ${fallBack.appointment_date} ${fallBack.appointment_time}`);

// Spread the slot straight into a write.
const job = await propexo.appointments.rentmanager.leads.create({
  integration_id,
  lead_id,
  ...forRentManager,
  appointment_duration_minutes: 30,
  title: "Unit showing",
});
await job.wait();
console.log(`booked: job ${job.jobId}`);

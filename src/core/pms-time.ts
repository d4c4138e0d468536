// The date and time a given PMS expects for an instant. Which zone each PMS reads times in is a
// fact of the spec (`x-propexo-time-zone` on the PMS's tag), carried into generated/operations.ts,
// so a PMS added to the spec is covered here by regenerating.
import { pmsTimeZones } from "../../generated/operations.js";
import { appointmentSlot, type AppointmentSlot } from "./time.js";

/** A PMS of the spec, by the vendor slug of its paths (`resman`, `realpage_rpx`, ...). */
export type PmsVendor = keyof typeof pmsTimeZones;

/**
 * The property's time zone, required exactly for the PMSs that read times in it. Distributes over
 * a union of vendors, so a vendor known only at run time may be called either way.
 */
export type PropertyZoneArg<V extends PmsVendor> = V extends PmsVendor
  ? (typeof pmsTimeZones)[V] extends "property"
    ? [propertyTimeZone: string]
    : []
  : never;

/**
 * The `appointment_date` and `appointment_time` that the PMS `vendor` reads as `instant`, whichever
 * zone it reads them in (see `pmsTimeZones`): a PMS that reads a fixed zone (UTC, or Mountain Time
 * for Entrata) gets the slot in that zone, and a PMS that reads the property's own zone needs that
 * zone as the third argument.
 *
 * @param vendor The PMS, as in `propexo.appointments.<vendor>`.
 * @param instant A `Date`, epoch milliseconds, or an ISO 8601 string with `Z` or an offset.
 * @param propertyTimeZone The property's IANA time zone, for the PMSs that read times in it (and
 *   only for them: the types refuse it elsewhere).
 * @throws {RangeError} If `vendor` is not a PMS of the spec, or as `appointmentSlot` does.
 * @throws {TypeError} If the PMS needs the property's time zone and none was given, or as
 *   `appointmentSlot` does.
 *
 * @example
 * ```ts
 * // 4 p.m. in Chicago on 22 July 2024 (21:00 UTC):
 * appointmentSlotFor("entrata", "2024-07-22T21:00:00Z");
 * // => { appointment_date: "2024-07-22", appointment_time: "15:00:00" }   (Mountain Time)
 * appointmentSlotFor("rentmanager", "2024-07-22T21:00:00Z", "America/Chicago");
 * // => { appointment_date: "2024-07-22", appointment_time: "16:00:00" }
 * ```
 */
export function appointmentSlotFor<V extends PmsVendor>(
  vendor: V,
  instant: Date | string | number,
  ...propertyTimeZone: PropertyZoneArg<V>
): AppointmentSlot {
  const [zone] = propertyTimeZone as string[];
  const zones: Record<string, string> = pmsTimeZones;
  const rule = Object.hasOwn(zones, vendor) ? zones[vendor] : undefined;
  if (rule === undefined) {
    throw new RangeError(`appointmentSlotFor: vendor must be one of ${Object.keys(zones).join(", ")}, received "${vendor}"`);
  }
  if (rule !== "property") return appointmentSlot(instant, rule);
  if (zone === undefined) {
    throw new TypeError(
      `appointmentSlotFor: ${vendor} reads times in the property's time zone; pass it (an IANA time zone such as "America/Chicago") as the third argument`,
    );
  }
  return appointmentSlot(instant, zone);
}

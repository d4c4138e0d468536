// From what people say ("Tuesday at 10:00 at the property") to the instant it means, and to the
// fields a PMS takes for it. Intl only, like appointmentSlot: no date library.
import { pmsTimeZones } from "../../generated/operations.js";
import type { PmsVendor } from "./pms-time.js";
import { appointmentSlot, type AppointmentSlot } from "./time.js";

/** A calendar date and a wall-clock time somewhere, as a person states them. */
export interface LocalDateTime {
  /** `YYYY-MM-DD`. */
  date: string;
  /** `HH:MM` or `HH:MM:SS`, 24-hour. */
  time: string;
}

/** The next given weekday at a wall-clock time, as in "Tuesday at 10:00". */
export interface WeekdayTime {
  /** `"monday"` … `"sunday"` (any case). */
  weekday: string;
  /** `HH:MM` or `HH:MM:SS`, 24-hour. */
  time: string;
}

/** Where to count a {@link WeekdayTime} from. */
export interface WeekdayOptions {
  /** The moment to count from (default now): the first such weekday and time strictly after it. */
  after?: Date | number | string | undefined;
  /** Whole weeks to add on top (default 0): 1 gives the same weekday a week later. */
  weeksAhead?: number | undefined;
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const DAY = 86_400_000;
/** The instants appointmentSlot reads: from 0001-01-02 to 9999-12-31, 00:00 UTC. */
const FIRST = -62_135_510_400_000;
const LAST = 253_402_214_400_000;
const DATE = /^(\d{4})-(\d\d)-(\d\d)$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** Wall-clock milliseconds (read as if UTC) of `local`, after checking its shape. */
function wallOf(local: LocalDateTime, name: string): number {
  const d = DATE.exec(`${local?.date}`);
  const t = TIME.exec(`${local?.time}`);
  if (!d) throw new RangeError(`${name}: date must be YYYY-MM-DD, received "${local?.date}"`);
  if (!t) throw new RangeError(`${name}: time must be HH:MM or HH:MM:SS (24-hour), received "${local?.time}"`);
  // Not Date.UTC, which reads the years 0 to 99 as 1900 to 1999.
  const at = new Date(0);
  at.setUTCFullYear(+d[1]!, +d[2]! - 1, +d[3]!);
  at.setUTCHours(+t[1]!, +t[2]!, +(t[3] ?? 0));
  // A date that does not exist rolls over (2024-02-30 into March): a mistake.
  if (at.getUTCDate() !== +d[3]! || +d[2]! < 1 || +d[2]! > 12) throw new RangeError(`${name}: there is no date "${local.date}"`);
  return at.getTime();
}

/** The wall clock of `timeZone` at `ms`, read as if UTC. */
function wallAt(ms: number, timeZone: string): number {
  const { appointment_date: date, appointment_time: time } = appointmentSlot(ms, timeZone);
  // Stryker disable next-line StringLiteral: appointmentSlot's fields are always a valid date and time, so the name is never shown.
  return wallOf({ date, time }, "instantAt");
}

/**
 * The instant at which the wall clocks of `timeZone` read `local`. Where that wall-clock time
 * occurs twice (clocks going back) it is the earlier; where it never occurs (clocks going
 * forward) it is moved forward by the gap, as a person would do (02:30 becomes 03:30), the way
 * JavaScript's Temporal resolves it by default.
 *
 * @throws {RangeError} If `local` is not a real date and time, or `timeZone` is unknown.
 *
 * @example
 * ```ts
 * instantAt({ date: "2024-07-23", time: "10:00" }, "America/Chicago"); // 2024-07-23T15:00:00.000Z
 * ```
 */
export function instantAt(local: LocalDateTime, timeZone: string): Date {
  const target = wallOf(local, "instantAt");
  // Offsets on either side of any clock change near the target (changes are months apart).
  // Offsets reach from 12 hours behind UTC to 14 ahead, so the instant lies within 14 hours of
  // `target` read as UTC: a day either side (within the calendar appointmentSlot reads) is safely
  // before and after it.
  const early = Math.max(target - DAY, FIRST);
  const late = Math.min(target + DAY, LAST);
  const before = wallAt(early, timeZone) - early;
  const after = wallAt(late, timeZone) - late;
  const fits = [target - before, target - after].filter((ms) => wallAt(ms, timeZone) === target);
  return new Date(fits.length ? Math.min(...fits) : target - before);
}

/**
 * The date of the next `weekday` at `time` in `timeZone`, strictly after `options.after` (default
 * now), plus `options.weeksAhead` weeks: "Tuesday at 10:00" on a Tuesday at 09:00 is today, at
 * 11:00 it is a week later.
 *
 * @example
 * ```ts
 * // Monday 22 July 2024, noon in Chicago:
 * nextWeekday({ weekday: "tuesday", time: "10:00" }, "America/Chicago", { after: "2024-07-22T17:00:00Z" });
 * // => { date: "2024-07-23", time: "10:00" }
 * ```
 */
export function nextWeekday(when: WeekdayTime, timeZone: string, options: WeekdayOptions = {}): LocalDateTime {
  const wanted = WEEKDAYS.indexOf(`${when?.weekday}`.toLowerCase());
  if (wanted < 0) throw new RangeError(`nextWeekday: weekday must be one of ${WEEKDAYS.join(", ")}, received "${when?.weekday}"`);
  const weeks = options.weeksAhead ?? 0;
  if (!Number.isInteger(weeks) || weeks < 0) throw new RangeError(`nextWeekday: weeksAhead must be a whole number ≥ 0, received ${weeks}`);
  const from = options.after === undefined ? Date.now() : options.after;
  const now = appointmentSlot(from, timeZone);
  const midnight = { date: now.appointment_date, time: "00:00" };
  // Stryker disable next-line StringLiteral: a date appointmentSlot gave, at midnight, is always valid, so the name is never shown.
  const today = wallOf(midnight, "nextWeekday");
  let days = (wanted - new Date(today).getUTCDay() + 7) % 7;
  const time = wallOf({ date: now.appointment_date, time: when.time }, "nextWeekday") - today;
  // Today only while the time is still ahead on the clock.
  // Stryker disable next-line StringLiteral: appointmentSlot's own date and time are always valid, so the name is never shown.
  if (days === 0 && today + time <= wallOf({ date: now.appointment_date, time: now.appointment_time }, "nextWeekday")) days = 7;
  const date = new Date(today + (days + 7 * weeks) * DAY).toISOString().slice(0, 10);
  return { date, time: when.time };
}

/**
 * The `appointment_date` and `appointment_time` that PMS `vendor` needs for a local date and time
 * at a property (or "next Tuesday at 10:00" there): wall-clock time at the property, converted
 * into the zone the PMS reads, as the spec records it for each PMS (`pmsTimeZones`).
 *
 * @param vendor The PMS, as in `propexo.appointments.<vendor>`.
 * @param when A date and time, or a weekday and time (see {@link nextWeekday}), at the property.
 * @param propertyTimeZone The property's IANA time zone.
 * @param options For a weekday: what to count from and how many weeks ahead.
 *
 * @example
 * ```ts
 * const slot = appointmentSlotAt("resman", { weekday: "tuesday", time: "10:00" }, "America/Chicago");
 * await propexo.appointments.resman.leads.update(eventId, slot); // ResMan reads UTC: 15:00:00 in summer
 * ```
 */
export function appointmentSlotAt(vendor: PmsVendor, when: LocalDateTime | WeekdayTime, propertyTimeZone: string, options?: WeekdayOptions): AppointmentSlot {
  const zones: Record<string, string> = pmsTimeZones;
  const rule = Object.hasOwn(zones, vendor) ? zones[vendor] : undefined;
  if (rule === undefined) throw new RangeError(`appointmentSlotAt: vendor must be one of ${Object.keys(zones).join(", ")}, received "${vendor}"`);
  const local = "weekday" in when ? nextWeekday(when, propertyTimeZone, options) : when;
  return appointmentSlot(instantAt(local, propertyTimeZone), rule === "property" ? propertyTimeZone : rule);
}

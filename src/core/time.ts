// Turning an instant into the date and wall-clock time that appointment writes take. Only
// Intl.DateTimeFormat is used, so this runs unchanged in browsers, Node and edge runtimes.

/** An appointment's date and local wall-clock time, as Propexo's appointment writes take them. */
export interface AppointmentSlot {
  /** Calendar date in the given time zone, `YYYY-MM-DD`. */
  appointment_date: string;
  /** Wall-clock time in the given time zone, `HH:MM:SS`, 24-hour. */
  appointment_time: string;
}

const NAME = "appointmentSlot: ";

// Offsets stay well under a day (the widest, local mean times of the 1800s, under 16 h), so these
// UTC bounds keep every local year within 0001–9999, the years that YYYY can hold.
const MIN = -62135510400000; // 0001-01-02T00:00:00Z
const MAX = 253402214400000; // 9999-12-31T00:00:00Z

// Building a formatter is slow and a deployment sees few zones. Clearing when full, rather than
// tracking recency, bounds memory for callers that cycle through many zones at the least code.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        // Stringified so that undefined is rejected rather than read as the runtime's own zone.
        timeZone: `${timeZone}`,
        // Not hour12: false, which picks h24 in current V8/ICU and prints midnight as "24".
        hourCycle: "h23",
        // "numeric" and padding below, because some engines ignore "2-digit" for minutes.
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new RangeError(
        `${NAME}timeZone must be an IANA time zone such as "America/New_York", received "${timeZone}"`,
      );
    }
    if (formatters.size > 99) formatters.clear();
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * The calendar date and local wall-clock time of `instant` in the IANA time zone `timeZone`, in
 * the shape Propexo's appointment create and update writes take.
 *
 * `appointment_time` is wall-clock time in `timeZone`, not UTC, and `appointment_date` is the
 * calendar date there, which can differ from the UTC date. Which zone to pass depends on the PMS,
 * and the spec records it for each one (`pmsTimeZones`, from `x-propexo-time-zone` on the PMS's
 * tag): some read every time as UTC, some in one fixed zone (Entrata: `"America/Denver"`), the
 * rest in the property's own zone. `appointmentSlotFor(vendor, instant, propertyTimeZone?)` looks
 * the rule up for you; the README's "Time zones" section explains each PMS's rule.
 *
 * Seconds are truncated, never rounded up; milliseconds are dropped.
 *
 * @param instant A `Date`, epoch milliseconds, or an ISO 8601 string with `Z` or an offset.
 * @param timeZone An IANA time zone such as `"America/New_York"`, or `"UTC"`.
 * @throws {TypeError} If `instant` is not a valid date.
 * @throws {RangeError} If `instant` falls outside the years 0001–9999 or `timeZone` is unknown.
 *
 * @example
 * ```ts
 * // A 2 p.m. tour in Chicago on 18 July 2024 (19:00 UTC):
 * appointmentSlot("2024-07-18T19:00:00Z", "America/Chicago");
 * // => { appointment_date: "2024-07-18", appointment_time: "14:00:00" }   (a property-zone PMS)
 * appointmentSlot("2024-07-18T19:00:00Z", "UTC");
 * // => { appointment_date: "2024-07-18", appointment_time: "19:00:00" }   (a UTC PMS)
 * ```
 */
export function appointmentSlot(instant: Date | string | number, timeZone: string): AppointmentSlot {
  // A string must carry Z or an offset: without one, Date.parse reads it in the zone of whichever
  // machine runs this, and the same call would give one slot on a server and another in a browser.
  const ms =
    instant instanceof Date
      ? instant.getTime()
      : typeof instant == "number"
        ? instant
        : /(Z|[+-]\d\d:\d\d)$/.test(instant)
          ? Date.parse(instant)
          : NaN;
  if (!(ms >= MIN && ms <= MAX)) {
    throw new (Number.isFinite(ms) ? RangeError : TypeError)(
      `${NAME}instant must be a valid date in the years 0001-9999 (ISO strings need Z or an offset), received "${instant}"`,
    );
  }
  const part: Record<string, string> = {};
  // Flooring to the second first makes truncation explicit, also before 1970 where ms are negative.
  for (const { type, value } of formatter(timeZone).formatToParts(ms - (((ms % 1000) + 1000) % 1000))) {
    part[type] = value;
  }
  // The % 24 guards against engines that print midnight as "24", as older Chrome did.
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return {
    appointment_date: `${pad(+part.year!, 4)}-${pad(+part.month!)}-${pad(+part.day!)}`,
    appointment_time: `${pad(+part.hour! % 24)}:${pad(+part.minute!)}:${pad(+part.second!)}`,
  };
}

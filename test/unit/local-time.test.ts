// From local terms to instants and PMS fields: instantAt (a date and time at a place → the
// instant), nextWeekday ("Tuesday at 10:00"), and appointmentSlotAt (→ the fields a PMS takes).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appointmentSlot, appointmentSlotAt, appointmentSlotFor, instantAt, nextWeekday, pmsTimeZones, type PmsVendor } from "../../src/index.js";

const ZONES = ["UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"];
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const local = (ms: number, zone: string) => {
  const s = appointmentSlot(ms, zone);
  return { date: s.appointment_date, time: s.appointment_time };
};

describe("instantAt", () => {
  it("gives the instant at which the zone's clocks read the date and time", () => {
    expect(instantAt({ date: "2024-07-23", time: "10:00" }, "America/Chicago").toISOString()).toBe("2024-07-23T15:00:00.000Z");
    expect(instantAt({ date: "2024-01-23", time: "10:00:30" }, "America/Chicago").toISOString()).toBe("2024-01-23T16:00:30.000Z");
    expect(instantAt({ date: "2024-07-23", time: "23:30" }, "Asia/Kolkata").toISOString()).toBe("2024-07-23T18:00:00.000Z");
  });

  it("moves a time the clocks skip forward by the gap, and takes the earlier of a time they show twice", () => {
    // New York: 02:00 EST became 03:00 EDT on 10 March 2024; 02:00 EDT became 01:00 EST on 3 November.
    expect(instantAt({ date: "2024-03-10", time: "02:30" }, "America/New_York").toISOString()).toBe("2024-03-10T07:30:00.000Z");
    expect(instantAt({ date: "2024-11-03", time: "01:30" }, "America/New_York").toISOString()).toBe("2024-11-03T05:30:00.000Z");
    // Later on the days of the change, and the evening before: the offset in force at that time.
    expect(instantAt({ date: "2024-03-10", time: "10:00" }, "America/New_York").toISOString()).toBe("2024-03-10T14:00:00.000Z");
    expect(instantAt({ date: "2024-11-03", time: "20:00" }, "America/New_York").toISOString()).toBe("2024-11-04T01:00:00.000Z");
    expect(instantAt({ date: "2024-03-09", time: "20:00" }, "America/New_York").toISOString()).toBe("2024-03-10T01:00:00.000Z");
    expect(instantAt({ date: "2024-11-02", time: "20:00" }, "America/New_York").toISOString()).toBe("2024-11-03T00:00:00.000Z");
    // The first and last days appointmentSlot reads.
    expect(instantAt({ date: "0001-01-02", time: "12:00" }, "UTC").toISOString()).toBe("0001-01-02T12:00:00.000Z");
    expect(instantAt({ date: "9999-12-30", time: "11:00" }, "UTC").toISOString()).toBe("9999-12-30T11:00:00.000Z");
    // The first years of the calendar are years, not 1900 plus the number.
    expect(instantAt({ date: "0050-06-01", time: "10:00" }, "UTC").toISOString()).toBe("0050-06-01T10:00:00.000Z");
    // Chatham sits 12:45 or 13:45 ahead of UTC, more than half a day: 02:00 there, 45 minutes
    // before its clocks went forward on 27 September 2020, is still 02:00 on the way back.
    expect(local(instantAt({ date: "2020-09-27", time: "02:00" }, "Pacific/Chatham").getTime(), "Pacific/Chatham")).toEqual({ date: "2020-09-27", time: "02:00:00" });
    expect(instantAt({ date: "2020-09-27", time: "02:00" }, "Pacific/Chatham").toISOString()).toBe("2020-09-26T13:15:00.000Z");
    // Kiritimati sits 14 hours ahead, the most of any zone; Pago Pago 11 hours behind.
    expect(instantAt({ date: "2024-07-23", time: "10:00" }, "Pacific/Kiritimati").toISOString()).toBe("2024-07-22T20:00:00.000Z");
    expect(instantAt({ date: "2024-07-23", time: "10:00" }, "Pacific/Pago_Pago").toISOString()).toBe("2024-07-23T21:00:00.000Z");
    // Lord Howe moves its clocks by half an hour.
    expect(local(instantAt({ date: "2024-10-06", time: "02:15" }, "Australia/Lord_Howe").getTime(), "Australia/Lord_Howe")).toEqual({ date: "2024-10-06", time: "02:45:00" });
  });

  it("reads back as the same date and time, to the second, wherever the clocks show it", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(...ZONES), (ms, zone) => {
        const wall = local(ms, zone);
        const back = instantAt(wall, zone).getTime();
        expect(local(back, zone)).toEqual(wall);
        // The earlier of two readings, so never later than the instant it came from.
        expect(back).toBeLessThanOrEqual(Math.floor(ms / 1000) * 1000);
      }),
      { numRuns: RUNS },
    );
  });

  it("reads back every quarter hour within a day of each clock change from 2023 to 2025, in every zone", () => {
    const HOUR = 3_600_000;
    const WEEK = 7 * 24 * HOUR;
    const offset = (ms: number, zone: string) => {
      const wall = local(ms, zone);
      return Date.parse(`${wall.date}T${wall.time}Z`) - ms;
    };
    let changes = 0;
    for (const zone of ZONES) {
      for (let week = Date.UTC(2023, 0, 1); week < Date.UTC(2026, 0, 1); week += WEEK) {
        if (offset(week, zone) === offset(week + WEEK, zone)) continue;
        // The first minute of the new offset, by halving the week.
        let [lo, hi] = [week, week + WEEK];
        while (hi - lo > 60_000) {
          const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
          if (offset(mid, zone) === offset(lo, zone)) lo = mid;
          else hi = mid;
        }
        changes++;
        for (let ms = hi - 30 * HOUR; ms <= hi + 30 * HOUR; ms += 15 * 60_000) {
          const wall = local(ms, zone);
          const back = instantAt(wall, zone).getTime();
          expect(local(back, zone), `${zone}, ${new Date(ms).toISOString()}`).toEqual(wall);
          expect(back, `${zone}, ${new Date(ms).toISOString()}`).toBeLessThanOrEqual(ms);
        }
      }
    }
    // Seven of the zones change their clocks twice a year.
    expect(changes).toBe(7 * 2 * 3);
  });

  it.each([
    [{ date: "2024-02-30", time: "10:00" }, /no date "2024-02-30"/],
    [{ date: "2024-13-01", time: "10:00" }, /no date/],
    // Month 00 and 13 roll into a neighbouring year on the same day of the month.
    [{ date: "2024-00-15", time: "10:00" }, /instantAt: there is no date "2024-00-15"/],
    [{ date: "2024-13-15", time: "10:00" }, /instantAt: there is no date "2024-13-15"/],
    [{ date: "24-07-23", time: "10:00" }, /date must be YYYY-MM-DD, received "24-07-23"/],
    [{ date: "2024-07-23", time: "24:00" }, /time must be HH:MM or HH:MM:SS \(24-hour\), received "24:00"/],
    [{ date: "2024-07-23", time: "9:30" }, /received "9:30"/],
  ])("refuses %o, naming the field and the value", (value, message) => {
    expect(() => instantAt(value, "UTC")).toThrow(message);
  });

  it("refuses an unknown zone", () => {
    expect(() => instantAt({ date: "2024-07-23", time: "10:00" }, "Mars/Olympus")).toThrow(RangeError);
  });

  it("refuses no date and time at all with a RangeError, not a TypeError", () => {
    expect(() => instantAt(undefined as never, "UTC")).toThrow(new RangeError('instantAt: date must be YYYY-MM-DD, received "undefined"'));
    expect(() => instantAt({ date: "2024-07-23" } as never, "UTC")).toThrow(new RangeError('instantAt: time must be HH:MM or HH:MM:SS (24-hour), received "undefined"'));
  });
});

describe("nextWeekday", () => {
  // Monday 22 July 2024, 12:00 in Chicago.
  const monday = "2024-07-22T17:00:00Z";

  it("is the first such weekday at that time strictly after the moment, in the zone", () => {
    expect(nextWeekday({ weekday: "tuesday", time: "10:00" }, "America/Chicago", { after: monday })).toEqual({ date: "2024-07-23", time: "10:00" });
    expect(nextWeekday({ weekday: "Monday", time: "13:00" }, "America/Chicago", { after: monday })).toEqual({ date: "2024-07-22", time: "13:00" });
    expect(nextWeekday({ weekday: "MONDAY", time: "12:00" }, "America/Chicago", { after: monday })).toEqual({ date: "2024-07-29", time: "12:00" });
    // 22:30 on Monday in Kolkata at that instant, so Tuesday 10:00 there is the next morning.
    expect(nextWeekday({ weekday: "tuesday", time: "10:00" }, "Asia/Kolkata", { after: "2024-07-22T17:00:00Z" })).toEqual({ date: "2024-07-23", time: "10:00" });
    expect(nextWeekday({ weekday: "tuesday", time: "10:00" }, "America/Chicago", { after: monday, weeksAhead: 2 })).toEqual({ date: "2024-08-06", time: "10:00" });
  });

  it("lands on the weekday asked, after the moment, within a week plus the weeks ahead", () => {
    const days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom(...ZONES),
        fc.nat(6),
        fc.nat(23),
        fc.nat(3),
        (after, zone, day, hour, weeks) => {
          const time = `${String(hour).padStart(2, "0")}:00`;
          const found = nextWeekday({ weekday: days[day]!, time }, zone, { after, weeksAhead: weeks });
          expect(new Date(`${found.date}T00:00:00Z`).getUTCDay()).toBe(day);
          const at = instantAt(found, zone).getTime();
          expect(at).toBeGreaterThan(after - 3_600_000); // a skipped hour can pull it back by the gap
          expect(at - after).toBeLessThanOrEqual((7 * (weeks + 1) + 1) * 86_400_000);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("refuses an unknown weekday or a negative number of weeks", () => {
    expect(() => nextWeekday({ weekday: "funday", time: "10:00" }, "UTC")).toThrow(/weekday must be one of sunday, .*received "funday"/);
    expect(() => nextWeekday({ weekday: "friday", time: "10:00" }, "UTC", { weeksAhead: -1 })).toThrow(/weeksAhead must be a whole number ≥ 0, received -1/);
  });

  it("refuses a bad time or no weekday at all with a RangeError naming itself, not a TypeError", () => {
    expect(() => nextWeekday({ weekday: "friday", time: "25:00" }, "UTC")).toThrow(new RangeError('nextWeekday: time must be HH:MM or HH:MM:SS (24-hour), received "25:00"'));
    expect(() => nextWeekday(undefined as never, "UTC")).toThrow(/^nextWeekday: weekday must be one of .*, received "undefined"$/);
  });

  it("reads a moment that is neither a Date nor a number by its text (a Temporal.Instant, say)", () => {
    const instant = { toString: () => monday };
    expect(nextWeekday({ weekday: "tuesday", time: "10:00" }, "America/Chicago", { after: instant as never })).toEqual({ date: "2024-07-23", time: "10:00" });
  });

  it("counts from now when no moment is given", () => {
    const when = { weekday: "wednesday", time: "03:17" };
    // Both read the clock within a millisecond or two; only 03:17 itself could fall between them.
    expect(nextWeekday(when, "Asia/Tokyo")).toEqual(nextWeekday(when, "Asia/Tokyo", { after: Date.now() }));
  });
});

describe("appointmentSlotAt", () => {
  const vendors = Object.keys(pmsTimeZones) as PmsVendor[];

  it("gives every PMS of the spec the fields for the property's local date and time, in the zone it reads", () => {
    const when = { date: "2024-07-23", time: "10:00" };
    for (const vendor of vendors) {
      const instant = instantAt(when, "America/Chicago");
      const expected = (appointmentSlotFor as (v: PmsVendor, i: Date, z?: string) => unknown)(vendor, instant, pmsTimeZones[vendor] === "property" ? "America/Chicago" : undefined);
      expect(appointmentSlotAt(vendor, when, "America/Chicago"), vendor).toEqual(expected);
    }
  });

  it("takes a weekday and time, counted as nextWeekday counts", () => {
    const vendor = vendors.find((v) => pmsTimeZones[v] === "property")!;
    expect(appointmentSlotAt(vendor, { weekday: "tuesday", time: "10:00" }, "America/Chicago", { after: "2024-07-22T17:00:00Z" })).toEqual({
      appointment_date: "2024-07-23",
      appointment_time: "10:00:00",
    });
  });

  it("refuses a vendor the spec does not have", () => {
    expect(() => appointmentSlotAt("nopms" as PmsVendor, { date: "2024-07-23", time: "10:00" }, "UTC")).toThrow(`appointmentSlotAt: vendor must be one of ${Object.keys(pmsTimeZones).join(", ")}, received "nopms"`);
  });
});

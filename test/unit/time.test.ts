// appointmentSlot: fixed instants around the transitions that break naive offset arithmetic, the
// calendar edges, input validation, and a property checking every answer against the zone's offset.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { appointmentSlot } from "../../src/core/time.js";

// [instant, zone, appointment_date, appointment_time]. Expected values come from the tz rules (and
// were cross-checked with GNU date against the system's zoneinfo), not from running the code.
type Case = [instant: string, zone: string, date: string, time: string];

function check(cases: Case[]) {
  it.each(cases)("%s in %s is %s %s", (instant, zone, date, time) => {
    expect(appointmentSlot(instant, zone)).toEqual({ appointment_date: date, appointment_time: time });
  });
}

describe("daylight-saving transitions", () => {
  describe("America/New_York, spring forward 2024-03-10 (02:00 EST becomes 03:00 EDT)", () => {
    check([
      ["2024-03-10T05:00:00Z", "America/New_York", "2024-03-10", "00:00:00"],
      ["2024-03-10T06:59:59Z", "America/New_York", "2024-03-10", "01:59:59"],
      // The skipped hour 02:00–02:59 never appears: the next second is 03:00.
      ["2024-03-10T07:00:00Z", "America/New_York", "2024-03-10", "03:00:00"],
      ["2024-03-10T07:30:00Z", "America/New_York", "2024-03-10", "03:30:00"],
    ]);
  });

  describe("America/New_York, fall back 2024-11-03 (02:00 EDT becomes 01:00 EST)", () => {
    check([
      // The repeated hour: 01:30 EDT and, an hour later, 01:30 EST.
      ["2024-11-03T05:30:00Z", "America/New_York", "2024-11-03", "01:30:00"],
      ["2024-11-03T06:30:00Z", "America/New_York", "2024-11-03", "01:30:00"],
      ["2024-11-03T05:59:59Z", "America/New_York", "2024-11-03", "01:59:59"],
      ["2024-11-03T06:00:00Z", "America/New_York", "2024-11-03", "01:00:00"],
      ["2024-11-03T07:00:00Z", "America/New_York", "2024-11-03", "02:00:00"],
    ]);
  });

  describe("Europe/London, 2024-03-31 and 2024-10-27", () => {
    check([
      ["2024-03-31T00:59:59Z", "Europe/London", "2024-03-31", "00:59:59"],
      ["2024-03-31T01:00:00Z", "Europe/London", "2024-03-31", "02:00:00"],
      ["2024-10-27T00:30:00Z", "Europe/London", "2024-10-27", "01:30:00"],
      ["2024-10-27T01:30:00Z", "Europe/London", "2024-10-27", "01:30:00"],
    ]);
  });

  describe("Australia/Lord_Howe, a 30-minute shift (+11:00 and +10:30)", () => {
    check([
      ["2024-04-06T14:59:59Z", "Australia/Lord_Howe", "2024-04-07", "01:59:59"],
      ["2024-04-06T15:00:00Z", "Australia/Lord_Howe", "2024-04-07", "01:30:00"],
      ["2024-04-06T15:29:59Z", "Australia/Lord_Howe", "2024-04-07", "01:59:59"],
      ["2024-10-05T15:29:59Z", "Australia/Lord_Howe", "2024-10-06", "01:59:59"],
      ["2024-10-05T15:30:00Z", "Australia/Lord_Howe", "2024-10-06", "02:30:00"],
    ]);
  });

  describe("Pacific/Chatham, +12:45 and +13:45", () => {
    check([
      ["2024-04-06T13:59:59Z", "Pacific/Chatham", "2024-04-07", "03:44:59"],
      ["2024-04-06T14:00:00Z", "Pacific/Chatham", "2024-04-07", "02:45:00"],
      ["2024-09-28T13:59:59Z", "Pacific/Chatham", "2024-09-29", "02:44:59"],
      ["2024-09-28T14:00:00Z", "Pacific/Chatham", "2024-09-29", "03:45:00"],
    ]);
  });

  describe("Pacific/Apia skipping 2011-12-30 when it crossed the date line", () => {
    check([
      ["2011-12-30T09:59:59Z", "Pacific/Apia", "2011-12-29", "23:59:59"],
      ["2011-12-30T10:00:00Z", "Pacific/Apia", "2011-12-31", "00:00:00"],
    ]);
  });

  describe("after 2038", () => {
    check([
      ["2040-03-11T06:59:59Z", "America/New_York", "2040-03-11", "01:59:59"],
      ["2040-03-11T07:00:00Z", "America/New_York", "2040-03-11", "03:00:00"],
      ["2100-11-07T05:30:00Z", "America/New_York", "2100-11-07", "01:30:00"],
      ["2100-11-07T06:30:00Z", "America/New_York", "2100-11-07", "01:30:00"],
    ]);
  });
});

describe("fixed and fractional offsets", () => {
  check([
    ["2024-07-18T14:00:00Z", "UTC", "2024-07-18", "14:00:00"],
    ["2024-07-18T08:30:00Z", "Asia/Kolkata", "2024-07-18", "14:00:00"],
    ["2024-07-18T16:30:00Z", "America/St_Johns", "2024-07-18", "14:00:00"],
    ["2024-07-18T23:30:00Z", "Pacific/Marquesas", "2024-07-18", "14:00:00"],
    ["2024-07-19T01:00:00Z", "Pacific/Pago_Pago", "2024-07-18", "14:00:00"],
    ["2024-07-18T00:00:00Z", "Pacific/Kiritimati", "2024-07-18", "14:00:00"],
    ["2024-07-19T02:00:00Z", "Etc/GMT+12", "2024-07-18", "14:00:00"],
  ]);
});

describe("midnight and the calendar", () => {
  check([
    // Midnight must print as 00, never 24, and land on the new day.
    ["2024-01-01T00:00:00Z", "UTC", "2024-01-01", "00:00:00"],
    ["2024-12-31T18:30:00Z", "Asia/Kolkata", "2025-01-01", "00:00:00"],
    ["2024-07-18T04:00:00Z", "America/New_York", "2024-07-18", "00:00:00"],
    ["2024-07-18T03:59:59Z", "America/New_York", "2024-07-17", "23:59:59"],
    ["2024-02-29T12:00:00Z", "UTC", "2024-02-29", "12:00:00"],
    ["2024-03-01T04:59:59Z", "America/New_York", "2024-02-29", "23:59:59"],
    ["2024-02-28T15:00:00Z", "Asia/Tokyo", "2024-02-29", "00:00:00"],
    // 1900 and 2100 are not leap years.
    ["1900-03-01T04:59:59Z", "America/New_York", "1900-02-28", "23:59:59"],
    ["2100-03-01T04:59:59Z", "America/New_York", "2100-02-28", "23:59:59"],
    ["2100-03-01T00:00:00Z", "UTC", "2100-03-01", "00:00:00"],
  ]);
});

describe("before 1970", () => {
  check([
    ["1900-01-01T05:00:00Z", "America/New_York", "1900-01-01", "00:00:00"],
    ["1900-01-01T00:00:00Z", "Europe/London", "1900-01-01", "00:00:00"],
    ["1969-07-20T20:17:40Z", "America/Chicago", "1969-07-20", "15:17:40"],
    // Before 1906 Kolkata kept Madras time, +05:21:10: offsets need not be whole minutes.
    ["1900-01-01T00:00:00Z", "Asia/Kolkata", "1900-01-01", "05:21:10"],
    ["0001-01-02T00:00:00Z", "UTC", "0001-01-02", "00:00:00"],
    ["1000-06-15T12:00:00Z", "UTC", "1000-06-15", "12:00:00"],
  ]);
});

describe("seconds", () => {
  check([
    // Truncated, never rounded: .999 stays in the same second, also where epoch ms are negative.
    ["2024-07-18T18:00:59.999Z", "America/New_York", "2024-07-18", "14:00:59"],
    ["1969-12-31T23:59:59.999Z", "UTC", "1969-12-31", "23:59:59"],
    ["1950-06-01T12:00:00.500Z", "UTC", "1950-06-01", "12:00:00"],
    ["9999-12-31T00:00:00Z", "Pacific/Kiritimati", "9999-12-31", "14:00:00"],
  ]);
});

describe("instant forms", () => {
  const slot = { appointment_date: "2024-07-18", appointment_time: "14:00:00" };

  it("takes a Date, epoch milliseconds and ISO strings with Z or an offset", () => {
    expect(appointmentSlot(new Date("2024-07-18T18:00:00Z"), "America/New_York")).toEqual(slot);
    expect(appointmentSlot(Date.UTC(2024, 6, 18, 18), "America/New_York")).toEqual(slot);
    expect(appointmentSlot("2024-07-18T18:00:00.000Z", "America/New_York")).toEqual(slot);
    expect(appointmentSlot("2024-07-18T14:00:00-04:00", "America/New_York")).toEqual(slot);
    expect(appointmentSlot("2024-07-18T19:30:00+05:30", "UTC")).toEqual(slot);
    expect(appointmentSlot("2024-07-18T18:00Z", "America/New_York")).toEqual(slot);
  });

  it("takes negative and fractional milliseconds", () => {
    expect(appointmentSlot(-1, "UTC")).toEqual({ appointment_date: "1969-12-31", appointment_time: "23:59:59" });
    expect(appointmentSlot(0, "America/New_York")).toEqual({
      appointment_date: "1969-12-31",
      appointment_time: "19:00:00",
    });
    expect(appointmentSlot(Date.UTC(2024, 6, 18, 18) + 0.5, "America/New_York")).toEqual(slot);
  });

  it("accepts zone names in any case, and keeps answering past the formatter cache's bound", () => {
    expect(appointmentSlot("2024-07-18T18:00:00Z", "america/new_york")).toEqual(slot);
    const zones = Intl.supportedValuesOf("timeZone");
    expect(zones.length).toBeGreaterThan(200);
    const instant = Date.UTC(2024, 6, 18, 18);
    for (let round = 0; round < 2; round++) {
      for (const zone of zones) expectConsistent(instant, zone);
    }
  });
});

describe("errors", () => {
  const INSTANT = "appointmentSlot: instant must be a valid date";

  it.each([
    ["nope", '"nope"'],
    ["", '""'],
    [new Date(Number.NaN), '"Invalid Date"'],
    [Number.NaN, '"NaN"'],
    [Number.POSITIVE_INFINITY, '"Infinity"'],
    // Well-formed but without Z or an offset: which zone it means depends on the machine.
    ["2024-07-18T14:00:00", '"2024-07-18T14:00:00"'],
    ["2024-07-18", '"2024-07-18"'],
    ["2024-13-01T00:00:00Z", '"2024-13-01T00:00:00Z"'],
    [null, '"null"'],
  ])("rejects the instant %s with a TypeError", (instant, shown) => {
    const call = () => appointmentSlot(instant as Date, "UTC");
    expect(call).toThrow(TypeError);
    expect(call).toThrow(`${INSTANT} in the years 0001-9999 (ISO strings need Z or an offset), received ${shown}`);
  });

  it("rejects instants whose year YYYY cannot hold with a RangeError", () => {
    for (const instant of [
      Date.UTC(10000, 0, 1),
      Date.parse("0001-01-01T23:59:59.999Z"),
      8.64e15,
      -8.64e15,
      "+010000-01-01T00:00:00Z",
    ]) {
      const call = () => appointmentSlot(instant, "UTC");
      expect(call).toThrow(RangeError);
      expect(call).toThrow(`${INSTANT} in the years 0001-9999`);
    }
    expect(() => appointmentSlot(Date.UTC(10000, 0, 1), "UTC")).toThrow(`received "${Date.UTC(10000, 0, 1)}"`);
  });

  it.each([["Mars/Base"], [""], ["EST5EDT/Nowhere"], ["America/New York"], [undefined]])(
    "rejects the time zone %s with a RangeError",
    (zone) => {
      const call = () => appointmentSlot("2024-07-18T18:00:00Z", zone as string);
      expect(call).toThrow(RangeError);
      expect(call).toThrow(
        `appointmentSlot: timeZone must be an IANA time zone such as "America/New_York", received "${zone}"`,
      );
    },
  );

  it("keeps rejecting a bad zone on later calls", () => {
    expect(() => appointmentSlot(0, "Mars/Base")).toThrow(RangeError);
    expect(() => appointmentSlot(0, "Mars/Base")).toThrow(RangeError);
  });
});

// The zone's offset at an instant as the runtime itself reports it ("GMT", "GMT-04:00",
// "GMT+05:21:10"), a different path through Intl from the one appointmentSlot takes.
function reportedOffset(ms: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(ms)
    .find((part) => part.type === "timeZoneName")?.value;
  const match = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(name ?? "");
  if (!match) throw new Error(`unexpected offset name ${name} for ${timeZone}`);
  const [, sign, h = "0", m = "0", s = "0"] = match;
  return (sign === "-" ? -1 : 1) * ((+h * 60 + +m) * 60 + +s) * 1000;
}

// Reads the slot back as a wall-clock time and checks it against the instant. Returns the offset.
function expectConsistent(ms: number, timeZone: string, input: Date | string | number = ms): number {
  const slot = appointmentSlot(input, timeZone);
  const date = /^(\d{4})-(\d\d)-(\d\d)$/.exec(slot.appointment_date);
  const time = /^(\d\d):(\d\d):(\d\d)$/.exec(slot.appointment_time);
  expect(date, slot.appointment_date).not.toBeNull();
  expect(time, slot.appointment_time).not.toBeNull();
  const [, y, mo, d] = date!.map(Number) as [number, number, number, number];
  const [, h, mi, s] = time!.map(Number) as [number, number, number, number];
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 02-30 over into March and 24:00 into the next day; a real slot survives the trip.
  expect(wall.toISOString().slice(0, 19)).toBe(`${slot.appointment_date}T${slot.appointment_time}`);
  const truncated = Math.floor(ms / 1000) * 1000;
  const offset = wall.getTime() - truncated;
  expect(offset).toBe(reportedOffset(ms, timeZone));
  expect(wall.getTime() - reportedOffset(ms, timeZone)).toBe(truncated);
  return offset;
}

describe("property: the slot read back in its zone is the instant", () => {
  // [zone, first year]: the first year from which the zone's offsets are whole minutes. Kolkata
  // kept +05:21:10 until 1906; the others had settled on whole-minute offsets by 1900.
  const zones: [string, number][] = [
    ["UTC", 1900],
    ["America/New_York", 1900],
    ["America/Los_Angeles", 1900],
    ["America/Chicago", 1900],
    ["Europe/London", 1900],
    ["Australia/Lord_Howe", 1900],
    ["Australia/Sydney", 1900],
    ["Pacific/Chatham", 1900],
    ["Pacific/Marquesas", 1900],
    ["Asia/Tokyo", 1900],
    ["Africa/Johannesburg", 1900],
    ["Etc/GMT-14", 1900],
    ["Etc/GMT+12", 1900],
    ["Asia/Kolkata", 1906],
  ];
  const end = Date.UTC(2100, 11, 31, 23, 59, 59, 999);

  it("gives a whole-minute offset within ±14 h that reconstructs the instant to the second", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones).chain(([zone, year]) =>
          fc.tuple(fc.constant(zone), fc.integer({ min: Date.UTC(year, 0, 1), max: end })),
        ),
        fc.constantFrom("date", "number", "string"),
        ([zone, ms], form) => {
          const input = form === "date" ? new Date(ms) : form === "number" ? ms : new Date(ms).toISOString();
          const offset = expectConsistent(ms, zone, input);
          expect(Math.abs(offset % 60_000)).toBe(0);
          expect(Math.abs(offset)).toBeLessThanOrEqual(14 * 3_600_000);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

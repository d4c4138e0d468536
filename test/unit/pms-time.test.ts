// appointmentSlotFor: each PMS of the spec gets its slot in the zone its tag names, read from the
// generated table, so a PMS added to the spec is tested here without naming it.
import { describe, expect, it } from "vitest";
import { pmsTimeZones } from "../../generated/operations.js";
import { appointmentSlotFor } from "../../src/core/pms-time.js";
import { appointmentSlot } from "../../src/core/time.js";

const zones = Object.entries(pmsTimeZones) as [string, string][];
const fixed = zones.filter(([, zone]) => zone !== "property");
const property = zones.filter(([, zone]) => zone === "property");
// Called as plain JavaScript would, so that the run-time checks are reached.
const slotFor = appointmentSlotFor as unknown as (vendor: string, instant: unknown, propertyTimeZone?: unknown) => unknown;

// Winter, summer and the hour New York and Denver fall back, so that a wrong zone, a fixed offset
// or a zone applied twice gives another answer.
const INSTANTS = ["2024-01-15T12:34:56Z", "2024-07-15T23:30:00Z", "2024-11-03T08:30:00Z"];

describe("appointmentSlotFor", () => {
  it("has PMSs of both kinds to test", () => {
    expect(fixed.length).toBeGreaterThan(0);
    expect(property.length).toBeGreaterThan(0);
  });

  it.each(fixed)("%s: the slot in %s, whatever property zone is passed", (vendor, zone) => {
    for (const instant of INSTANTS) {
      expect(slotFor(vendor, instant)).toEqual(appointmentSlot(instant, zone));
      expect(slotFor(vendor, instant, "Asia/Tokyo")).toEqual(appointmentSlot(instant, zone));
    }
  });

  it.each(property)("%s: the slot in the property's zone, never a guessed one", (vendor) => {
    for (const instant of INSTANTS) {
      expect(slotFor(vendor, instant, "America/Chicago")).toEqual(appointmentSlot(instant, "America/Chicago"));
      expect(slotFor(vendor, instant, "Pacific/Chatham")).toEqual(appointmentSlot(instant, "Pacific/Chatham"));
    }
    expect(() => slotFor(vendor, INSTANTS[0])).toThrow(TypeError);
    expect(() => slotFor(vendor, INSTANTS[0])).toThrow(new RegExp(`appointmentSlotFor: ${vendor} reads times in the property's time zone; pass it .* as the third argument`));
  });

  it("refuses a vendor the spec does not know, naming the ones it does", () => {
    for (const vendor of ["nopms", "RESMAN_UNKNOWN", "toString", "__proto__", "constructor", ""]) {
      expect(() => slotFor(vendor, INSTANTS[0], "UTC")).toThrow(RangeError);
      expect(() => slotFor(vendor, INSTANTS[0], "UTC")).toThrow(`vendor must be one of ${Object.keys(pmsTimeZones).join(", ")}, received "${vendor}"`);
    }
  });

  it("passes appointmentSlot's own errors through", () => {
    const [[fixedVendor]] = fixed as [[string, string]];
    const [[propertyVendor]] = property as [[string, string]];
    expect(() => slotFor(fixedVendor, "2024-07-15T23:30:00")).toThrow(TypeError);
    expect(() => slotFor(propertyVendor, INSTANTS[0], "Mars/Olympus_Mons")).toThrow(RangeError);
    expect(() => slotFor(propertyVendor, INSTANTS[0], "Mars/Olympus_Mons")).toThrow('received "Mars/Olympus_Mons"');
  });
});

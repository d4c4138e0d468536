// What the shared pacer's TypeScript and its Lua script say to each other: numbers as text, ""
// for a number that is absent, "inf" for an infinite one, and a response's rate-limit facts as
// the script's observe() takes them. (The script's answers themselves are checked against the
// local pacer on a real Redis, in test/redis/agreement.test.ts.)
import { describe, expect, it } from "vitest";
import { arg, facts, num, stepArguments } from "../../src/redis/script.js";

describe("the shared pacer's wire format", () => {
  it("writes an absent number as an empty string and a number as its text", () => {
    expect(arg(undefined)).toBe("");
    expect(arg(0)).toBe("0");
    expect(arg(1.5)).toBe("1.5");
  });

  it("reads the script's numbers back, Lua's inf as Infinity", () => {
    expect(num("inf")).toBe(Infinity);
    expect(num("1700000000000.25")).toBe(1_700_000_000_000.25);
    expect(num("0")).toBe(0);
  });

  it("passes on a response's limit, remaining, status and Retry-After, read as the local pacer reads them", () => {
    const headers = (h: Record<string, string>) => new Headers(h);
    expect(facts(headers({ "x-ratelimit-limit": "150", "x-ratelimit-remaining": "12" }), 200, undefined)).toEqual(["150", "12", "200", ""]);
    expect(facts(headers({ "x-ratelimit-limit": "150.9", "x-ratelimit-remaining": "-2" }), 429, 1500)).toEqual(["150", "-2", "429", "1500"]);
    // A limit of 0 or less, or none, is no limit at all; a remaining that is no number is absent.
    expect(facts(headers({ "x-ratelimit-limit": "0", "x-ratelimit-remaining": "x" }), 200, undefined)).toEqual(["", "", "200", ""]);
    expect(facts(headers({ "x-ratelimit-limit": "-5" }), 500, 0)).toEqual(["", "", "500", "0"]);
    expect(facts(headers({}), 200, undefined)).toEqual(["", "", "200", ""]);
  });

  it("puts the step's context before its own arguments", () => {
    const context = { windowMs: 60_000, inFlightMs: 30_000, pid: "abc", requestsPerMinute: 150 };
    expect(stepArguments("take", undefined, context, ["", "1000", "abc.1"])).toEqual(["take", "", "60000", "30000", "abc", "150", "", "1000", "abc.1"]);
    expect(stepArguments("probe", 5, context, [])).toEqual(["probe", "5", "60000", "30000", "abc", "150"]);
  });
});

// The string formats the request validator can check, each with the verdicts of the server we
// test against: Prism 5.14 checks `date-time` with its own function and every other format with
// ajv-formats (2.1.1, "full" mode). generated/validation.ts imports only the formats the spec
// uses, so a browser bundle carries no checker it cannot need.

const leap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** Whether day `d` exists in month `mo` of year `y` (the proleptic Gregorian calendar, RFC 3339 §5.7). */
function isDay(y: number, mo: number, d: number): boolean {
  // 31 days in months 1,3,5,7,8,10,12: the parity of mo flips after July.
  return mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 ? (leap(y) ? 29 : 28) : 30 + ((mo + (mo >> 3)) & 1));
}

// Prism splits on one [tT\s] and checks "YYYY-MM-DD" and "hh:mm:ss[.f]" + zone; one regex with
// a single separator accepts the same strings, since neither half can contain t or whitespace.
// Its zones: z, or ±hh with hh up to 24 and optional [:]mm (so +24:00 and +0530 pass, +25 fails).
const DATE_TIME =
  /^(\d{4})-(\d\d)-(\d\d)[t\s](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:z|[+-](?:[01]\d|2[0-4])(?::?[0-5]\d)?)$/i;

/**
 * Whether `value` is a date-time as the mock server (Prism) judges the `date-time` format: RFC 3339
 * plus its leniencies (`t` or any whitespace as separator, zones `+hhmm`, `+hh` and up to `±24`).
 *
 * @example
 * isDateTime("2024-02-29T09:30:00Z"); // true
 * isDateTime("2024-02-30T09:30:00Z"); // false: no such day
 * isDateTime("2024-02-01 09:30:00"); // false: no zone
 */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return isDay(y, mo, d) && ((h < 24 && mi < 60 && s < 60) || (h === 23 && mi === 59 && s === 60));
}

const DATE = /^(\d{4})-(\d\d)-(\d\d)$/;

/**
 * Whether `value` is an RFC 3339 full-date (`YYYY-MM-DD`, a day that exists), the `date` format.
 *
 * @example
 * isDate("2024-02-29"); // true
 * isDate("2023-02-29"); // false: not a leap year
 */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  return !!m && isDay(+m[1]!, +m[2]!, +m[3]!);
}

// ajv-formats' "full" email: an RFC 5322 dot-atom, "@", then a host name of at least two labels
// (no quoted local parts, no IP literals), ASCII only, case-insensitive. Built on first use, inside
// a function, so that a bundle which never checks an e-mail address drops it all.
let email: RegExp | undefined;
function emailPattern(): RegExp {
  const atom = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
  const label = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
  return new RegExp(`^${atom}(?:\\.${atom})*@(?:${label}\\.)+${label}$`, "i");
}

/**
 * Whether `value` is an e-mail address as the mock server judges the `email` format.
 *
 * @example
 * isEmail("leasing.office+tours@example.com"); // true
 * isEmail("office@localhost"); // false: the host needs a dot
 */
export function isEmail(value: string): boolean {
  return (email ??= emailPattern()).test(value);
}

// RFC 3986 Appendix A, spelled as ajv-formats spells it, quirks included: "//" or a single "/"
// before the authority, no empty path after the scheme ("a:" fails), case-insensitive. An IPv4
// host needs no branch of its own: every IPv4address is a reg-name as well. Built on first use.
let uri: RegExp | undefined;
function uriPattern(): RegExp {
  const pct = "%[0-9a-f]{2}";
  const char = "a-z0-9\\-._~!$&'()*+,;="; // unreserved and sub-delims
  const pchar = `(?:[${char}:@]|${pct})`;
  const h16 = "[0-9a-f]{1,4}";
  const octet = "(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)";
  const ls32 = `(?:${h16}:${h16}|(?:${octet}\\.){3}${octet})`;
  const ipv6 =
    `(?:(?:(?:${h16}:){6}|::(?:${h16}:){5}|(?:${h16})?::(?:${h16}:){4}|(?:(?:${h16}:){0,1}${h16})?::(?:${h16}:){3}` +
    `|(?:(?:${h16}:){0,2}${h16})?::(?:${h16}:){2}|(?:(?:${h16}:){0,3}${h16})?::${h16}:|(?:(?:${h16}:){0,4}${h16})?::)${ls32}` +
    `|(?:(?:${h16}:){0,5}${h16})?::${h16}|(?:(?:${h16}:){0,6}${h16})?::)`;
  const authority = `(?:(?:[${char}:]|${pct})*@)?(?:\\[(?:${ipv6}|v[0-9a-f]+\\.[${char}:]+)\\]|(?:[${char}]|${pct})*)(?::\\d*)?`;
  const path = `(?:\\/${pchar}*)*`;
  return new RegExp(
    `^[a-z][a-z0-9+\\-.]*:(?:\\/?\\/${authority}${path}|\\/(?:${pchar}+${path})?|${pchar}+${path})` +
      `(?:\\?(?:${pchar}|[/?])*)?(?:#(?:${pchar}|[/?])*)?$`,
    "i",
  );
}

/**
 * Whether `value` is an absolute URI (RFC 3986) as the mock server judges the `uri` format.
 *
 * @example
 * isUri("https://example.com/tours?unit=4B#map"); // true
 * isUri("/tours/4B"); // false: a relative reference has no scheme
 */
export function isUri(value: string): boolean {
  return (uri ??= uriPattern()).test(value);
}

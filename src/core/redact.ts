// Keeping the token out of everything an error or a log line can carry. A server may echo the
// token in any header, in its status text or in a body, and it may do so escaped: JSON-escaped (a
// token with `"` or `\` in a JSON body), percent-encoded (a Location), or as util.inspect and
// console.error print strings. Each of those forms is replaced, wherever it is found.

const REDACTED = "[redacted]";
/** How many causes of an error are scrubbed at most (a chain that long is a loop in disguise). */
const MAX_CAUSES = 1000;

/** The ways the token can be spelled in text that reaches an error, a log line or a printout. */
function forms(token: string): string[] {
  const json = (t: string) => JSON.stringify(t).slice(1, -1);
  // util.inspect quotes with ', or " or ` when the string holds ', and escapes \ and the quote.
  const quoted = (q: string) => token.replace(/\\/g, "\\\\").split(q).join(`\\${q}`);
  const percent = [encodeURIComponent(token), encodeURI(token), encodeURIComponent(token).replace(/%20/g, "+")];
  const all = [token, json(token), json(json(token)), quoted("'"), quoted('"'), quoted("`"), token.replace(/\\/g, "\\\\")];
  for (const p of percent) all.push(p, p.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  // A body may also carry the text that *prints* as the token once escaped.
  try {
    all.push(JSON.parse(`"${token}"`) as string);
  } catch {
    // Not a valid JSON string body: nothing unescapes to the token.
  }
  // Longest first, so that an escaped form is replaced whole rather than around a shorter one.
  return [...new Set(all)].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * A status text a Response can be built with (RFC 9112 reason-phrase: tab, space, visible ASCII
 * and obs-text). fetch decodes the wire's bytes as UTF-8, so a Latin-1 one arrives with U+FFFD.
 */
export function reason(statusText: string): string {
  return statusText.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");
}

/** Assigns a field of an error, or leaves it when the error does not allow it. */
function set(target: object, key: string, v: unknown): void {
  try {
    (target as Record<string, unknown>)[key] = v;
  } catch {
    // A frozen or read-only field of a foreign error: nothing we put there.
  }
}

/** What removes the token from text, values, headers, responses and errors. */
export interface Redactor {
  /** The text with every form of the token replaced. */
  text(text: string): string;
  /** A copy of a parsed JSON value (or text) with every string and key scrubbed; the same value when clean. */
  value<T>(value: T): T;
  /**
   * The response itself when clean, else a copy with scrubbed headers and status text (undefined
   * when its status is one a Response cannot be built with).
   */
  response(response: Response): Response | undefined;
  /** Scrubs an error in place (message, stack, every field, and so along its cause chain) and returns it. */
  error<E>(error: E): E;
}

/** A redactor for `token`. Tokens shorter than 4 characters are not searched for (they would match anywhere). */
export function redactor(token: string): Redactor {
  const list = forms(token);
  const source = list.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const pattern = list.length ? new RegExp(source, "g") : undefined;
  // Stateless (no "g"), for a quick yes or no over every header of a response at once.
  const probe = list.length ? new RegExp(source) : undefined;
  const text = (t: string) => (pattern ? t.replace(pattern, REDACTED) : t);

  // Parsed JSON and plain records only: other objects (a caller's abort reason, a class instance)
  // are not walked, as their getters could run code or throw. An object met twice (shared by two
  // fields) gets the same clean copy both times, and one met inside itself (a cycle) refers to its
  // copy: a cycle is rebuilt in the copy, so no way back leads to what held the token.
  const value = <T>(v: T, depth = 0, done = new Map<object, unknown>()): T => {
    if (typeof v === "string") return text(v) as T;
    if (v === null || typeof v !== "object") return v;
    if (done.has(v)) return done.get(v) as T;
    const proto: unknown = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return v;
    if (depth > 64) {
      // Deeper than any answer of this API: kept whole if clean, else dropped whole.
      try {
        const json = JSON.stringify(v);
        return (text(json) === json ? v : REDACTED) as T;
      } catch {
        return REDACTED as T;
      }
    }
    const copy: any = Array.isArray(v) ? [] : {};
    // Holes and all: an array's copy is as long as the array.
    if (Array.isArray(v)) copy.length = v.length;
    done.set(v, copy);
    let changed = false;
    for (const [k, item] of Object.entries(v)) {
      const key = text(k);
      const clean = value(item, depth + 1, done);
      changed ||= key !== k || clean !== item;
      // Defined, not assigned: a "__proto__" key from a body stays a plain key.
      Object.defineProperty(copy, key, { value: clean, enumerable: true, writable: true, configurable: true });
    }
    if (!changed) done.set(v, v);
    return changed ? copy : v;
  };

  const headers = (h: Headers): Headers | undefined => {
    let all = "";
    h.forEach((v) => (all += `${v}\n`));
    if (!probe?.test(all)) return undefined;
    const clean = new Headers();
    // Set-Cookie lines stay separate; every other header arrives joined already.
    h.forEach((v, name) => name !== "set-cookie" && clean.append(name, text(v)));
    for (const cookie of h.getSetCookie?.() ?? []) clean.append("set-cookie", text(cookie));
    return clean;
  };

  const response = (r: Response): Response | undefined => {
    const h = headers(r.headers);
    const statusText = reason(text(r.statusText));
    if (!h && statusText === r.statusText) return r;
    // A Response with any other status cannot be built; an error then keeps none.
    if (r.status < 200 || r.status > 599) return undefined;
    const copy = new Response(r.bodyUsed ? null : r.body, { status: r.status, statusText, headers: h ?? r.headers });
    Object.defineProperty(copy, "url", { value: text(r.url) });
    return copy;
  };

  /** A field of an error, scrubbed: errors in it are scrubbed in place, the rest copied clean. */
  const field = (before: unknown, met: Set<unknown>): unknown => {
    if (before instanceof Headers) return headers(before) ?? before;
    if (before instanceof Response) return response(before);
    if (ArrayBuffer.isView(before)) {
      const bytes = new TextDecoder("latin1").decode(before);
      return text(bytes) === bytes ? before : REDACTED;
    }
    // An error kept in a field, or in a list (AggregateError's errors): scrubbed as one.
    if (before instanceof Error) return error(before, met);
    if (Array.isArray(before)) for (const item of before) if (item instanceof Error) error(item, met);
    return value(before);
  };

  const error = <E>(e: E, met = new Set<unknown>()): E => {
    // The cause chain, once each (a chain may loop back on itself) and up to a bound (a getter
    // may make a new cause every time it is read).
    let cause: unknown = e;
    for (let n = 0; cause instanceof Error && !met.has(cause) && n < MAX_CAUSES; n++) {
      met.add(cause);
      const err = cause as unknown as Record<string, unknown>;
      // Reading stack first fixes its text (V8 formats it lazily). Each field is replaced only
      // when it holds the token, so a foreign error's read-only fields are left alone. Bytes are
      // looked at too: an HTTP parser's error keeps the raw data it choked on. `errors` and
      // `cause` are not enumerable; a cause that is no error is scrubbed like any field.
      let next: unknown;
      for (const key of new Set(["stack", "message", "errors", "cause", ...Object.keys(err)])) {
        let before: unknown;
        try {
          before = err[key];
        } catch {
          // A getter that throws shows nothing.
          continue;
        }
        if (key === "cause") next = before;
        if (before === undefined || (key === "cause" && before instanceof Error)) continue;
        const after = field(before, met);
        if (after !== before) set(err, key, after);
      }
      cause = next;
    }
    return e;
  };

  return { text, value, response, error };
}

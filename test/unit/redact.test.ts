// The redactor on its own: every spelling of the token it must find, in text, parsed values,
// headers, responses and errors. The transport and contract tiers check the same through a client
// talking to hostile servers; these pin each rule where a case is hard to reach through a server.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { reason, redactor } from "../../src/core/redact.js";

// Printable ASCII, as a token must be, with every character that JSON, util.inspect's three
// quotes and percent-encoding escape.
const TOKEN = `tk"q\\b'a\`c ~p_9876`;
// Made inside each test, not once for the file, so that the test exercises the making too.
const r = () => redactor(TOKEN);
const json = (t: string) => JSON.stringify(t).slice(1, -1);

describe("text", () => {
  const spellings: [string, string][] = [
    ["as it is", TOKEN],
    ["JSON-escaped", json(TOKEN)],
    ["JSON-escaped twice", json(json(TOKEN))],
    ["quoted by util.inspect", inspect(TOKEN).slice(1, -1)],
    ["inside single quotes", TOKEN.replace(/\\/g, "\\\\").split("'").join("\\'")],
    ["inside double quotes", TOKEN.replace(/\\/g, "\\\\").split('"').join('\\"')],
    ["inside backquotes", TOKEN.replace(/\\/g, "\\\\").split("`").join("\\`")],
    ["with its backslashes doubled", TOKEN.replace(/\\/g, "\\\\")],
    ["percent-encoded as a URI component", encodeURIComponent(TOKEN)],
    ["percent-encoded as a URI", encodeURI(TOKEN)],
    ["percent-encoded with + for spaces", encodeURIComponent(TOKEN).replace(/%20/g, "+")],
    ["percent-encoded in lower case", encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
    ["percent-encoded as a URI, in lower case", encodeURI(TOKEN).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
  ];

  it.each(spellings)("finds the token %s", (_how, spelled) => {
    expect(r().text(`<${spelled}>`)).toBe("<[redacted]>");
  });

  it("finds the text a JSON body holds that prints as the token once escaped", () => {
    const token = "abc\\u0064ef";
    expect(redactor(token).text("x abcdef y")).toBe("x [redacted] y");
    expect(redactor(token).text(`x ${token} y`)).toBe("x [redacted] y");
  });

  it("replaces a longer spelling whole, not around a shorter one inside it", () => {
    // The token is a prefix of its percent-encoding: "abcd%" in "abcd%25".
    expect(redactor("abcd%").text("x abcd%25 y abcd% z")).toBe("x [redacted] y [redacted] z");
  });

  it("searches for a token of four characters or more, and for no shorter spelling", () => {
    expect(redactor("abcd").text("xabcdx")).toBe("x[redacted]x");
    expect(redactor("abc").text("xabcx")).toBe("xabcx");
    // Each spelling is held to the same length: "ab c" percent-encodes to "ab%20c".
    expect(redactor("ab c").text("ab%20c ab+c ab c")).toBe("[redacted] [redacted] [redacted]");
  });

  it("leaves clean text as it is, and every occurrence found", () => {
    expect(r().text("nothing here")).toBe("nothing here");
    expect(r().text(`${TOKEN}${TOKEN}`)).toBe("[redacted][redacted]");
  });
});

describe("reason (a status text a Response can carry)", () => {
  it("keeps tab, visible ASCII and Latin-1, and turns anything else into ?", () => {
    expect(reason("Not\tFound ~é\u00ff")).toBe("Not\tFound ~é\u00ff");
    expect(reason("a\nb\u0000c\u0100d\u{1F600}")).toBe("a?b?c?d??");
  });
});

describe("value", () => {
  it("copies a parsed value with every string and key scrubbed, and leaves the original alone", () => {
    const original = JSON.parse(JSON.stringify({ a: [1, TOKEN, { [TOKEN]: true }], b: null }));
    const clean = r().value(original);
    expect(clean).toEqual({ a: [1, "[redacted]", { "[redacted]": true }], b: null });
    expect(Array.isArray(clean.a)).toBe(true);
    expect(original.a[1]).toBe(TOKEN);
  });

  it("gives a copy whose members can be changed and deleted, as the parsed value's could", () => {
    const clean: any = r().value({ a: TOKEN, b: [TOKEN] });
    clean.a = "changed";
    delete clean.b;
    expect(clean).toEqual({ a: "changed" });
  });

  it("returns a clean value itself, not a copy", () => {
    const clean = { a: [1, { b: "x" }] };
    expect(r().value(clean)).toBe(clean);
  });

  it("keeps a __proto__ key from a body as a plain key", () => {
    const parsed = JSON.parse(`{"__proto__": {"x": "${json(TOKEN)}"}}`);
    const clean = r().value(parsed);
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(clean, "__proto__")?.value).toEqual({ x: "[redacted]" });
  });

  it("walks records without a prototype, but not class instances, whose getters could run code", () => {
    const bare = Object.assign(Object.create(null), { t: TOKEN });
    expect(r().value(bare)).toEqual({ t: "[redacted]" });
    const instance = new (class {
      t = TOKEN;
    })();
    expect(r().value(instance)).toBe(instance);
  });

  it("scrubs an object met twice both times", () => {
    const shared = { t: TOKEN };
    const clean = r().value({ a: shared, b: shared });
    expect(clean).toEqual({ a: { t: "[redacted]" }, b: { t: "[redacted]" } });
    expect(clean.a).toBe(clean.b);
  });

  it("rebuilds a cycle in the copy, so that no way round it leads back to the token", () => {
    const a: any = { t: TOKEN };
    a.self = a;
    const ca = r().value(a);
    expect(ca.t).toBe("[redacted]");
    expect(ca.self).toBe(ca);
    // The token in an inner part of the cycle, or in an ancestor of the way back.
    const b: any = {};
    b.x = { back: b, t: TOKEN };
    const cb = r().value(b);
    expect(cb.x.t).toBe("[redacted]");
    expect(cb.x.back).toBe(cb);
    const c: any = {};
    c.x = { back: c };
    c.t = TOKEN;
    const cc = r().value(c);
    expect(cc.x.back.t).toBe("[redacted]");
    const list: any[] = [TOKEN];
    list.push(list);
    const cl = r().value(list);
    expect(cl[1][0]).toBe("[redacted]");
    expect(JSON.stringify(cb.x.t) + inspect(ca) + inspect(cb) + inspect(cc) + inspect(cl)).not.toContain("9876");
  });

  it("copies an array with its holes", () => {
    // eslint-disable-next-line no-sparse-arrays
    const clean = r().value([, TOKEN, ,]);
    expect(clean).toHaveLength(3);
    expect(0 in clean).toBe(false);
    expect(clean[1]).toBe("[redacted]");
  });

  it("past 64 levels keeps a clean value whole and drops one holding the token whole", () => {
    const nest = (leaf: unknown) => {
      let v: unknown = leaf;
      for (let i = 0; i < 70; i++) v = { v };
      return v;
    };
    const clean = nest("x");
    expect(r().value(clean)).toBe(clean);
    let deep: any = r().value(nest(TOKEN));
    for (let i = 0; i < 65; i++) deep = deep.v;
    expect(deep).toBe("[redacted]");
    expect(JSON.stringify(r().value(nest(TOKEN)))).not.toContain("9876");
    // Deeper than that and not JSON at all: dropped too.
    let odd: any = r().value(nest(10n));
    for (let i = 0; i < 65; i++) odd = odd.v;
    expect(odd).toBe("[redacted]");
  });
});

describe("response", () => {
  it("returns a clean response itself", () => {
    const res = new Response("{}", { status: 200, statusText: "OK", headers: { a: "b" } });
    expect(r().response(res)).toBe(res);
  });

  it("copies one with the token in a header, a Set-Cookie line, the status text or the URL, keeping status and body", async () => {
    const res = new Response("body", { status: 599, statusText: `echo ${encodeURI(TOKEN)}`, headers: [["x-echo", TOKEN], ["set-cookie", `a=${encodeURIComponent(TOKEN)}`], ["set-cookie", "b=2"]] });
    Object.defineProperty(res, "url", { value: `https://api.test/${encodeURIComponent(TOKEN)}` });
    const copy = r().response(res)!;
    expect(copy).not.toBe(res);
    expect(copy.status).toBe(599);
    expect(copy.statusText).toBe("echo [redacted]");
    expect(copy.headers.get("x-echo")).toBe("[redacted]");
    expect(copy.headers.getSetCookie()).toEqual(["a=[redacted]", "b=2"]);
    expect(copy.url).toBe("https://api.test/[redacted]");
    expect(await copy.text()).toBe("body");
  });

  it("scrubs headers where Headers has no getSetCookie", () => {
    const res = new Response(null, { status: 200, headers: { "x-echo": TOKEN } });
    Object.defineProperty(res.headers, "getSetCookie", { value: undefined });
    const copy = r().response(res)!;
    expect(copy.headers.get("x-echo")).toBe("[redacted]");
    expect(copy.headers.has("set-cookie")).toBe(false);
  });

  it("copies one whose status text alone holds the token", () => {
    const res = new Response(null, { status: 401, statusText: `bad ${TOKEN}`, headers: { a: "b" } });
    const copy = r().response(res)!;
    expect(copy).not.toBe(res);
    expect(copy.statusText).toBe("bad [redacted]");
    expect(copy.headers.get("a")).toBe("b");
  });

  it("does not look for a token too short to search for", () => {
    const res = new Response(null, { status: 200, headers: { "x-echo": "abc" } });
    expect(redactor("abc").response(res)).toBe(res);
  });

  it("gives no copy of one whose status no Response can be built with", () => {
    const odd = { status: 0, statusText: "", headers: new Headers({ "x-echo": TOKEN }), bodyUsed: false, body: null, url: "" } as unknown as Response;
    expect(r().response(odd)).toBeUndefined();
    const early = { ...odd, status: 199 } as unknown as Response;
    expect(r().response(early)).toBeUndefined();
    const late = { ...odd, status: 600 } as unknown as Response;
    expect(r().response(late)).toBeUndefined();
  });

  it("copies a response whose body was read without its body", async () => {
    const res = new Response("read", { status: 200, headers: { "x-echo": TOKEN } });
    await res.text();
    expect(await r().response(res)!.text()).toBe("");
  });
});

describe("error", () => {
  it("scrubs a stack already read (and so fixed) with the token in it", () => {
    const err = new Error(`refused ${TOKEN}`);
    expect(err.stack).toContain(TOKEN);
    r().error(err);
    expect(err.stack).not.toContain(TOKEN);
  });

  it("scrubs the message, the stack and every field, and returns the error itself", () => {
    const err = Object.assign(new Error(`refused ${TOKEN}`), { body: { echo: TOKEN }, note: json(TOKEN) });
    expect(r().error(err)).toBe(err);
    expect(err.message).toBe("refused [redacted]");
    expect(err.stack).not.toContain(TOKEN);
    expect(err.stack).toContain("refused [redacted]");
    expect(err.body).toEqual({ echo: "[redacted]" });
    expect(err.note).toBe("[redacted]");
    expect(inspect(err)).not.toContain("9876");
  });

  it("scrubs headers, a response and raw bytes kept on an error, and leaves clean ones alone", () => {
    const clean = new Uint8Array([104, 105]);
    const cleanHeaders = new Headers({ a: "b" });
    const err = Object.assign(new Error("x"), {
      headers: new Headers({ "x-echo": TOKEN }),
      cleanHeaders,
      response: new Response(null, { status: 500, headers: { "x-echo": TOKEN } }),
      bytes: new TextEncoder().encode(`data ${TOKEN}`),
      latin1: Buffer.from(`data ${TOKEN}`, "latin1"),
      clean,
    });
    r().error(err);
    expect(err.headers.get("x-echo")).toBe("[redacted]");
    expect(err.cleanHeaders).toBe(cleanHeaders);
    expect(err.response.headers.get("x-echo")).toBe("[redacted]");
    expect(err.bytes).toBe("[redacted]");
    expect(err.latin1).toBe("[redacted]");
    expect(err.clean).toBe(clean);
  });

  it("follows the whole cause chain, however long, and stops where it loops", () => {
    const root = new Error(`root ${TOKEN}`);
    let top: Error = root;
    for (let i = 0; i < 20; i++) top = new Error(`level ${i}`, { cause: top });
    r().error(top);
    expect(root.message).toBe("root [redacted]");
    const a = new Error(`a ${TOKEN}`);
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    r().error(b);
    expect(a.message).toBe("a [redacted]");
  });

  it("adds nothing to an error with nothing to scrub", () => {
    const err = new Error();
    const before = Object.getOwnPropertyNames(err).sort();
    r().error(err);
    expect(Object.getOwnPropertyNames(err).sort()).toEqual(before);
    expect(Object.keys(err)).toEqual([]);
  });

  it("scrubs a cause that is no error, the errors of an AggregateError, and an error kept in a field", () => {
    const objectCause = new Error("x", { cause: { sent: { authorization: `Bearer ${TOKEN}` } } });
    r().error(objectCause);
    expect(objectCause.cause).toEqual({ sent: { authorization: "Bearer [redacted]" } });
    const textCause = new Error("x", { cause: `header ${TOKEN}` });
    r().error(textCause);
    expect(textCause.cause).toBe("header [redacted]");
    const many = new AggregateError([new Error(`one ${TOKEN}`), `two ${TOKEN}`], "many");
    r().error(many);
    expect((many.errors[0] as Error).message).toBe("one [redacted]");
    expect(many.errors[1]).toBe("two [redacted]");
    const holder = Object.assign(new Error("x"), { inner: new Error(`inner ${TOKEN}`), list: [new Error(`listed ${TOKEN}`)] });
    r().error(holder);
    expect(holder.inner.message).toBe("inner [redacted]");
    expect(holder.list[0]!.message).toBe("listed [redacted]");
    for (const err of [objectCause, textCause, many, holder]) expect(inspect(err, { depth: 10 })).not.toContain("9876");
  });

  it("ends on a cause chain that never ends, and gets past a getter that throws", () => {
    class Endless extends Error {
      override get cause(): unknown {
        return new Endless(`again ${TOKEN}`);
      }
    }
    const endless = new Endless("top");
    expect(r().error(endless)).toBe(endless);
    const err = new Error("x", { cause: new Error(`cause ${TOKEN}`) });
    Object.defineProperty(err, "boom", { enumerable: true, get: () => { throw new Error("no"); } });
    expect(() => r().error(err)).not.toThrow();
    expect((err.cause as Error).message).toBe("cause [redacted]");
  });

  it("leaves a field it may not write, without throwing", () => {
    const err = new Error("x");
    Object.defineProperty(err, "fixed", { value: TOKEN, enumerable: true, writable: false });
    expect(() => r().error(err)).not.toThrow();
  });

  it("leaves whatever is not an Error alone", () => {
    const thrown = { message: TOKEN };
    expect(r().error(thrown)).toBe(thrown);
    expect(thrown.message).toBe(TOKEN);
  });
});

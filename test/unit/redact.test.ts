// The redactor on its own: every spelling of the token it must find, in text, parsed values,
// headers, responses and errors. The transport and contract tiers check the same through a client
// talking to hostile servers; these pin each rule where a case is hard to reach through a server.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { reason, redactor } from "../../src/core/redact.js";

// Printable ASCII, as a token must be, with every character that JSON, util.inspect's three
// quotes and percent-encoding escape.
const TOKEN = `tk"q\\b'a\`c ~p_9876`;
const R = redactor(TOKEN);
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
    expect(R.text(`<${spelled}>`)).toBe("<[redacted]>");
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
    expect(R.text("nothing here")).toBe("nothing here");
    expect(R.text(`${TOKEN}${TOKEN}`)).toBe("[redacted][redacted]");
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
    const clean = R.value(original);
    expect(clean).toEqual({ a: [1, "[redacted]", { "[redacted]": true }], b: null });
    expect(Array.isArray(clean.a)).toBe(true);
    expect(original.a[1]).toBe(TOKEN);
  });

  it("returns a clean value itself, not a copy", () => {
    const clean = { a: [1, { b: "x" }] };
    expect(R.value(clean)).toBe(clean);
  });

  it("keeps a __proto__ key from a body as a plain key", () => {
    const parsed = JSON.parse(`{"__proto__": {"x": "${json(TOKEN)}"}}`);
    const clean = R.value(parsed);
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(clean, "__proto__")?.value).toEqual({ x: "[redacted]" });
  });

  it("walks records without a prototype, but not class instances, whose getters could run code", () => {
    const bare = Object.assign(Object.create(null), { t: TOKEN });
    expect(R.value(bare)).toEqual({ t: "[redacted]" });
    const instance = new (class {
      t = TOKEN;
    })();
    expect(R.value(instance)).toBe(instance);
  });

  it("scrubs an object met twice both times, and stops at a cycle", () => {
    const shared = { t: TOKEN };
    const clean = R.value({ a: shared, b: shared });
    expect(clean).toEqual({ a: { t: "[redacted]" }, b: { t: "[redacted]" } });
    const loop: Record<string, unknown> = { t: "x" };
    loop.self = loop;
    expect(R.value(loop)).toBe(loop);
  });

  it("past 64 levels keeps a clean value whole and drops one holding the token whole", () => {
    const nest = (leaf: unknown) => {
      let v: unknown = leaf;
      for (let i = 0; i < 70; i++) v = { v };
      return v;
    };
    const clean = nest("x");
    expect(R.value(clean)).toBe(clean);
    let deep: any = R.value(nest(TOKEN));
    for (let i = 0; i < 65; i++) deep = deep.v;
    expect(deep).toBe("[redacted]");
    expect(JSON.stringify(R.value(nest(TOKEN)))).not.toContain("9876");
    // Deeper than that and not JSON at all: dropped too.
    let odd: any = R.value(nest(10n));
    for (let i = 0; i < 65; i++) odd = odd.v;
    expect(odd).toBe("[redacted]");
  });
});

describe("response", () => {
  it("returns a clean response itself", () => {
    const r = new Response("{}", { status: 200, statusText: "OK", headers: { a: "b" } });
    expect(R.response(r)).toBe(r);
  });

  it("copies one with the token in a header, a Set-Cookie line, the status text or the URL, keeping status and body", async () => {
    const r = new Response("body", { status: 599, statusText: `echo ${encodeURI(TOKEN)}`, headers: [["x-echo", TOKEN], ["set-cookie", `a=${encodeURIComponent(TOKEN)}`], ["set-cookie", "b=2"]] });
    Object.defineProperty(r, "url", { value: `https://api.test/${encodeURIComponent(TOKEN)}` });
    const copy = R.response(r)!;
    expect(copy).not.toBe(r);
    expect(copy.status).toBe(599);
    expect(copy.statusText).toBe("echo [redacted]");
    expect(copy.headers.get("x-echo")).toBe("[redacted]");
    expect(copy.headers.getSetCookie()).toEqual(["a=[redacted]", "b=2"]);
    expect(copy.url).toBe("https://api.test/[redacted]");
    expect(await copy.text()).toBe("body");
  });

  it("scrubs headers where Headers has no getSetCookie", () => {
    const r = new Response(null, { status: 200, headers: { "x-echo": TOKEN } });
    Object.defineProperty(r.headers, "getSetCookie", { value: undefined });
    expect(R.response(r)!.headers.get("x-echo")).toBe("[redacted]");
  });

  it("gives no copy of one whose status no Response can be built with", () => {
    const odd = { status: 0, statusText: "", headers: new Headers({ "x-echo": TOKEN }), bodyUsed: false, body: null, url: "" } as unknown as Response;
    expect(R.response(odd)).toBeUndefined();
    const early = { ...odd, status: 199 } as unknown as Response;
    expect(R.response(early)).toBeUndefined();
  });

  it("copies a response whose body was read without its body", async () => {
    const r = new Response("read", { status: 200, headers: { "x-echo": TOKEN } });
    await r.text();
    expect(await R.response(r)!.text()).toBe("");
  });
});

describe("error", () => {
  it("scrubs the message, the stack and every field, and returns the error itself", () => {
    const err = Object.assign(new Error(`refused ${TOKEN}`), { body: { echo: TOKEN }, note: json(TOKEN) });
    expect(R.error(err)).toBe(err);
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
    R.error(err);
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
    R.error(top);
    expect(root.message).toBe("root [redacted]");
    const a = new Error(`a ${TOKEN}`);
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    R.error(b);
    expect(a.message).toBe("a [redacted]");
  });

  it("leaves a field it may not write, without throwing", () => {
    const err = new Error("x");
    Object.defineProperty(err, "fixed", { value: TOKEN, enumerable: true, writable: false });
    expect(() => R.error(err)).not.toThrow();
  });

  it("leaves whatever is not an Error alone", () => {
    const thrown = { message: TOKEN };
    expect(R.error(thrown)).toBe(thrown);
    expect(thrown.message).toBe(TOKEN);
  });
});

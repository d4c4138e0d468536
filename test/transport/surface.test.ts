// The surface where the transport matters, over a real HTTP server on 127.0.0.1 and both
// transports: fetchOptions reaching fetch or undici, asResponse() handing the response over at
// its headers while the server still holds the body back, and the debug line of each attempt.
import { Agent, type Dispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, NotFoundError, Propexo, type ClientOptions } from "../../src/index.js";
import { nodeTransport } from "../../src/node.js";
import { argsOf, methodOf, minimalInput, responseExamples, specOperations } from "../helpers/contract.js";
import { sendJson, startServer, type Handle } from "../helpers/http-server.js";

const TOKEN = "tok_transport_surface_1234";
const servers: { close: () => Promise<void> }[] = [];
const agents: Dispatcher[] = [];
afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => s.close()), ...agents.splice(0).map((a) => a.close())]);
});

async function serve(handle: Handle) {
  const s = await startServer(handle);
  servers.push(s);
  return s;
}

// Operations by shape, from the table.
const ops = specOperations().filter((o) => o.row.supported);
const list = ops.find((o) => o.row.returns === "page")!;
const item = ops.find((o) => o.row.returns === "item")!;
const ok = (o: (typeof ops)[number]) => responseExamples(o.op).find((e) => e.code === "200")!.value;
const send = (client: Propexo, o: (typeof ops)[number], options = {}, input = minimalInput(o.op)) => methodOf(client, o.row)(...argsOf(o.row, input, options));

/** An undici Agent that counts the requests it dispatches. */
class CountingAgent extends Agent {
  count = 0;
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.count++;
    return super.dispatch(options, handler);
  }
}

const TRANSPORTS: [string, () => ClientOptions][] = [
  ["global fetch", () => ({})],
  ["nodeTransport()", () => nodeTransport()],
];

describe.each(TRANSPORTS)("over %s", (_name, transport) => {
  const clientFor = (url: string, options: ClientOptions = {}) =>
    new Propexo({ token: TOKEN, baseUrl: url, rateLimit: false, logLevel: "off", ...transport(), ...options });

  it("fetchOptions reach the transport: a dispatcher of the client's, and one of the call's", async () => {
    const s = await serve((_q, res) => sendJson(res, 200, ok(item)));
    const mine = new CountingAgent();
    const theirs = new CountingAgent();
    agents.push(mine, theirs);
    const client = clientFor(s.url, { fetchOptions: { dispatcher: mine } });
    await send(client, item);
    await send(client, item, { fetchOptions: { dispatcher: theirs } });
    expect([mine.count, theirs.count]).toEqual([1, 1]);
    expect(s.requests).toHaveLength(2);
  });

  it("asResponse() resolves at the headers while the server still holds the body back, and the body reads whole", async () => {
    const text = JSON.stringify(ok(item));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const s = await serve(async (_q, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_raw" });
      res.write(text.slice(0, 10));
      await released;
      res.end(text.slice(10));
    });
    // The limit is smaller than the body: it is the reader's to apply.
    const response: Response = await send(clientFor(s.url, { maxResponseBytes: 5 }), item).asResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req_raw");
    expect(response.bodyUsed).toBe(false);
    release();
    expect(await response.text()).toBe(text);
  });

  it("asResponse() rejects with the typed error of an error status, its body read", async () => {
    const s = await serve((_q, res) => sendJson(res, 404, { error: { code: "not_found", message: "no such event" } }));
    const err = await send(clientFor(s.url), item).asResponse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toContain("no such event");
  });

  it("asResponse() leaves the body to the caller's signal: aborting it cuts the body off", async () => {
    const s = await serve((_q, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"results":');
      // ...and never more.
    });
    const controller = new AbortController();
    const response: Response = await send(clientFor(s.url), item, { signal: controller.signal }).asResponse();
    const reading = response.text();
    controller.abort();
    await expect(reading).rejects.toThrow();
  });

  it("debug: each attempt's method, the URL with its query as sent, status, duration and request ID; no token", async () => {
    const lines: string[] = [];
    const log = (m: string) => void lines.push(m);
    const s = await serve((_q, res, _b, i) =>
      i === 0 ? sendJson(res, 503, { error: { code: "down", message: "down" } }, { "retry-after": "0", "x-request-id": "req_a" }) : sendJson(res, 200, ok(list), { "x-request-id": "req_b" }),
    );
    const client = clientFor(s.url, { logger: { error: log, warn: log, info: log, debug: log }, logLevel: "debug" });
    await send(client, list, {}, { ...minimalInput(list.op), query: { limit: 3 } }).firstPage();
    const sentPath = s.requests[1]!.path;
    expect(sentPath).toContain("limit=3");
    expect(lines.filter((l) => l.includes(" → "))).toEqual([
      expect.stringMatching(new RegExp(`^\\[propexo\\] ${list.row.method} ${(s.url + sentPath).replace(/[.?*+^$()[\]{}|\\]/g, "\\$&")} → 503 in \\d+ ms, request req_a$`)),
      expect.stringMatching(new RegExp(`^\\[propexo\\] ${list.row.method} ${(s.url + sentPath).replace(/[.?*+^$()[\]{}|\\]/g, "\\$&")} → 200 in \\d+ ms, request req_b$`)),
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/retry 1 of 2 in 0 ms after status 503$/));
    expect(lines.join("\n")).not.toContain(TOKEN);
  });

  it("debug: an attempt that got no answer says so", async () => {
    const lines: string[] = [];
    const log = (m: string) => void lines.push(m);
    const s = await serve((req) => req.socket.destroy());
    const client = clientFor(s.url, { logger: { error: log, warn: log, info: log, debug: log }, logLevel: "debug", maxRetries: 0 });
    await expect(send(client, item)).rejects.toBeInstanceOf(ConnectionError);
    expect(lines).toContainEqual(expect.stringMatching(/ → no answer in \d+ ms$/));
    expect(lines.at(-1)).toMatch(/^\[propexo\] ConnectionError: /);
  });
});

describe("over nodeTransport()", () => {
  it("fetchOptions pass undici's own request options through, such as headersTimeout", async () => {
    const s = await serve((_q, res) => setTimeout(() => sendJson(res, 200, ok(item)), 2_000));
    const client = new Propexo({ token: TOKEN, baseUrl: s.url, rateLimit: false, logLevel: "off", maxRetries: 0, ...nodeTransport(), fetchOptions: { headersTimeout: 100 } });
    const err = await send(client, item).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).message).toContain("UND_ERR_HEADERS_TIMEOUT");
  });
});

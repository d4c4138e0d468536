// The client against a real HTTP server on 127.0.0.1: faults, retries, timeouts and bodies.
import * as zlibModule from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  ApiError,
  ConnectionError,
  InternalServerError,
  Propexo,
  RateLimitError,
  TimeoutError,
  type ClientOptions,
} from "../../src/index.js";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { BAD_STATUS, LIMIT_KEY, TOO_LARGE } from "../../src/core/transport-contract.js";
import { nodeTransport } from "../../src/node.js";
import { sendJson, startServer, type Handle } from "../helpers/http-server.js";

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handle: Handle) {
  const s = await startServer(handle);
  servers.push(s);
  return s;
}

function baseClient(url: string, options: ClientOptions = {}) {
  return new Propexo({ token: "tok_transport", baseUrl: url, rateLimit: false, logLevel: "off", ...options });
}

const STATUS_OK = { write_status: "SUCCESS", errors: [], created_record_id: null };
const cancelBody = { integration_id: "i", event_id: "e" };
const updateBody = { appointment_date: "2024-01-15", appointment_time: "09:30:00" };
const updated = { meta: { job_id: "j" }, result: { event_id: "e", appointment_date: "2024-01-15" } };
const fastRetry = { maxRetries: 2 };

// Every fault below, over the default transport (global fetch) and over the opt-in nodeTransport()
// from propexo-appointments/node (undici's pools through openapi-fetch's fetch and Request options).
const TRANSPORTS: [string, () => ClientOptions][] = [
  ["global fetch", () => ({})],
  ["nodeTransport()", () => nodeTransport()],
];

describe.each(TRANSPORTS)("over %s", (_name, transport) => {
  const clientFor = (url: string, options: ClientOptions = {}) => baseClient(url, { ...transport(), ...options });

  describe("connection faults", () => {
    it("a reset before any response: GET is retried and succeeds", async () => {
      const s = await serve((req, res, _b, i) => (i === 0 ? req.socket.destroy() : sendJson(res, 200, STATUS_OK)));
      await expect(clientFor(s.url, fastRetry).writes.status("job")).resolves.toEqual(STATUS_OK);
      expect(s.requests).toHaveLength(2);
    });

    it("a reset before any response: POST is not retried (the server may have acted) and fails with ConnectionError", async () => {
      const s = await serve((req) => req.socket.destroy());
      const err = await clientFor(s.url, fastRetry).appointments.rentmanager.leads.cancel(cancelBody).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(s.requests).toHaveLength(1);
    });

    it("a reset in the middle of the body: PUT is retried and succeeds", async () => {
      const s = await serve((req, res, _b, i) => {
        if (i === 0) {
          res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
          res.write('{"meta": {"job_id"');
          setTimeout(() => req.socket.destroy(), 20);
        } else sendJson(res, 200, updated);
      });
      const job = await clientFor(s.url, fastRetry).appointments.resman.leads.update("e", updateBody);
      expect(job.jobId).toBe("j");
      expect(s.requests).toHaveLength(2);
      expect(JSON.parse(s.requests[1]!.body)).toEqual(updateBody);
    });

    it("a reset in the middle of the body: POST fails with ConnectionError after one attempt", async () => {
      const s = await serve((req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
        res.write('{"meta": ');
        setTimeout(() => req.socket.destroy(), 20);
      });
      await expect(clientFor(s.url, fastRetry).appointments.rentmanager.leads.cancel(cancelBody)).rejects.toBeInstanceOf(ConnectionError);
      expect(s.requests).toHaveLength(1);
    });

    it("a refused connection: POST is retried (nothing was sent), then fails with ConnectionError", async () => {
      const s = await serve(() => {});
      const url = s.url;
      await s.close();
      servers.pop();
      let attempts = 0;
      const send = transport().fetch ?? ((r: Request) => globalThis.fetch(r));
      const fetch = (r: Request) => {
        attempts++;
        return send(r);
      };
      const err = await clientFor(url, { ...fastRetry, fetch }).appointments.rentmanager.leads.cancel(cancelBody).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toContain("ECONNREFUSED");
      expect(attempts).toBe(3);
    });
  });

  describe("server errors", () => {
    it.each([500, 502, 503, 504])("%i then success: GET and PUT are retried", async (status) => {
      const s = await serve((req, res, _b, i) => {
        if (i % 2 === 0) sendJson(res, status, { error: { code: "server_error", message: "try again" } });
        else sendJson(res, 200, req.method === "GET" ? STATUS_OK : updated);
      });
      const client = clientFor(s.url, fastRetry);
      await expect(client.writes.status("job")).resolves.toEqual(STATUS_OK);
      await expect(client.appointments.resman.leads.update("e", updateBody)).resolves.toMatchObject({ jobId: "j" });
      expect(s.requests.map((r) => r.method)).toEqual(["GET", "GET", "PUT", "PUT"]);
    });

    it("503 on a POST is not retried", async () => {
      const s = await serve((_q, res) => sendJson(res, 503, { error: { code: "unavailable", message: "down" } }));
      await expect(clientFor(s.url, fastRetry).appointments.rentmanager.leads.cancel(cancelBody)).rejects.toBeInstanceOf(InternalServerError);
      expect(s.requests).toHaveLength(1);
    });

    it("an HTML error page becomes an InternalServerError quoting its text", async () => {
      const s = await serve((_q, res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
      });
      const err = (await clientFor(s.url, { maxRetries: 0 }).writes.status("job").catch((e: unknown) => e)) as ApiError;
      expect(err).toBeInstanceOf(InternalServerError);
      expect(err.message).toBe("502 GET /v1/admin/write-status/job: 502 Bad Gateway");
      expect(err.body).toContain("<h1>");
    });
  });

  describe("429", () => {
    it("with Retry-After: waits as asked, then succeeds, also for a POST", async () => {
      const s = await serve((_q, res, _b, i) => {
        if (i === 0) sendJson(res, 429, { error: { code: "rate_limited", message: "slow down" } }, { "retry-after": "1" });
        else sendJson(res, 200, { meta: { job_id: "j" }, result: cancelBody });
      });
      await expect(clientFor(s.url, fastRetry).appointments.rentmanager.leads.cancel(cancelBody)).resolves.toMatchObject({ jobId: "j" });
      expect(s.requests).toHaveLength(2);
      expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(950);
    });

    it("without Retry-After: backs off, and surfaces RateLimitError with the budget headers when it persists", async () => {
      const s = await serve((_q, res) =>
        sendJson(res, 429, { error: { code: "rate_limited", message: "slow down" } }, { "x-ratelimit-limit": "150", "x-ratelimit-remaining": "0" }),
      );
      const err = (await clientFor(s.url, { maxRetries: 1 }).writes.status("job").catch((e: unknown) => e)) as RateLimitError;
      expect(err).toBeInstanceOf(RateLimitError);
      expect(err.limit).toBe(150);
      expect(err.remaining).toBe(0);
      expect(s.requests).toHaveLength(2);
    });
  });

  describe("timeouts", () => {
    it("headers slower than timeoutMs: TimeoutError per attempt, retried for GET", async () => {
      const s = await serve((_q, res) => {
        setTimeout(() => sendJson(res, 200, STATUS_OK), 1500);
      });
      const started = Date.now();
      const err = await clientFor(s.url, { timeoutMs: 150, maxRetries: 1 }).writes.status("job").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(s.requests).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(1400);
    });

    it("a timeout aborts the request on the wire", async () => {
      let closedEarly = false;
      const s = await serve((_q, res) => {
        res.on("close", () => {
          closedEarly = !res.writableEnded;
        });
        setTimeout(() => {
          if (!res.destroyed) sendJson(res, 200, STATUS_OK);
        }, 1000);
      });
      await expect(clientFor(s.url, { timeoutMs: 100, maxRetries: 0 }).writes.status("job")).rejects.toBeInstanceOf(TimeoutError);
      await new Promise((r) => setTimeout(r, 100));
      expect(closedEarly).toBe(true);
    });

    it("a body that stalls after the headers also times out", async () => {
      const s = await serve((_q, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write("{");
      });
      await expect(clientFor(s.url, { timeoutMs: 200, maxRetries: 0 }).writes.status("job")).rejects.toBeInstanceOf(TimeoutError);
    });

    it("a POST that times out is not retried", async () => {
      const s = await serve(() => {});
      await expect(clientFor(s.url, { timeoutMs: 100, maxRetries: 2 }).appointments.rentmanager.leads.cancel(cancelBody)).rejects.toBeInstanceOf(TimeoutError);
      expect(s.requests).toHaveLength(1);
    });
  });

  describe("bodies", () => {
    it("malformed JSON on a 200 becomes an ApiError with the text", async () => {
      const s = await serve((_q, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"write_status": ');
      });
      const err = (await clientFor(s.url).writes.status("job").catch((e: unknown) => e)) as ApiError;
      expect(err).toBeInstanceOf(ApiError);
      expect(err.status).toBe(200);
      expect(err.body).toBe('{"write_status": ');
    });

    it("an empty 200 body becomes an ApiError; an empty 500 body an InternalServerError", async () => {
      const s = await serve((_q, res, _b, i) => {
        res.writeHead(i === 0 ? 200 : 500);
        res.end();
      });
      const client = clientFor(s.url, { maxRetries: 0 });
      const a = (await client.writes.status("job").catch((e: unknown) => e)) as ApiError;
      expect(a).toBeInstanceOf(ApiError);
      expect(a.status).toBe(200);
      const b = (await client.writes.status("job").catch((e: unknown) => e)) as ApiError;
      expect(b).toBeInstanceOf(InternalServerError);
      expect(b.message).toContain("(empty body)");
    });
  });
});

describe("nodeTransport()", () => {
  it("sends the method, encoded path, headers and body as given, and hands back every response header", async () => {
    const s = await serve((_q, res) => {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      sendJson(res, 200, updated, { "x-request-id": "req_42" });
    });
    const client = baseClient(s.url, nodeTransport());
    const { data, response, requestId } = await client.appointments.resman.leads
      .update("a/b c", updateBody, { headers: { "x-trace": "t1" } })
      .withResponse();
    expect(data.jobId).toBe("j");
    expect(requestId).toBe("req_42");
    expect(response).toBeInstanceOf(Response);
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    const seen = s.requests[0]!;
    expect(seen.method).toBe("PUT");
    expect(seen.path).toBe("/v1/events/appointments/leads/resman/a%2Fb%20c");
    expect(seen.headers.authorization).toBe("Bearer tok_transport");
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(seen.headers["x-trace"]).toBe("t1");
    expect(JSON.parse(seen.body)).toEqual(updateBody);
  });

  it("the caller's AbortSignal cuts an answer in progress: AbortError, and the connection is closed", async () => {
    let closed = false;
    const s = await serve((req) => {
      req.socket.on("close", () => (closed = true));
    });
    const controller = new AbortController();
    const call = baseClient(s.url, nodeTransport()).writes.status("job", { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toBeInstanceOf(AbortError);
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
  });

  it("also takes a standard Request (e.g. from a user's own fetch wrapper)", async () => {
    const s = await serve((_q, res, body) => sendJson(res, 201, { echoed: body }));
    const response = await nodeTransport().fetch(new Request(`${s.url}/echo?x=1`, { method: "POST", body: "hello" }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ echoed: "hello" });
    expect(s.requests[0]!.path).toBe("/echo?x=1");
  });

  it("builds its own Request: the method upper-cased, GET by default, and a string or bytes as the body", async () => {
    const s = await serve((req, res, body) => sendJson(res, 200, { method: req.method, body }));
    const { Request: TransportRequest, fetch: send } = nodeTransport();
    expect(await (await send(new TransportRequest(`${s.url}/x`))).json()).toEqual({ method: "GET", body: "" });
    const posted = await send(new TransportRequest(`${s.url}/x`, { method: "post", body: new TextEncoder().encode("bytes") }));
    expect(await posted.json()).toEqual({ method: "POST", body: "bytes" });
    expect(() => new TransportRequest(`${s.url}/x`, { method: "POST", body: new Blob(["x"]) })).toThrow(new TypeError("nodeTransport sends string or Uint8Array bodies only"));
  });

  it("keeps at most `connections` connections to an origin", async () => {
    const sockets = new Set<number>();
    const s = await serve((req, res) => {
      sockets.add(req.socket.remotePort!);
      setTimeout(() => sendJson(res, 200, STATUS_OK), 30);
    });
    const client = baseClient(s.url, nodeTransport({ connections: 1 }));
    await Promise.all([1, 2, 3].map((n) => client.writes.status(`job${n}`)));
    expect(s.requests).toHaveLength(3);
    expect(sockets.size).toBe(1);
  });

  describe("bodies as fetch reads them", () => {
    const text = JSON.stringify(STATUS_OK).repeat(40);
    /** What global fetch and the Node transport each make of an answer. */
    async function bothRead(handle: Handle, method = "GET") {
      const s = await serve(handle);
      const { Request: TransportRequest, fetch: send } = nodeTransport();
      const read = async (response: Response) => ({ status: response.status, body: response.body === null ? null : await response.text() });
      return {
        fetch: await read(await fetch(`${s.url}/x`, { method })),
        node: await read(await send(new TransportRequest(`${s.url}/x`, { method }))),
      };
    }
    const encoded = (coding: string, bytes: Buffer) => (_q: unknown, res: import("node:http").ServerResponse) => {
      res.writeHead(200, { "content-encoding": coding, "content-length": bytes.length });
      res.end(bytes);
    };

    it.each([
      ["gzip", gzipSync(text).subarray(0, -8)],
      ["deflate", deflateSync(text).subarray(0, -4)],
    ])("a %s body cut short of its trailer gives what it holds, as fetch does", async (coding, bytes) => {
      const read = await bothRead(encoded(coding, bytes));
      expect(read.node).toEqual({ status: 200, body: text });
      expect(read.fetch).toEqual(read.node);
    });

    it("a br body cut short gives what it holds, as fetch does", async () => {
      const read = await bothRead(encoded("br", brotliCompressSync(text).subarray(0, -2)));
      expect(read.node.body!.length).toBeGreaterThan(0);
      expect(text.startsWith(read.node.body!)).toBe(true);
      expect(read.fetch).toEqual(read.node);
    });

    it("a body in a coding it does not know is handed over as it came, as fetch does", async () => {
      const read = await bothRead(encoded("x-unknown", Buffer.from("as sent")));
      expect(read.node).toEqual({ status: 200, body: "as sent" });
      expect(read.fetch).toEqual(read.node);
    });

    it.skipIf(typeof (zlibModule as { zstdCompressSync?: unknown }).zstdCompressSync === "function")("a zstd body, on a Node whose zlib cannot decode it, is handed over as it came", async () => {
      const read = await bothRead(encoded("zstd", Buffer.from("not decoded")));
      expect(read.node).toEqual({ status: 200, body: "not decoded" });
    });

    it("a deflate body that arrives in pieces, or empty, is read whole", async () => {
      const bytes = deflateSync(text);
      const pieces = await bothRead((_q, res) => {
        res.writeHead(200, { "content-encoding": "deflate" });
        res.write(bytes.subarray(0, 10));
        setTimeout(() => res.write(bytes.subarray(10, 40)), 20);
        setTimeout(() => res.end(bytes.subarray(40)), 40);
      });
      expect(pieces.node).toEqual({ status: 200, body: text });
      expect(pieces.fetch).toEqual(pieces.node);
      const empty = await bothRead(encoded("deflate", Buffer.alloc(0)));
      expect(empty.node).toEqual({ status: 200, body: "" });
      expect(empty.fetch).toEqual(empty.node);
    });

    it("a deflate body with bytes after its end gives what the stream holds, as fetch does", async () => {
      const read = await bothRead(encoded("deflate", Buffer.concat([deflateSync(text), Buffer.from("\r\n")])));
      expect(read.node).toEqual({ status: 200, body: text });
      expect(read.fetch).toEqual(read.node);
    });

    it("five codings are undone; a sixth is refused, as fetch refuses it", async () => {
      let five = Buffer.from(text);
      for (let i = 0; i < 5; i++) five = gzipSync(five);
      const read = await bothRead(encoded("gzip, gzip, gzip, gzip, gzip", five));
      expect(read.node).toEqual({ status: 200, body: text });
      expect(read.fetch).toEqual(read.node);
      const s = await serve(encoded("gzip, gzip, gzip, gzip, gzip, gzip", gzipSync(five)));
      const { Request: TransportRequest, fetch: send } = nodeTransport();
      await expect(send(new TransportRequest(`${s.url}/x`))).rejects.toThrow(new Error("too many content-encodings in response: 6"));
      await expect(fetch(`${s.url}/x`).then((r) => r.text())).rejects.toThrow();
    });

    it("a corrupt deflate body is an error, not a hang", async () => {
      const s = await serve(encoded("deflate", Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02])));
      const { Request: TransportRequest, fetch: send } = nodeTransport();
      await expect(send(new TransportRequest(`${s.url}/x`))).rejects.toThrow();
    });

    it("a 204, and the answer to a HEAD, have no body", async () => {
      const noContent = await bothRead((_q, res) => {
        res.writeHead(204);
        res.end();
      });
      expect(noContent.node).toEqual({ status: 204, body: null });
      expect(noContent.fetch).toEqual(noContent.node);
      const head = await bothRead((_q, res) => {
        res.writeHead(200, { "content-length": "7" });
        res.end();
      }, "HEAD");
      expect(head.node).toEqual({ status: 200, body: null });
      expect(head.fetch).toEqual(head.node);
    });
  });

  describe("faults it reports to the client by code", () => {
    it("a body past the call's limit, declared or as it comes: its status, headers and the limit", async () => {
      const s = await serve((req, res) => {
        const body = Buffer.alloc(64, "a");
        res.writeHead(201, { "x-request-id": "req_9", ...(req.url === "/declared" && { "content-length": String(body.length) }) });
        res.end(body);
      });
      const { Request: TransportRequest, fetch: send } = nodeTransport();
      for (const path of ["/declared", "/streamed"]) {
        const fault = await send(new TransportRequest(`${s.url}${path}`, { [LIMIT_KEY]: 63 } as RequestInit)).catch((e: unknown) => e);
        expect(fault, path).toMatchObject({ code: TOO_LARGE, status: 201, limit: 63, message: "the response is larger than 63 bytes" });
        expect((fault as { headers: Headers }).headers.get("x-request-id"), path).toBe("req_9");
        // Exactly at the limit is within it.
        const whole = await send(new TransportRequest(`${s.url}${path}`, { [LIMIT_KEY]: 64 } as RequestInit));
        expect((await whole.arrayBuffer()).byteLength, path).toBe(64);
      }
    });

    it("a body declared past the limit is refused before any of it is read", async () => {
      const s = await serve((_q, res) => {
        // Declared, never sent: reading it would wait for ever.
        res.writeHead(200, { "content-length": "1000" });
        res.write("{");
      });
      const { Request: TransportRequest, fetch: send } = nodeTransport();
      await expect(send(new TransportRequest(`${s.url}/x`, { [LIMIT_KEY]: 999 } as RequestInit))).rejects.toMatchObject({ code: TOO_LARGE, limit: 999 });
    });

    it.each([600, 999])("a status a Response cannot hold (%i): the status and headers, named in the message", async (status) => {
      const s = await serve((_q, res) => {
        res.socket!.write(`HTTP/1.1 ${status} Odd\r\nx-request-id: req_7\r\ncontent-length: 0\r\n\r\n`);
        res.socket!.end();
      });
      const { Request: TransportRequest, fetch: send } = nodeTransport();
      const fault = await send(new TransportRequest(`${s.url}/x`)).catch((e: unknown) => e);
      expect(fault).toMatchObject({ code: BAD_STATUS, status, message: `status ${status} is outside 200–599` });
      expect((fault as { headers: Headers }).headers.get("x-request-id")).toBe("req_7");
    });

    it("status 599 is an answer like any other server error", async () => {
      const s = await serve((_q, res) => sendJson(res, 599, { error: "odd" }));
      const err = await baseClient(s.url, { ...nodeTransport(), maxRetries: 0 }).writes.status("job").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InternalServerError);
      expect((err as InternalServerError).status).toBe(599);
    });
  });

  it("refuses a connections count that is not a whole number ≥ 1, naming the value", () => {
    expect(() => nodeTransport({ connections: 0 })).toThrow(/options.connections must be a whole number ≥ 1, received 0/);
  });
});

describe("rate limit", () => {
  it("a server enforcing Propexo's policy (slow above 80%, 429 at 100%) never refuses the paced client, which uses the whole limit", async () => {
    const windowMs = 1000;
    const limit = 20;
    const firstWindow = Date.now();
    let windowStart = firstWindow;
    let used = 0;
    let slowed = 0;
    let refused = 0;
    const perWindow: number[] = [];
    const s = await serve((_q, res) => {
      const now = Date.now();
      if (now - windowStart >= windowMs) {
        windowStart += Math.floor((now - windowStart) / windowMs) * windowMs;
        used = 0;
      }
      used++;
      const index = Math.floor((now - firstWindow) / windowMs);
      perWindow[index] = (perWindow[index] ?? 0) + 1;
      const headers = { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(Math.max(0, limit - used)) };
      if (used > limit) {
        refused++;
        return sendJson(res, 429, { error: { code: "rate_limited", message: "slow down" } }, headers);
      }
      const reply = () => sendJson(res, 200, { meta: { job_id: "j" }, result: cancelBody }, headers);
      if (used > limit * 0.8) {
        slowed++;
        setTimeout(reply, 200);
      } else reply();
    });
    const client = baseClient(s.url, { rateLimit: { requestsPerMinute: limit, windowMs } });
    const jobs = await Promise.all(Array.from({ length: 40 }, () => client.appointments.rentmanager.leads.cancel(cancelBody)));
    expect(jobs).toHaveLength(40);
    expect(refused).toBe(0);
    // The backlog fills the first window to the limit: 80% unslowed, the rest slowed, since
    // waiting a window for the 80% line would take longer than the slowdown.
    expect(perWindow[0]).toBe(limit);
    expect(slowed).toBeGreaterThan(0);
    expect(slowed).toBeLessThanOrEqual(0.2 * limit * perWindow.filter(Boolean).length);
    // Never more than the limit in any window-long span, whatever the server's window boundaries.
    const times = s.requests.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + windowMs).length;
      expect(inWindow).toBeLessThanOrEqual(limit);
    }
  });
});

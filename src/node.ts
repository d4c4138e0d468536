// propexo-appointments/node: an opt-in transport for Node that sends requests through undici's
// connection pools instead of through fetch. It plugs into openapi-fetch's own `fetch` and
// `Request` options: openapi-fetch builds each request into a TransportRequest, a plain record
// without the streams and signal bookkeeping of fetch's Request, and `fetch` hands it to
// undici's `dispatcher.request()`, answering a standard Response. Needs `undici` installed.
import { pipeline, Readable, Transform } from "node:stream";
import * as zlib from "node:zlib";
import { Agent, type Dispatcher } from "undici";
import { BAD_STATUS, DEFAULT_MAX_RESPONSE_BYTES, LIMIT_KEY, STREAM_KEY, TOO_LARGE, type TransportFault } from "./core/transport-contract.js";

/** Settings of {@link nodeTransport}. */
export interface NodeTransportOptions {
  /** Connections kept open to each origin (default 16). */
  connections?: number | undefined;
  /** An undici dispatcher of your own (an Agent, Pool, ProxyAgent, ...); `connections` is then unused. */
  dispatcher?: Dispatcher | undefined;
}

/** The `fetch` and `Request` to pass to `new Propexo({ ... })`. */
export interface NodeTransport {
  /**
   * Sends a request. The client's `fetchOptions` arrive as `init`: options of undici's
   * `request()` (e.g. `headersTimeout`, `bodyTimeout`), and `dispatcher` to use another one for
   * this request; the origin, path, method, headers, body and signal are the request's own.
   */
  fetch: (request: Request, init?: Record<string, unknown>) => Promise<Response>;
  Request: typeof Request;
}

/**
 * A request as openapi-fetch builds it, kept as plain fields. Only the fields a client reads are
 * provided; it is made and consumed inside the transport.
 */
class TransportRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly signal: AbortSignal | null;
  /** The serialised body, as openapi-fetch produced it (a JSON string for this API). */
  readonly payload: string | Uint8Array | null;
  /** The call's response size limit, handed over by the core in the init. */
  readonly [LIMIT_KEY]: number | undefined;
  /** Whether the body is to be handed over unread, as a stream (`.asResponse()`). */
  readonly [STREAM_KEY]: boolean | undefined;

  constructor(url: string, init: RequestInit & { [LIMIT_KEY]?: number; [STREAM_KEY]?: boolean } = {}) {
    this.url = url;
    this.method = (init.method ?? "GET").toUpperCase();
    // openapi-fetch passes the Headers it merged; only other shapes need a copy.
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.signal = init.signal ?? null;
    const body = init.body ?? null;
    if (body !== null && typeof body !== "string" && !(body instanceof Uint8Array)) {
      throw new TypeError("nodeTransport sends string or Uint8Array bodies only");
    }
    this.payload = body;
    this[LIMIT_KEY] = init[LIMIT_KEY];
    this[STREAM_KEY] = init[STREAM_KEY];
  }
}

/**
 * The body with its content-encoding undone, as fetch does (Fetch standard, "HTTP-network fetch",
 * and undici's fetch): codings are listed in the order applied, so they are undone last first;
 * with a coding it does not know, the body is handed over as it came.
 */
function decode(body: Readable, header: string | null): Readable {
  const codings = header ? header.toLowerCase().split(",") : [];
  // As undici's fetch: more than 5 codings is refused (CVE-2022-32206 in curl, the same in urllib3).
  if (codings.length > 5) throw new Error(`too many content-encodings in response: ${codings.length}`);
  // Z_SYNC_FLUSH as fetch (and curl) does: lenient with a body cut short of its trailer.
  const sync = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const decoders: Transform[] = [];
  for (const coding of codings.reverse().map((c) => c.trim())) {
    if (coding === "gzip" || coding === "x-gzip") decoders.push(zlib.createGunzip(sync));
    else if (coding === "deflate") decoders.push(new Inflate(sync));
    else if (coding === "br") decoders.push(zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }));
    // zstd wherever Node's zlib has it (22.15 and later); the fetch bundled with Node decodes it only from Node 24.
    else if (coding === "zstd" && createZstdDecompress) decoders.push(createZstdDecompress({ flush: zstdConstants.ZSTD_e_continue, finishFlush: zstdConstants.ZSTD_e_end }));
    else return body;
  }
  return decoders.length ? (pipeline(body, ...(decoders as [Transform]), () => {}) as Readable) : body;
}

/** Node's zstd decoder and its constants, absent before Node 22.15 (and from @types/node 20). */
const { createZstdDecompress } = zlib as { createZstdDecompress?: (options: object) => Transform };
const zstdConstants = zlib.constants as unknown as Record<string, number>;

/**
 * "deflate" as servers send it: zlib-wrapped as RFC 9110 says, or raw, which fetch accepts too. The
 * first byte decides: a zlib stream opens with a CMF byte whose low nibble is 8 (the deflate method).
 */
class Inflate extends Transform {
  #options: zlib.ZlibOptions;
  #inner: zlib.Inflate | zlib.InflateRaw | undefined;

  constructor(options: zlib.ZlibOptions) {
    super();
    this.#options = options;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.#inner) {
      // Stryker disable next-line ConditionalExpression: undici never hands over an empty chunk; this guards the byte read below.
      if (chunk.length === 0) return done();
      this.#inner = (chunk[0]! & 0x0f) === 8 ? zlib.createInflate(this.#options) : zlib.createInflateRaw(this.#options);
      this.#inner.on("data", (out: Buffer) => this.push(out));
      this.#inner.on("error", (error) => this.destroy(error));
    }
    // Bytes after the end of the deflate stream are dropped, as fetch drops them.
    if (this.#inner.readableEnded) return done();
    this.#inner.write(chunk, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    // This stream ends (Transform ends it after `done`) once the inner one has given its last output.
    // Stryker disable next-line ConditionalExpression: with sync flushing, each write's output is out before its callback, so end() adds none; waiting keeps it so whatever the flush.
    if (!this.#inner || this.#inner.readableEnded) return done();
    this.#inner.once("end", () => done());
    this.#inner.end();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#inner?.destroy();
    done(error);
  }
}

/**
 * The chunks of `stream` until it ends, or a rejection with `tooLarge()` once they pass `limit`
 * bytes. Plain "data" events, as undici's own body.text() reads, cost less than an async iterator.
 */
function collect(stream: Readable, limit: number, tooLarge: () => Error): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        stream.pause();
        reject(tooLarge());
      }
    });
    stream.on("end", () => resolve(chunks));
    stream.on("error", reject);
  });
}

/** Stops a stream that is no longer read; undici's body reports that as an error, which is expected here. */
function discard(stream: Readable): void {
  stream.on("error", () => {});
  stream.destroy();
}

/** The response with the URL it answers, as fetch's responses carry it (a constructed Response has none). */
function withUrl(response: Response, url: string): Response {
  return Object.defineProperty(response, "url", { value: url });
}

/** Statuses whose Response may not have a body. */
const NO_BODY = new Set([204, 205, 304]);

/**
 * A transport for Node that sends each request through undici's pools directly.
 *
 * @example
 * import { Propexo } from "propexo-appointments";
 * import { nodeTransport } from "propexo-appointments/node";
 * const propexo = new Propexo({ token, ...nodeTransport({ connections: 32 }) });
 */
export function nodeTransport(options: NodeTransportOptions = {}): NodeTransport {
  const { connections = 16 } = options;
  if (!options.dispatcher && !(Number.isInteger(connections) && connections > 0)) {
    throw new TypeError(`nodeTransport: options.connections must be a whole number ≥ 1, received ${JSON.stringify(connections)}`);
  }
  const dispatcher = options.dispatcher ?? new Agent({ connections });

  async function send(request: Request | TransportRequest, init?: Record<string, unknown>): Promise<Response> {
    // The pass-through settings go first, so that what makes the request this request wins.
    const { dispatcher: chosen, ...extra } = init ?? {};
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    let body: string | Uint8Array | null;
    if (request instanceof TransportRequest) body = request.payload;
    else body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
    const res = await ((chosen as Dispatcher | undefined) ?? dispatcher).request({
      ...(extra as Partial<Dispatcher.RequestOptions>),
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body,
      signal: request.signal ?? undefined,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      // Stryker disable next-line ConditionalExpression: undici's headers never hold undefined; the check is for the type.
      for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) responseHeaders.append(name, v);
    }
    const fault = (code: TransportFault["code"], message: string, limit?: number): TransportFault => {
      discard(res.body);
      return Object.assign(new Error(message), { code, status: res.statusCode, headers: responseHeaders, limit });
    };
    // A Response cannot hold such a status; the core reports it as fetch's answer would be.
    if (res.statusCode < 200 || res.statusCode > 599) throw fault(BAD_STATUS, `status ${res.statusCode} is outside 200–599`);
    const empty = NO_BODY.has(res.statusCode) || request.method === "HEAD";
    // Handed over as it arrives, decoded: the core reads an error's body within the limit, and
    // the caller of `.asResponse()` reads a success's.
    if ((request as { [STREAM_KEY]?: boolean })[STREAM_KEY] && !empty) {
      let decoded: Readable;
      try {
        decoded = decode(res.body, responseHeaders.get("content-encoding"));
      } catch (err) {
        discard(res.body);
        throw err;
      }
      return withUrl(new Response(Readable.toWeb(decoded) as ReadableStream, { status: res.statusCode, headers: responseHeaders }), request.url);
    }
    const limit = (request as { [LIMIT_KEY]?: number })[LIMIT_KEY] ?? DEFAULT_MAX_RESPONSE_BYTES;
    const encoding = responseHeaders.get("content-encoding");
    if (!encoding && Number(responseHeaders.get("content-length")) > limit) throw fault(TOO_LARGE, `the response is larger than ${limit} bytes`, limit);
    // Read whole, under the same signal, so a stalled body is cut off like a stalled answer, and
    // count what comes out of the decoder, so a small compressed body cannot unpack without bound.
    let bytes: Buffer | null = null;
    if (empty) await res.body.dump();
    else {
      let chunks: Buffer[];
      try {
        chunks = await collect(decode(res.body, encoding), limit, () => fault(TOO_LARGE, `the response is larger than ${limit} bytes`, limit));
      } catch (err) {
        // Destroying the body also ends the decoders piped from it.
        discard(res.body);
        throw err;
      }
      // Stryker disable next-line ConditionalExpression: Buffer.concat of one chunk gives the same bytes; the shortcut saves a copy.
      bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    }
    return withUrl(new Response(bytes as Uint8Array as BodyInit | null, { status: res.statusCode, headers: responseHeaders }), request.url);
  }

  return {
    fetch: send as (request: Request) => Promise<Response>,
    // openapi-fetch only constructs it and hands the result to `fetch` above.
    Request: TransportRequest as unknown as typeof Request,
  };
}

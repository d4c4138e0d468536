// propexo-appointments/node: an opt-in transport for Node that sends requests through undici's
// connection pools instead of through fetch. It plugs into openapi-fetch's own `fetch` and
// `Request` options: openapi-fetch builds each request into a TransportRequest, a plain record
// without the streams and signal bookkeeping of fetch's Request, and `fetch` hands it to
// undici's `dispatcher.request()`, answering a standard Response. Needs `undici` installed.
import { Agent, type Dispatcher } from "undici";

/** Settings of {@link nodeTransport}. */
export interface NodeTransportOptions {
  /** Connections kept open to each origin (default 16). */
  connections?: number | undefined;
  /** An undici dispatcher of your own (an Agent, Pool, ProxyAgent, ...); `connections` is then unused. */
  dispatcher?: Dispatcher | undefined;
}

/** The `fetch` and `Request` to pass to `new Propexo({ ... })`. */
export interface NodeTransport {
  fetch: (request: Request) => Promise<Response>;
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

  constructor(url: string, init: RequestInit = {}) {
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
  }
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

  async function send(request: Request | TransportRequest): Promise<Response> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    let body: string | Uint8Array | null;
    if (request instanceof TransportRequest) body = request.payload;
    else body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
    const res = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body,
      signal: request.signal ?? undefined,
    });
    // Read whole, under the same signal, so a stalled body is cut off like a stalled answer.
    const text = await res.body.text();
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
      else if (value !== undefined) responseHeaders.append(name, value);
    }
    const empty = NO_BODY.has(res.statusCode) || request.method === "HEAD";
    return new Response(empty ? null : text, { status: res.statusCode, headers: responseHeaders });
  }

  return {
    fetch: send as (request: Request) => Promise<Response>,
    // openapi-fetch only constructs it and hands the result to `fetch` above.
    Request: TransportRequest as unknown as typeof Request,
  };
}

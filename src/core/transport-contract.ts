// What the core and a transport of ours (propexo-appointments/node) agree on beyond fetch's own
// contract. The Node transport is a separate bundle, so it cannot throw the core's error classes
// (it would throw copies that fail `instanceof`); it throws plain errors with these codes, which
// the core turns into its own classes.

/** Key of the request init (and so of the request) that carries the call's response size limit. */
export const LIMIT_KEY = "propexoMaxResponseBytes";

/**
 * Key of the request init (and so of the request) that asks for the body as a stream, handed over
 * as soon as the headers arrive and read by whoever holds the response (`.asResponse()`).
 */
export const STREAM_KEY = "propexoStreamBody";

/** Thrown by a transport when a body grows past the limit; carries `status`, `headers`, `limit`. */
export const TOO_LARGE = "ERR_PROPEXO_RESPONSE_TOO_LARGE";

/** Thrown by a transport for a status that a Response cannot hold (outside 200–599); carries `status`, `headers`. */
export const BAD_STATUS = "ERR_PROPEXO_BAD_STATUS";

/** The default of `maxResponseBytes`: 32 MiB, far above any page of this API (250 appointments at most). */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** A transport's error carrying one of the codes above. */
export interface TransportFault extends Error {
  code: typeof TOO_LARGE | typeof BAD_STATUS;
  status: number;
  headers: Headers;
  limit?: number;
}

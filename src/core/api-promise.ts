import { PropexoError } from "./errors.js";
import type { WithResponse } from "./request.js";

/**
 * What every method returns: a promise of the result that can also hand over the HTTP exchange.
 * The request goes out in the next microtask, whether or not anyone awaits it, so that
 * `.asResponse()`, asked for at once, can ask for the body unread.
 *
 * @example
 * const event = await propexo.events.retrieve(eventId);
 * const { data, response, requestId } = await propexo.events.retrieve(eventId).withResponse();
 * const response = await propexo.events.retrieve(eventId).asResponse(); // body unread
 */
export class ApiPromise<T> implements PromiseLike<T> {
  readonly #send: (raw: boolean) => Promise<WithResponse<T>>;
  #parsed: Promise<WithResponse<T>> | undefined;
  #raw: Promise<Response> | undefined;

  /** `send(raw)` sends the request once: parsed, or with `raw` handing the response over at its headers. */
  constructor(send: (raw: boolean) => Promise<WithResponse<T>>) {
    this.#send = send;
    queueMicrotask(() => this.#raw ?? this.#result());
  }

  #result(): Promise<WithResponse<T>> {
    return (this.#parsed ??= this.#raw
      ? Promise.reject(new PropexoError("asResponse() took this call's body: no parsed result"))
      : this.#send(false));
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#result().then((r) => r.data).then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  /** The result with the raw `Response` (its body already read) and the server's request ID. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#result();
  }

  /**
   * The raw `Response`, as soon as its headers arrive, with the body unread for you to read (or
   * cancel). An error status still rejects with its typed error. Call it on the method's result
   * at once (`await propexo.events.retrieve(id).asResponse()`): the request goes out in the
   * next microtask, parsed unless this was asked for first.
   */
  asResponse(): Promise<Response> {
    return (this.#raw ??= this.#parsed
      ? Promise.reject(new PropexoError("asResponse() comes too late: call it on the method's result at once, before awaiting it"))
      : this.#send(true).then((r) => r.response));
  }

  get [Symbol.toStringTag](): string {
    return "ApiPromise";
  }
}

import type { WithResponse } from "./request.js";

/**
 * What every method returns: a promise of the result that can also hand over the HTTP exchange.
 *
 * @example
 * const event = await propexo.events.retrieve(eventId);
 * const { data, response, requestId } = await propexo.events.retrieve(eventId).withResponse();
 */
export class ApiPromise<T> implements PromiseLike<T> {
  readonly #raw: Promise<WithResponse<T>>;

  constructor(raw: Promise<WithResponse<T>>) {
    this.#raw = raw;
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#raw.then((r) => r.data).then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  /** The result with the raw `Response` and the server's request ID. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#raw;
  }

  get [Symbol.toStringTag](): string {
    return "ApiPromise";
  }
}

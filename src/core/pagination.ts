// Offset/limit pagination (docs: "Pagination"): pages are fetched lazily, one at a time, as the
// caller iterates, and the walk stops on `hasMore: false`, on reaching `total`, or on an empty page.
import type { RequestOptions, WithResponse } from "./request.js";
import { abortReason } from "./sleep.js";

/** The list envelope's `meta` (ResponseMeta). */
export interface PageMeta {
  offset?: number;
  limit?: number;
  orderBy: unknown[];
  hasMore?: boolean | null;
  total?: number;
}

/** One page of results with its paging information and HTTP exchange. */
export interface Page<T> {
  results: T[];
  meta: PageMeta;
  response: Response;
  requestId: string | undefined;
  /** Whether another page may follow this one. */
  hasMore: boolean;
}

type PageQuery = { offset?: number | null; limit?: number | null } & Record<string, unknown>;
type FetchPage<T> = (query: PageQuery, options: RequestOptions) => Promise<WithResponse<{ meta: PageMeta; results: T[] }>>;

/**
 * The result of a list method: iterate it with `for await` to walk every item, or take
 * `firstPage()`. Nothing is sent until one of them is used.
 *
 * @example
 * for await (const appointment of propexo.appointments.list({ integration_id })) console.log(appointment.id);
 * const page = await propexo.appointments.list({ limit: 50 }).firstPage();
 */
export class Pager<T> implements AsyncIterable<T> {
  readonly #fetchPage: FetchPage<T>;
  readonly #query: PageQuery;
  readonly #options: RequestOptions;

  constructor(fetchPage: FetchPage<T>, query: PageQuery, options: RequestOptions) {
    this.#fetchPage = fetchPage;
    this.#query = query;
    this.#options = options;
  }

  /** Fetches the page at the query's offset. */
  async firstPage(): Promise<Page<T>> {
    return this.#page(this.#query);
  }

  async #page(query: PageQuery): Promise<Page<T>> {
    const { data, response, requestId } = await this.#fetchPage(query, this.#options);
    const { meta, results } = data;
    const offset = query.offset ?? meta.offset ?? 0;
    const end = offset + results.length;
    const hasMore =
      results.length > 0 &&
      (typeof meta.hasMore === "boolean"
        ? meta.hasMore
        : typeof meta.total === "number"
          ? end < meta.total
          : results.length >= (query.limit ?? meta.limit ?? Infinity));
    return { results, meta, response, requestId, hasMore };
  }

  /** Every page, lazily. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let query = this.#query;
    for (;;) {
      const signal = this.#options.signal;
      if (signal?.aborted) throw abortReason(signal);
      const page = await this.#page(query);
      yield page;
      if (!page.hasMore) return;
      query = { ...query, offset: (query.offset ?? page.meta.offset ?? 0) + page.results.length };
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.results;
  }
}

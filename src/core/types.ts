// The client's method signatures, derived at the type level from the generated operation table
// and the generated schema types, so that no parameter or result type is written by hand.
import type { operations as OperationTypes } from "../../generated/schema.js";
import type { operations, OperationId, writeStatusOperation } from "../../generated/operations.js";
import type { ApiPromise } from "./api-promise.js";
import type { Pager } from "./pagination.js";
import type { RequestOptions } from "./request.js";
import type { WaitOptions, WriteStatusBody } from "./write-jobs.js";

type Row<K extends OperationId> = (typeof operations)[K];
type Spec<K extends OperationId> = OperationTypes[K];

/** The JSON request body of operation K. */
export type Body<K extends OperationId> =
  NonNullable<Spec<K>["requestBody"]> extends { content: { "application/json": infer B } } ? B : never;
/** The query parameters of operation K. */
export type Query<K extends OperationId> = NonNullable<Spec<K>["parameters"]["query"]>;
/** The success (200, else 201) JSON body of operation K; `unknown` when the spec declares none. */
export type Response200<K extends OperationId> = Spec<K>["responses"] extends {
  200: { content: { "application/json": infer R } };
}
  ? R
  : Spec<K>["responses"] extends { 201: { content: { "application/json": infer R } } }
    ? R
    : unknown;

/** A write that Propexo accepted: follow it with `wait()`. */
export interface WriteJob<R> {
  /** ID of the write job (`meta.job_id`, or `job_id` at the top level), for `writes.status` and `writes.wait`. */
  readonly jobId: string;
  /** What the API accepted: `result` of a `{ meta, result }` answer, or the whole `{ job_id, ... }` answer. */
  readonly result: R;
  /** The raw response of the write. */
  readonly response: Response;
  /** The request ID the server sent, if any. */
  readonly requestId: string | undefined;
  /**
   * Polls the job's write status until it settles: resolves on SUCCESS, rejects with
   * WriteFailedError on FAILURE or PARTIAL_SUCCESS, TimeoutError or AbortError. `requestOptions`
   * are the options of every poll (e.g. a `Prefer` header for a mock).
   */
  wait(options?: WaitOptions): Promise<WriteStatusBody>;
}

type JobResult<K extends OperationId> = Row<K> extends { envelope: "meta" }
  ? Response200<K> extends { result: infer R }
    ? R
    : never
  : Response200<K>;
type Item<K extends OperationId> = Response200<K> extends { results: infer R } ? R : never;

/** What operation K's method resolves to. */
export type Result<K extends OperationId> = Row<K>["returns"] extends "job"
  ? WriteJob<JobResult<K>>
  : Row<K>["returns"] extends "item"
    ? Item<K>
    : Response200<K>;

/** One string per path parameter, in the order they appear in the path. */
type Strings<T> = T extends readonly [unknown, ...infer Rest] ? [string, ...Strings<Rest>] : [];
type PathArgs<K extends OperationId> = Strings<Row<K>["pathParams"]>;

type HasQuery<K extends OperationId> = Row<K>["queryParams"] extends readonly [] ? false : true;
/** Whether an object type can be left out: it has no required member. */
type AllOptional<T> = {} extends T ? true : false;

/** The one object a method takes after its path parameters: the body, the query, or both merged. */
export type Params<K extends OperationId> = Row<K>["body"] extends "required" | "optional"
  ? HasQuery<K> extends true
    ? Body<K> & Query<K>
    : Body<K>
  : HasQuery<K> extends true
    ? Query<K>
    : never;

type ParamsArgs<K extends OperationId> = [Params<K>] extends [never]
  ? []
  : Row<K>["body"] extends "required"
    ? [params: Params<K>]
    : AllOptional<Params<K>> extends true
      ? [params?: Params<K>]
      : [params: Params<K>];

/**
 * The arguments of operation K's method: its path parameters in path order, then one object
 * (the body; the query; or, when it has both, the body's fields and the query parameters
 * together), then options.
 */
export type Args<K extends OperationId> = [...PathArgs<K>, ...ParamsArgs<K>, options?: RequestOptions];

/** The method for operation K. */
export type Method<K extends OperationId> = (
  ...args: Args<K>
) => Row<K>["returns"] extends "page" ? Pager<Item<K> extends readonly (infer T)[] ? T : never> : ApiPromise<Result<K>>;

type Nest<P, V> = P extends readonly [infer H extends string, ...infer T] ? { readonly [k in H]: Nest<T, V> } : V;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The resource tree: every operation at its placement, e.g. `appointments.<vendor>.<subject>.<verb>`, `appointments.list`. */
export type ResourceTree = UnionToIntersection<{ [K in OperationId]: Nest<Row<K>["placement"], Method<K>> }[OperationId]>;

type Parent<P> = P extends readonly [...infer Init, string] ? Init : [];
/** `wait` beside the write-status operation's method (`writes.status` → `writes.wait`); nothing when there is none. */
export type WaitTree<W> = typeof writeStatusOperation extends infer S extends OperationId
  ? Nest<[...Parent<Row<S>["placement"]>, "wait"], W>
  : {};

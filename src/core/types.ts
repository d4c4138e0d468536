// The client's method signatures, derived at the type level from the generated operation table
// and the generated schema types, so that no parameter or result type is written by hand.
import type { operations as OperationTypes } from "../../generated/schema.js";
import type { operations, OperationId } from "../../generated/operations.js";
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
/** The 200 body of operation K. */
export type Response200<K extends OperationId> = Spec<K>["responses"] extends {
  200: { content: { "application/json": infer R } };
}
  ? R
  : never;

/** A write that Propexo accepted: follow it with `wait()`. */
export interface WriteJob<R> {
  /** ID of the write job (`meta.job_id`), for `writes.status` and `writes.wait`. */
  readonly jobId: string;
  /** What the API accepted. */
  readonly result: R;
  /** The raw response of the write. */
  readonly response: Response;
  /** The request ID the server sent, if any. */
  readonly requestId: string | undefined;
  /**
   * Polls the job's write status until it settles: resolves on SUCCESS, rejects with
   * WriteFailedError on FAILURE or PARTIAL_SUCCESS, TimeoutError or AbortError.
   */
  wait(options?: WaitOptions): Promise<WriteStatusBody>;
}

type JobResult<K extends OperationId> = Response200<K> extends { result: infer R } ? R : Omit<Response200<K>, "job_id">;
type Item<K extends OperationId> = Response200<K> extends { results: infer R } ? R : never;

/** What operation K's method resolves to. */
export type Result<K extends OperationId> = Row<K>["returns"] extends "job"
  ? WriteJob<JobResult<K>>
  : Row<K>["returns"] extends "item"
    ? Item<K>
    : Response200<K>;

type PathArgs<K extends OperationId> = Row<K>["pathParams"] extends readonly [string]
  ? [id: string]
  : [];
type BodyArgs<K extends OperationId> = Row<K>["body"] extends "required"
  ? [body: Body<K>]
  : Row<K>["body"] extends "optional"
    ? [body?: Body<K>]
    : [];
type QueryArgs<K extends OperationId> = Row<K>["query"] extends true
  ? Row<K>["body"] extends "none"
    ? [query?: Query<K>]
    : []
  : [];

/** The arguments of operation K's method: path parameter, body or query, then options. */
export type Args<K extends OperationId> = [...PathArgs<K>, ...BodyArgs<K>, ...QueryArgs<K>, options?: RequestOptions];

/** The method for operation K. */
export type Method<K extends OperationId> = (
  ...args: Args<K>
) => Row<K>["returns"] extends "page" ? Pager<Item<K> extends readonly (infer T)[] ? T : never> : ApiPromise<Result<K>>;

type Where<K extends OperationId> = Row<K>["vendor"] extends string
  ? [Row<K>["resource"], Row<K>["vendor"], Row<K>["subject"] & string, Row<K>["verb"]]
  : [Row<K>["resource"], Row<K>["verb"]];
type Nest<P, V> = P extends [infer H extends string, ...infer T] ? { readonly [k in H]: Nest<T, V> } : V;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The resource tree: `appointments.<vendor>.<subject>.<verb>`, `appointments.list`, `events.retrieve`, `writes.*`. */
export type ResourceTree = UnionToIntersection<{ [K in OperationId]: Nest<Where<K>, Method<K>> }[OperationId]>;

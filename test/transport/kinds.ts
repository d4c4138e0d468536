// What the hostile-server tests derive from the spec: one operation of each kind (what its
// method returns, and its HTTP method), with arguments valid under the spec, and a way to call
// any of them; plus the forms in which a token can be printed.
import { inspect } from "node:util";
import type { OperationId, Propexo, RequestOptions, WaitOptions } from "../../src/index.js";
import { argsOf, fullInput, methodOf, minimalInput, specOperations, type CallInput } from "../helpers/contract.js";

export interface Kind {
  /** e.g. "page GET", "job (meta) PUT", "body POST (not supported)". */
  name: string;
  /** Where its method sits in the client, e.g. ["appointments", "list"]. */
  where: string[];
  /** The method's arguments before the options, valid under the spec. */
  args: unknown[];
  operationId: OperationId;
  returns: string;
  method: string;
  supported: boolean;
  pathParams: readonly string[];
  /** The write envelope of a job kind: "meta" ({ meta: { job_id }, result }) or "top" ({ job_id, ... }). */
  envelope: string | undefined;
  input: CallInput;
  /** Every input the operation takes (the body's every member), for tests that need a field to spoil. */
  full: CallInput;
}

/** The first operation of the table for each pair of `returns` and HTTP method. */
export function operationKinds(): Kind[] {
  const kinds = new Map<string, Kind>();
  for (const { id, row, op } of specOperations()) {
    // A write's answer comes in one of two envelopes, and the client reads its job ID from each.
    const envelope = (row as { envelope?: string }).envelope;
    const name = `${row.returns}${envelope ? ` (${envelope})` : ""} ${row.method}${row.supported ? "" : " (not supported)"}`;
    if (!kinds.has(name)) {
      const input = minimalInput(op);
      const where = [...row.placement];
      const args = argsOf(row, input, {}).slice(0, -1);
      kinds.set(name, { name, where, args, operationId: id, returns: row.returns, method: row.method, supported: row.supported, pathParams: row.pathParams, envelope, input, full: fullInput(op) });
    }
  }
  return [...kinds.values()];
}

/** Calls a kind's operation through `client` and reads its result: a list's first page, else the result. */
export async function callKind(client: Propexo, kind: Kind, options: RequestOptions = {}, input: CallInput = kind.input): Promise<unknown> {
  return callKindWith(client, kind, kindArgs(kind, input, options));
}

/**
 * The arguments of a kind's method for `input`, options last. A method that takes a body and a
 * query receives them merged in one object: a test that spoils the body spoils that object.
 */
export function kindArgs(kind: Kind, input: CallInput, options: RequestOptions = {}): unknown[] {
  return argsOf(rowOf(kind), input, options);
}

const rowOf = (kind: Kind) => specOperations().find((o) => o.id === kind.operationId)!.row;

/** Calls a kind's method with `args` as they are and reads its result, as callKind does. */
export async function callKindWith(client: Propexo, kind: Kind, args: unknown[]): Promise<unknown> {
  const result = methodOf(client, rowOf(kind))(...args);
  return kind.returns === "page" ? result.firstPage() : result;
}

/** wait() on a write job: polls the write status, the one body the client reads members of. */
export function waitOn(client: Propexo, jobId: string, options: WaitOptions): Promise<unknown> {
  return client.writes.wait(jobId, options);
}

/**
 * How a token can be spelled in what the client prints: as it is, JSON-escaped, quoted by
 * util.inspect (which console.error and Node's crash printout use), percent-encoded.
 */
export function tokenForms(token: string): string[] {
  const percent = encodeURIComponent(token);
  return [...new Set([token, JSON.stringify(token).slice(1, -1), inspect(token).slice(1, -1), percent, percent.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())])];
}

/** The first form of the token found in `text`, if any. */
export function leakIn(text: string, forms: string[]): string | undefined {
  return forms.find((form) => text.includes(form));
}

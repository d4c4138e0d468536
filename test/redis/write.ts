// The call the redis tier sends: a write the spec offers without path parameters, answered with
// { meta: { job_id }, result } as the tier's fake API answers, found in the operation table (the
// body is not checked: clients here run with validate off).
import { operations, type Propexo } from "../../src/index.js";

const [id, row] = Object.entries(operations).find(
  ([, r]) => r.method === "POST" && r.supported && r.pathParams.length === 0 && (r as { envelope?: string }).envelope === "meta",
)!;

/** The operation's id, and its method on `propexo`. */
export function aWrite(propexo: Propexo): { id: string; send: (body: object, options?: object) => Promise<unknown> } {
  const where: readonly string[] = row.placement;
  let method: any = propexo;
  for (const key of where) method = method[key];
  return { id, send: method };
}

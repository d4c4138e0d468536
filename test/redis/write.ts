// The call the redis tier sends: a write the spec offers without path parameters, found in the
// operation table (the body is not checked: clients here run with validate off).
import { operations, type Propexo } from "../../src/index.js";

const [id, row] = Object.entries(operations).find(([, r]) => r.method === "POST" && r.supported && r.pathParams.length === 0)!;

/** The operation's id, and its method on `propexo`. */
export function aWrite(propexo: Propexo): { id: string; send: (body: object, options?: object) => Promise<unknown> } {
  const where: string[] = row.vendor ? [row.resource, row.vendor, row.subject!, row.verb] : [row.resource, row.verb];
  let method: any = propexo;
  for (const key of where) method = method[key];
  return { id, send: method };
}

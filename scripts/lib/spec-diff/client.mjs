// The client's view of a spec: which method each operation becomes, where it sits and what it
// takes and returns, read by the generator's own code so the gate and the client cannot disagree.
import { operationTable } from "../operations.mjs";

/**
 * The client's method table for a spec, as the generator builds it (scripts/lib/operations.mjs),
 * or undefined for a spec the client could not be generated from (no placement marks: another
 * project's spec, or a release from before the client had them).
 */
export function clientTable(doc) {
  try {
    return operationTable(doc);
  } catch {
    return undefined;
  }
}

/** Where a row's method lives in the client: `resource.verb` or `resource.vendor.subject.verb`. */
export const placement = (row) => (row.vendor ? [row.resource, row.vendor, row.subject, row.verb] : [row.resource, row.verb]).join(".");

/**
 * The positional arguments of a row's method, as src/client.ts takes them: one per path
 * parameter, then the body (unless there is none or it is empty, which the client fills in), or
 * else the query; the options come last.
 */
export function argumentList(row) {
  const args = row.pathParams.map(() => "path parameter");
  if (row.body === "required" || row.body === "optional") args.push("body");
  else if (row.body === "none" && row.query) args.push("query");
  return [...args, "options"];
}

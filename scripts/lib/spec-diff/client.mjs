// The client's view of a spec: which method each operation becomes, where it sits and what it
// takes and returns, read by the generator's own code so the gate and the client cannot disagree.
import { operationTable } from "../operations.mjs";

/**
 * The client's method table for a spec, as the generator builds it (scripts/lib/operations.mjs),
 * or undefined for a spec the client could not be generated from (two operations at one spot,
 * an undeclared path parameter, a body field that is also a query parameter).
 */
export function clientTable(doc) {
  try {
    return operationTable(doc);
  } catch {
    return undefined;
  }
}

/** Where a row's method lives in the client, e.g. `appointments.rentmanager.leads.create`. */
export const placement = (row) => row.placement.join(".");

/**
 * The positional arguments of a row's method, as src/client.ts takes them: one per path
 * parameter, then one object (the body, with the query parameters merged in when there are
 * both, or else the query; none when there is neither or the body is empty, which the client
 * fills in); the options come last.
 */
export function argumentList(row) {
  const args = row.pathParams.map(() => "path parameter");
  const query = row.queryParams.length > 0;
  if (row.body === "required" || row.body === "optional") args.push(query ? "body and query" : "body");
  else if (query) args.push("query");
  return [...args, "options"];
}

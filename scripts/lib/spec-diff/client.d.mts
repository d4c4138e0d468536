// Types of client.mjs for the TypeScript tests that import it.

/** One operation's row of the client's method table (generated/operations.ts). */
export interface ClientRow {
  operationId: string;
  method: string;
  path: string;
  resource: string;
  vendor: string | null;
  subject: string | null;
  verb: string;
  supported: boolean;
  pathParams: string[];
  query: boolean;
  body: string;
  returns: string;
}

export function clientTable(doc: unknown): Record<string, ClientRow> | undefined;
export function placement(row: ClientRow): string;
export function argumentList(row: ClientRow): string[];

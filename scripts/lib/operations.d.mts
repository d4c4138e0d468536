// Types of operations.mjs for the TypeScript tests that import it.

/** One row of the operation table (see generated/operations.ts). */
export interface OperationRow {
  operationId: string;
  method: string;
  path: string;
  placement: string[];
  resource: string;
  vendor: string | null;
  subject: string | null;
  verb: string;
  supported: boolean;
  pathParams: string[];
  queryParams: string[];
  body: "none" | "empty" | "required" | "optional";
  returns: "job" | "page" | "item" | "body";
  envelope?: "meta" | "top";
}

export function operationTable(doc: unknown): Record<string, OperationRow>;
export function camelCase(text: string): string;
export function nameOperations<T>(doc: T): T;
export function pmsTimeZones(doc: unknown): Record<string, { name: string; zone: string }>;

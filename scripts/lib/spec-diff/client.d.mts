// Types of client.mjs for the TypeScript tests that import it.
import type { OperationRow } from "../operations.d.mts";

/** One operation's row of the client's method table (generated/operations.ts). */
export type ClientRow = OperationRow;

export function clientTable(doc: unknown): Record<string, ClientRow> | undefined;
export function placement(row: ClientRow): string;
export function argumentList(row: ClientRow): string[];

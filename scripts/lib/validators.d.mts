// Types of validators.mjs for the TypeScript tests that import it.
import type { Schema, SchemaNode } from "../../generated/validation.js";

/** One operation of a document, as listOperations (operations.mjs) yields it. */
export interface OperationEntry {
  path: string;
  method: string;
  op: any;
  item: any;
}

export const KEYWORDS: ReadonlySet<string>;
export const FORMATS: ReadonlyMap<string, string>;
export const ANNOTATIONS: ReadonlySet<string>;

export function schemaReducer(doc: unknown): {
  reduce(schema: unknown, where: string): Schema;
  defs: Map<string, Schema>;
};

export function validationData(
  doc: unknown,
  keyOf?: (entry: OperationEntry) => string,
): {
  requests: Record<string, SchemaNode>;
  webhooks: Record<string, { trigger: string; payload: Schema }>;
  defs: Record<string, Schema>;
  formats: string[];
};

export function validationSource(doc: unknown, header: string, keyOf?: (entry: OperationEntry) => string): string;

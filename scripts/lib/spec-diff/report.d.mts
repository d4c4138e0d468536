// Types of report.mjs for the TypeScript tests that import it.
import type { Finding } from "./diff.mjs";

export interface TypeError {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
  breaking: boolean;
}

export interface TypesResult {
  status: "none" | "passed" | "failed";
  message: string;
  errors: TypeError[];
}

export function formatText(report: { header?: string; findings: readonly Finding[]; types?: TypesResult }): string;
export function changelogEntry(entry: { version: string; date: string; base: string; findings: readonly Finding[]; types?: TypesResult }): string;
export function writeChangelog(file: string, entry: string, version: string): Promise<void>;

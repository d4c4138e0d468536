// Reads the `sl-violations` header that Prism adds when a request or its mocked response breaks
// the spec. Shape as written by @stoplight/prism-http-server (dist/server.js,
// createErrorObjectWithPrefix) from prism-http's validator output.

/** One finding of Prism's validator. */
export interface Violation {
  /**
   * Where: "request" or "response", then "body", "query", "path" or "header" and the JSON path,
   * e.g. ["request", "body", "appointment_time"]. Security faults are just ["request"].
   */
  location: string[];
  /** A DiagnosticSeverity name from @stoplight/types. */
  severity: "Error" | "Warning" | "Information" | "Hint";
  /**
   * The Ajv keyword ("pattern", "required", "additionalProperties", ...) or a status (401, 415);
   * absent for a few of Prism's own findings, such as a status the spec does not declare.
   */
  code?: string | number;
  message: string;
}

const SEVERITIES: readonly Violation["severity"][] = ["Error", "Warning", "Information", "Hint"];
const TRUNCATED = "Too many violations! ";

/** The violations Prism reported for this exchange; [] when the header is absent. */
export function readViolations(response: Response): Violation[] {
  const header = response.headers.get("sl-violations");
  if (header === null) return [];
  // Prism cuts the JSON off at about 8 KB; guessing at the rest would hide real findings.
  if (header.startsWith(TRUNCATED)) {
    throw new Error(`sl-violations was truncated by Prism: ${header.slice(0, 500)}…`);
  }
  const parsed: unknown = JSON.parse(header);
  if (!Array.isArray(parsed) || !parsed.every(isViolation)) {
    throw new Error(`sl-violations does not have the expected shape: ${header}`);
  }
  return parsed;
}

function isViolation(value: unknown): value is Violation {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Array.isArray(v.location) &&
    v.location.every((part) => typeof part === "string") &&
    SEVERITIES.includes(v.severity as Violation["severity"]) &&
    (v.code === undefined || typeof v.code === "string" || typeof v.code === "number") &&
    typeof v.message === "string"
  );
}

// The live contract check: the real client calls the real API through `prism proxy`, which
// validates every request and response against generated/openapi.json; each exchange is also
// checked here (documented status, content type, body schema), because Prism only warns about an
// undocumented status and masks a malformed JSON body behind its own 500. Reads run by default,
// writes only when asked. Run by scripts/contract-live.mjs (through run.live.ts) and tested by
// ../live.test.ts against local upstreams.
import { Propexo, type OperationId } from "../../../src/index.js";
import {
  bodySchemaOf,
  deref,
  invoke,
  parametersOf,
  recordingFetch,
  requestExamples,
  responseValidator,
  specOperations,
  type CallInput,
  type Exchange,
  type SpecOperation,
} from "../../helpers/contract.js";
import { startPrism } from "../../helpers/prism.js";
import { readViolations, type Violation } from "../../helpers/violations.js";

export interface LiveOptions {
  /** The API, e.g. https://api.sandbox.propexo.com. */
  baseUrl: string;
  token: string;
  /** Also send the write operations (they change data in the PMS). */
  writes: boolean;
  /** Where IDs come from: PROPEXO_EVENT_ID, PROPEXO_JOB_ID, PROPEXO_LEAD_ID, ... */
  env: Record<string, string | undefined>;
}

/** One way an exchange breaks the spec. */
export interface Finding {
  /** Where, e.g. "response.body.results.0.x_id", "response" or "request.body.title". */
  where: string;
  /** The broken rule: an Ajv keyword, or "status", "content-type", "json". */
  rule: string;
  message: string;
}

export interface Entry {
  operationId: OperationId;
  method: string;
  /** The path as sent, IDs filled in; the route when nothing was sent. */
  path: string;
  /** ok: sent and conformant; drift: the exchange breaks the spec; error: no usable answer; skipped: not sent. */
  state: "ok" | "drift" | "error" | "skipped";
  status?: number;
  note?: string;
  findings: Finding[];
}

export interface LiveReport {
  baseUrl: string;
  writes: boolean;
  entries: Entry[];
}

/** The environment variable that supplies a path parameter or an ID member of a body. */
export const envName = (name: string) => (name === "root_job_id" ? "PROPEXO_JOB_ID" : `PROPEXO_${name.toUpperCase()}`);

const isIdField = (name: string) => /_id$/.test(name);

export async function checkLive(options: LiveOptions): Promise<LiveReport> {
  const prism = await startPrism({ mode: "proxy", upstream: options.baseUrl });
  try {
    return await checkThrough(prism.url, options);
  } finally {
    await prism.stop();
  }
}

async function checkThrough(proxyUrl: string, options: LiveOptions): Promise<LiveReport> {
  const recorder = recordingFetch();
  const client = new Propexo({ token: options.token, baseUrl: proxyUrl, fetch: recorder.fetch, maxRetries: 0, logLevel: "off" });
  // IDs that earlier answers handed out, for the reads that need one. Writes never use these:
  // a write acts only on IDs it was given.
  const found = new Map<string, string>();
  const entries: Entry[] = [];

  for (const o of specOperations()) {
    const { row } = o;
    const entry: Entry = { operationId: o.id, method: row.method, path: row.path, state: "skipped", findings: [] };
    entries.push(entry);
    const read = row.method === "GET";
    if (!row.supported) {
      entry.note = "not supported by the PMS; the client refuses it without sending anything";
      continue;
    }
    if (!read && !options.writes) {
      entry.note = "a write; pass --writes to check it";
      continue;
    }
    const input = inputFor(o, options.env, read ? found : new Map());
    if ("missing" in input) {
      entry.note = `needs ${input.missing.map(envName).join(", ")}${read ? " (or an earlier answer that names one)" : ""}`;
      continue;
    }

    const before = recorder.exchanges.length;
    const outcome = await invoke(client, row, input);
    const exchange = recorder.exchanges[before];
    if (!exchange) {
      entry.state = "error";
      entry.note = `nothing was sent: ${outcome.ok ? "no request" : String(outcome.error)}`;
      continue;
    }
    entry.path = exchange.url.pathname + exchange.url.search;
    entry.status = exchange.status;
    judge(o, exchange, entry);
    if (!outcome.ok && entry.state !== "error") {
      const error = outcome.error as Error;
      entry.note = entry.state === "ok" ? `a documented answer: ${error.message}` : `the client threw ${error.name}: ${error.message}`;
    }
    if (entry.state === "ok" && outcome.ok) harvest(o, outcome.data, found);
  }
  return { baseUrl: options.baseUrl, writes: options.writes, entries };
}

/** The call's inputs: IDs from the environment (reads also from earlier answers), the rest from the spec's examples. */
function inputFor(o: SpecOperation, env: LiveOptions["env"], found: Map<string, string>): { missing: string[] } | CallInput {
  const missing: string[] = [];
  const path: Record<string, unknown> = {};
  for (const p of parametersOf(o.op).filter((p) => p.in === "path")) {
    const value = env[envName(p.name)] ?? found.get(p.name);
    if (value === undefined) missing.push(p.name);
    path[p.name] = value;
  }
  let body: Record<string, unknown> | undefined;
  const kind: string = o.row.body;
  if (kind === "required" || kind === "optional") {
    const schema = bodySchemaOf(o.op);
    const required: string[] = schema?.required ?? [];
    body = { ...((requestExamples(o.op)[0]?.[1] ?? {}) as Record<string, unknown>) };
    for (const name of Object.keys(schema?.properties ?? {}).filter(isIdField)) {
      const value = env[envName(name)];
      // An example's ID names nothing in a real PMS: the field is dropped unless it is required.
      if (value !== undefined) body[name] = value;
      else if (required.includes(name)) missing.push(name);
      else delete body[name];
    }
  }
  if (missing.length > 0) return { missing };
  return { path, ...(body && { body }) };
}

/** Reads need IDs: appointments are events, so a listed appointment's id is an event_id; a write's job ID is a root_job_id. */
function harvest(o: SpecOperation, data: any, found: Map<string, string>) {
  if (o.row.returns === "page" && typeof data?.results?.[0]?.id === "string" && !found.has("event_id")) found.set("event_id", data.results[0].id);
  if (o.row.returns === "job" && typeof data?.jobId === "string" && data.jobId !== "" && !found.has("root_job_id")) found.set("root_job_id", data.jobId);
}

/** Sets the entry's state and findings from one exchange. */
function judge(o: SpecOperation, exchange: Exchange, entry: Entry) {
  const contentType = exchange.response.headers.get("content-type") ?? "";
  // Prism answers for itself, in problem+json, when it could not get or read the upstream's answer.
  if (exchange.status >= 500 && contentType.startsWith("application/problem+json")) {
    const problem = parse(exchange.text) as { type?: string; title?: string } | undefined;
    if (problem?.type === "FetchError" && /invalid json/i.test(problem.title ?? "")) {
      entry.state = "drift";
      entry.findings.push({ where: "response.body", rule: "json", message: `the API's body is not valid JSON (${problem.title})` });
      return;
    }
    if (problem?.type === "FetchError") {
      entry.state = "error";
      entry.note = `Prism could not reach the API: ${problem.title}`;
      return;
    }
  }
  if (exchange.status === 401) {
    entry.state = "error";
    entry.note = "the API refused the token (401)";
    return;
  }
  // Own findings first: where both name the same fault, theirs say more (the status, the body).
  const findings = ownFindings(o, exchange, contentType);
  try {
    findings.push(...readViolations(exchange.response).map(fromViolation));
  } catch (error) {
    findings.push({ where: "response", rule: "sl-violations", message: (error as Error).message });
  }
  const seen = new Set<string>();
  entry.findings = findings.filter((f) => !seen.has(`${f.where} ${f.rule}`) && seen.add(`${f.where} ${f.rule}`));
  entry.state = entry.findings.length > 0 ? "drift" : "ok";
}

function fromViolation(v: Violation): Finding {
  const member =
    v.code === "required" ? /required property '([\s\S]*)'$/.exec(v.message)?.[1]
    : v.code === "additionalProperties" ? /found '([\s\S]*)'$/.exec(v.message)?.[1]
    : undefined;
  const where = [...v.location, ...(member === undefined ? [] : [member])].join(".");
  // Prism gives its status and media-type findings no code; name them like ownFindings does.
  const rule =
    v.code !== undefined ? String(v.code)
    : /status code/i.test(v.message) ? "status"
    : /media type/i.test(v.message) ? "content-type"
    : v.severity.toLowerCase();
  return { where, rule, message: v.message };
}

/** The documented status, content type and body schema, checked without Prism. */
function ownFindings(o: SpecOperation, exchange: Exchange, contentType: string): Finding[] {
  const status = String(exchange.status);
  const declared = Object.keys(o.op.responses);
  if (!declared.includes(status)) {
    const body = exchange.text === "" ? "(empty)" : exchange.text.length > 200 ? `${exchange.text.slice(0, 200)}…` : exchange.text;
    return [{ where: "response", rule: "status", message: `status ${status} is not documented (documented: ${declared.join(", ")}); body: ${body}` }];
  }
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  const content = Object.keys(deref(o.op.responses[status]).content ?? {});
  if (content.length === 0) return [];
  if (!content.includes(media)) {
    return [{ where: "response", rule: "content-type", message: `content type "${media}" is not the documented ${content.join(", ")}` }];
  }
  const body = parse(exchange.text);
  if (body === undefined) return [{ where: "response.body", rule: "json", message: "the body is not valid JSON" }];
  const validate = responseValidator(o.row, status);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => {
    const member = (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (e.params as { additionalProperty?: string }).additionalProperty;
    const where = ["response", "body", ...e.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")), ...(member === undefined ? [] : [member])].join(".");
    return { where, rule: e.keyword, message: e.message ?? e.keyword };
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The report as text: one line per operation, one indented line per finding. */
export function formatReport(report: LiveReport): string {
  const mode = report.writes ? "reads and writes" : "reads only; pass --writes to include writes";
  const lines = [`Live contract check of ${report.baseUrl} (${mode}), through a Prism proxy validating against generated/openapi.json`, ""];
  const idWidth = Math.max(...report.entries.map((e) => e.operationId.length));
  for (const e of report.entries) {
    const label = { ok: "ok", drift: "DRIFT", error: "ERROR", skipped: "skipped" }[e.state].padEnd(8);
    const status = e.status === undefined ? "" : ` → ${e.status}`;
    lines.push(`  ${label} ${e.operationId.padEnd(idWidth)}  ${e.method} ${e.path}${status}${e.note ? `  (${e.note})` : ""}`);
    for (const f of e.findings) lines.push(`             ${f.where}  ${f.rule}: ${f.message}`);
  }
  const count = (state: Entry["state"]) => report.entries.filter((e) => e.state === state).length;
  lines.push("");
  lines.push(
    count("drift") > 0 ? `DRIFT: ${count("drift")} operation(s) answered differently from the spec.`
    : count("error") > 0 ? `ERROR: ${count("error")} operation(s) could not be checked.`
    : "OK: every checked answer matches the spec.",
  );
  lines.push(`${count("ok")} conformant, ${count("drift")} drifted, ${count("error")} not checkable, ${count("skipped")} skipped.`);
  return lines.join("\n");
}

/** 1 when anything drifted, 2 when something could not be checked, else 0. */
export function exitCodeOf(report: LiveReport): 0 | 1 | 2 {
  if (report.entries.some((e) => e.state === "drift")) return 1;
  if (report.entries.some((e) => e.state === "error")) return 2;
  return 0;
}

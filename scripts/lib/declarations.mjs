// The client's method declarations, one per operation, for readers and editors: the runtime stays
// table-driven (src/client.ts turns generated/operations.ts into methods), but a mapped type that
// computes the whole surface is opaque in a hover, in go-to-definition and in TypeDoc. So this
// writes generated/client.ts: an interface per namespace of the client, each method with the
// spec's summary and description, its route, parameters, an example from the spec's examples,
// the errors it can raise and its deprecation; and named types for each operation's parameters
// and result. A type test checks that every declaration equals the table-driven types.
import { deref, listOperations } from "./operations.mjs";

const COMPONENT = /^#\/components\/schemas\/(.+)$/;

/** `list`, `appointments` → `List`, `Appointments`. */
const pascal = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** Text safe inside a JSDoc block: no comment terminator, every line starred. */
function jsdoc(lines, indent) {
  const body = lines
    .join("\n")
    .replace(/\*\//g, "*\\/")
    .split("\n")
    .map((l) => `${indent} *${l ? ` ${l}` : ""}`);
  return `${indent}/**\n${body.join("\n")}\n${indent} */`;
}

/** A value as a JavaScript literal, keys unquoted where they can be, for @example blocks. */
function literal(value, indent = "") {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${value.map((v) => literal(v, indent)).join(", ")}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${literal(v, inner)},`).join("\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** The spec's type of a JSON schema node at `where`: a named component when it is one. */
function typeAt(schema, fallback) {
  const m = schema && typeof schema.$ref === "string" ? COMPONENT.exec(schema.$ref) : null;
  return m ? `components["schemas"][${JSON.stringify(m[1])}]` : fallback;
}

/** The error classes a call can raise, from the statuses the spec documents and what the client adds. */
function throwsOf(op, row) {
  const statuses = Object.keys(op.responses ?? {}).filter((s) => /^[45]\d\d$/.test(s));
  const byStatus = {
    400: "BadRequestError — the API refused the request",
    401: "AuthenticationError — the token is missing or was not accepted",
    403: "PermissionDeniedError — the token may not do this",
    404: "NotFoundError — no such resource",
    405: "UnsupportedOperationError — the PMS cannot do this",
    429: "RateLimitError — the rate limit was still exceeded after the retries",
  };
  const lines = ["RequestValidationError — the call breaks the spec; nothing was sent"];
  for (const s of statuses) if (byStatus[s]) lines.push(byStatus[s]);
  if (statuses.some((s) => s.startsWith("5"))) lines.push("InternalServerError — the API failed after the retries");
  lines.push("ConnectionError, TimeoutError — no answer, after the retries that are safe for a " + row.method);
  lines.push("AbortError — `options.signal` fired");
  return lines.map((l) => {
    const [names, why] = l.split(" — ");
    return `@throws ${names.split(", ").map((n) => `{@link ${n}}`).join(", ")} ${why}`;
  });
}

/**
 * TypeScript source of generated/client.ts for the bundled `doc`, its operation `table` and the
 * write-status operation (beside which `wait` is declared).
 */
export function declarationsSource(doc, table, writeStatus, header) {
  const entries = new Map(listOperations(doc).map((e) => [`${e.method.toUpperCase()} ${e.path}`, e]));
  const aliases = [];
  /** Namespace tree: path key → { methods: string[], children: Set<string> }. */
  const nodes = new Map([["", { name: "PropexoResources", methods: [], children: new Set() }]]);
  const nodeFor = (keys) => {
    for (let i = 1; i <= keys.length; i++) {
      const id = keys.slice(0, i).join(".");
      if (!nodes.has(id)) nodes.set(id, { name: `${keys.slice(0, i).map(pascal).join("")}Resource`, keys: keys.slice(0, i), methods: [], children: new Set() });
      nodes.get(keys.slice(0, i - 1).join(".")).children.add(keys[i - 1]);
    }
    return nodes.get(keys.join("."));
  };

  for (const row of Object.values(table)) {
    const { op, item } = entries.get(`${row.method} ${row.path}`);
    const id = row.operationId;
    const Id = pascal(id);
    const spec = `operations[${JSON.stringify(id)}]`;
    const placement = row.placement;
    const verb = placement.at(-1);
    const node = nodeFor(placement.slice(0, -1));
    const call = `propexo.${placement.join(".")}`;
    const route = `\`${row.method} ${row.path}\``;
    const docLines = [op.summary ?? `${row.method} ${row.path}`, ""];
    if (op.description) docLines.push(op.description.trim(), "");
    docLines.push(`Route: ${route}.`);

    if (!row.supported) {
      const why = `Not supported: Propexo always answers 405 to ${row.method} ${row.path} because the PMS cannot do this`;
      docLines.push("", `Not supported by the PMS: Propexo always answers 405. The call does not compile; at run time it rejects with {@link UnsupportedOperationError} and sends nothing.`);
      node.methods.push(`${jsdoc(docLines, "  ")}\n  ${verb}(this: ${JSON.stringify(why)}, ...args: never[]): never;`);
      continue;
    }

    // Named types: parameters, result, and the item of a list.
    const bodyMedia = deref(doc, op.requestBody)?.content?.["application/json"];
    const body = typeAt(bodyMedia?.schema, `NonNullable<${spec}["requestBody"]>["content"]["application/json"]`);
    const query = `NonNullable<${spec}["parameters"]["query"]>`;
    const takesBody = row.body === "required" || row.body === "optional";
    const paramsType = takesBody ? (row.queryParams.length ? `${body} & ${query}` : body) : row.queryParams.length ? query : null;
    const okCode = Object.keys(op.responses ?? {}).filter((c) => /^2\d\d$/.test(c)).sort()[0];
    const okSchema = deref(doc, op.responses?.[okCode])?.content?.["application/json"]?.schema;
    const response = okSchema ? typeAt(okSchema, `${spec}["responses"][${okCode}]["content"]["application/json"]`) : "unknown";
    let result;
    let returns;
    if (row.returns === "job") {
      result = `WriteJob<${row.envelope === "meta" ? `${response}["result"]` : response}>`;
      returns = `ApiPromise<${Id}Result>`;
    } else if (row.returns === "page") {
      aliases.push(`/** One item of \`${call}()\`'s pages. */\nexport type ${Id}Item = ${response}["results"][number];`);
      result = `Pager<${Id}Item>`;
      returns = `${Id}Result`;
    } else if (row.returns === "item") {
      result = `${response}["results"]`;
      returns = `ApiPromise<${Id}Result>`;
    } else {
      result = response;
      returns = `ApiPromise<${Id}Result>`;
    }
    if (paramsType) aliases.push(`/** The ${takesBody ? (row.queryParams.length ? "body fields and query parameters" : "request body") : "query parameters"} of \`${call}()\`. */\nexport type ${Id}Params = ${paramsType};`);
    aliases.push(`/** What \`${call}()\` resolves to${row.returns === "page" ? " (a lazy pager over every page)" : row.returns === "job" ? " (a write job to follow with `wait()`)" : ""}. */\nexport type ${Id}Result = ${result};`);

    // Parameters: path parameters by name and in path order, then the object, then options.
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p));
    const args = [];
    for (const name of row.pathParams) {
      const p = params.find((x) => x.in === "path" && x.name === name);
      args.push(`${name}: string`);
      docLines.push(`@param ${name} - ${(p?.description ?? "Path parameter.").trim().replace(/\n/g, " ")}`);
    }
    if (paramsType) {
      const schemaOf = bodyMedia?.schema ? deref(doc, bodyMedia.schema) : undefined;
      const requiredQuery = params.some((p) => p.in === "query" && p.required);
      const required = row.body === "required" || (!takesBody && requiredQuery) || (takesBody && row.body === "required");
      const pname = takesBody ? "body" : "query";
      args.push(`${pname}${required ? "" : "?"}: ${Id}Params`);
      const what = takesBody
        ? `${(schemaOf?.description ?? "The request body.").trim().replace(/\n/g, " ")}${row.queryParams.length ? ` Also takes the query parameters ${row.queryParams.map((q) => `\`${q}\``).join(", ")}.` : ""}`
        : `Query parameters: ${row.queryParams.map((q) => `\`${q}\``).join(", ")}.`;
      docLines.push(`@param ${pname} - ${what}`);
    }
    args.push("options?: RequestOptions");
    docLines.push(`@param options - Per-call settings: \`signal\`, \`timeoutMs\`, \`maxRetries\`, \`headers\` (over the client's \`defaultHeaders\`), \`maxResponseBytes\`, \`fetchOptions\` (passed through to the transport).${row.returns === "page" ? " They apply to every page." : ""}`);
    const returnsText =
      row.returns === "job"
        ? "A write job: `jobId`, the accepted `result`, and `wait()` to follow it to SUCCESS or FAILURE."
        : row.returns === "page"
          ? "A lazy pager: iterate it with `for await`, or call `firstPage()` or `pages()`; nothing is sent until then."
          : "The result, with `.withResponse()` for the raw response and request ID, or `.asResponse()` for the response as soon as its headers arrive, body unread.";
    docLines.push(`@returns ${returnsText}`);
    docLines.push(...throwsOf(op, row));
    const example = exampleOf(doc, op, row, params, call, takesBody);
    if (example) docLines.push("@example", "```ts", ...example.split("\n"), "```");
    if (op.deprecated) docLines.push(`@deprecated ${op["x-deprecated-reason"] ?? "The spec marks this operation deprecated."}`);
    node.methods.push(`${jsdoc(docLines, "  ")}\n  ${verb}(${args.join(", ")}): ${returns};`);
  }

  if (writeStatus) {
    const where = table[writeStatus].placement.slice(0, -1);
    const node = nodeFor(where);
    node.methods.push(`${jsdoc([
      "Polls a write job's status until it settles.",
      "",
      `Polls \`${table[writeStatus].method} ${table[writeStatus].path}\` with growing gaps (250 ms, then ×1.5 up to 5 s).`,
      "@param jobId - The `jobId` of a write job.",
      "@param options - `timeoutMs` (default 5 minutes), `signal`, the polling gaps, and `requestOptions` for every status poll (e.g. `headers`).",
      "@returns The write status once it is SUCCESS.",
      "@throws {@link WriteFailedError} the job settled as FAILURE or PARTIAL_SUCCESS",
      "@throws {@link TimeoutError} the job had not settled within `timeoutMs`",
      "@throws {@link AbortError} `options.signal` fired",
      "@example",
      "```ts",
      `const status = await propexo.${[...where, "wait"].join(".")}(job.jobId, { timeoutMs: 120_000 });`,
      "```",
    ], "  ")}\n  wait(jobId: string, options?: WaitOptions): Promise<WriteStatusBody>;`);
  }

  const interfaces = [...nodes.values()].map((node) => {
    const title = node.keys ? `\`propexo.${node.keys.join(".")}\`` : "The client's resources";
    const members = [
      ...[...node.children].map((k) => `  /** \`propexo.${[...(node.keys ?? []), k].join(".")}\` */\n  readonly ${k}: ${nodes.get([...(node.keys ?? []), k].join(".")).name};`),
      ...node.methods,
    ];
    return `${jsdoc([`${title}.`], "")}\nexport interface ${node.name} {\n${members.join("\n\n")}\n}`;
  });

  return `${header}
import type { components, operations } from "./schema.js";
import type { ApiPromise } from "../src/core/api-promise.js";
import type { Pager } from "../src/core/pagination.js";
import type { RequestOptions } from "../src/core/request.js";
import type { WriteJob } from "../src/core/types.js";
import type { WaitOptions, WriteStatusBody } from "../src/core/write-jobs.js";
// For the {@link} tags of the method docs.
import type {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RequestValidationError,
  TimeoutError,
  UnsupportedOperationError,
  WriteFailedError,
} from "../src/core/errors.js";

${interfaces.join("\n\n")}

${aliases.join("\n\n")}
`;
}

/** An @example call from the operation's first request example and its parameters' examples. */
function exampleOf(doc, op, row, params, call, takesBody) {
  const args = [];
  for (const name of row.pathParams) {
    const p = params.find((x) => x.in === "path" && x.name === name);
    const ex = Object.values(p?.examples ?? {}).map((e) => deref(doc, e).value)[0] ?? p?.example ?? p?.schema?.example ?? `${name}`;
    args.push(JSON.stringify(String(ex)));
  }
  if (takesBody) {
    const media = deref(doc, op.requestBody)?.content?.["application/json"];
    const ex = Object.values(media?.examples ?? {}).map((e) => deref(doc, e).value)[0] ?? media?.example;
    if (ex !== undefined && !(ex && typeof ex === "object" && Object.keys(ex).length === 0 && row.body !== "required")) args.push(literal(ex));
    else if (row.body === "required") args.push("{ /* … */ }");
  }
  const lead = row.returns === "job" ? "const job = await " : row.returns === "page" ? "for await (const item of " : "const result = await ";
  const text = `${lead}${call}(${args.join(", ")})`;
  if (row.returns === "page") return `${text}) {\n  console.log(item);\n}`;
  return `${text};${row.returns === "job" ? "\nawait job.wait();" : ""}`;
}

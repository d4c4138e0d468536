// Typed calls, one or two per operation, emitted as TypeScript source from a document and its
// operation table, so that the compiler checks every method's types with the arguments the
// runtime is then called with. A method whose types and runtime disagree (a path parameter the
// types drop, a body they misname) fails to compile here or fails against Prism afterwards.
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import ts from "typescript";
import { inputsFor, type CallInput } from "./inputs.js";
import { ROOT, GENERATE, operationsOf } from "./project.js";
import { run, said } from "./run.js";

/** The facts of an operation row that the emitter needs (see generated/operations.ts). */
export interface RowLike {
  operationId: string;
  method: string;
  path: string;
  placement: readonly string[];
  supported: boolean;
  pathParams: readonly string[];
  queryParams: readonly string[];
  body: string;
  returns: string;
  envelope?: string;
}

/** One emitted call: which operation, with which input, under which key of `calls`. */
export interface TypedCall {
  key: string;
  row: RowLike;
  input: CallInput;
}

/** The method's arguments as source: path values, then the one object, as literals. */
export function argumentSource(row: RowLike, input: CallInput): string[] {
  const args = row.pathParams.map((name) => JSON.stringify(String(input.path[name])));
  const takesBody = row.body === "required" || row.body === "optional";
  // Whenever the method takes the object, it is passed (if only as {}), so that the options
  // always sit in the options position.
  if (takesBody) args.push(JSON.stringify({ ...(input.body as object), ...input.query }));
  else if (row.queryParams.length > 0) args.push(JSON.stringify(input.query ?? {}));
  return args;
}

/**
 * The calls for every supported operation of `table` (or those `pick` keeps): with the required
 * inputs and with every input, made from `doc`'s examples and schemas.
 */
export function typedCalls(doc: any, table: Record<string, RowLike>, pick: (row: RowLike) => boolean = () => true): TypedCall[] {
  const inputs = inputsFor(doc);
  const ops = new Map(operationsOf(doc).map((o) => [`${o.method} ${o.path}`, o]));
  const calls: TypedCall[] = [];
  for (const row of Object.values(table)) {
    if (!row.supported || !pick(row)) continue;
    const found = ops.get(`${row.method} ${row.path}`);
    if (!found) throw new Error(`${row.operationId}: ${row.method} ${row.path} is not in the document`);
    const item = doc.paths[row.path];
    calls.push({ key: `${row.operationId} minimal`, row, input: inputs.minimalInput(found.op, item) });
    calls.push({ key: `${row.operationId} full`, row, input: inputs.fullInput(found.op, item) });
  }
  return calls;
}

/**
 * TypeScript source of a module exporting `calls`: key → (client, options) => the method's result.
 * With `typedResults`, each entry keeps its method's own result type (key → () => the result, on a
 * declared client), for type tests of what the methods return; such a module is never run.
 */
export function typedCallsSource(calls: TypedCall[], clientModule: string, { typedResults = false } = {}): string {
  const lines = calls.map(({ key, row, input }) => {
    const access = row.placement.map((k) => `.${k}`).join("");
    const args = [...argumentSource(row, input), "options"].join(", ");
    return `  ${JSON.stringify(key)}: (${typedResults ? "" : "client, options"}) => client${access}(${args}),`;
  });
  const head = `// Emitted by test/helpers/typed-calls.ts; one typed call per line.
import type { Propexo, RequestOptions } from ${JSON.stringify(clientModule)};
`;
  return typedResults
    ? `${head}\ndeclare const client: Propexo;\ndeclare const options: RequestOptions;\nexport const calls = {\n${lines.join("\n")}\n};\n`
    : `${head}\nexport const calls: Record<string, (client: Propexo, options: RequestOptions) => unknown> = {\n${lines.join("\n")}\n};\n`;
}

/**
 * Type-checks `files` and every TypeScript file they import, except generated ones, with the
 * project's compiler options; resolves to the diagnostics as text. Generated files are read for
 * their types but not checked line by line (a whole published document's schema.ts is 1.4 MB).
 */
export function typeCheck(files: string[]): string[] {
  const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true, typeRoots: [join(ROOT, "node_modules", "@types")] });
  const checked = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !/[\\/]generated[\\/]/.test(f.fileName));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...checked.flatMap((f) => program.getSemanticDiagnostics(f)),
  ];
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
}

/** Bundles `entry` (TypeScript) for Node, resolving packages from this project, and imports it. */
export async function importBundled<T>(entry: string): Promise<T> {
  const outfile = entry.replace(/\.ts$/, ".bundle.mjs");
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    nodePaths: [join(ROOT, "node_modules")],
    logLevel: "error",
  });
  return (await import(pathToFileURL(outfile).href)) as T;
}

/** A scratch folder; removed by `dispose`. */
export async function scratchDir(prefix: string): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Generates the client for another document into `dir`: `npm run generate -- --spec FILE --out
 * dir/generated`, beside a copy of src/, so the client's own sources compile against that output.
 * Resolves to the generator's output (step times and lint findings).
 */
export async function generateClientFor(specFile: string, dir: string): Promise<string> {
  const res = await run(process.execPath, [GENERATE, "--spec", specFile, "--out", join(dir, "generated")]);
  if (res.code !== 0) throw new Error(`generate --spec ${specFile} failed\n${said(res)}`);
  await copyClientSources(dir);
  return res.stdout + res.stderr;
}

/** Copies src/ into `dir` and links this project's node_modules there, so the copy resolves its imports. */
export async function copyClientSources(dir: string): Promise<void> {
  await cp(join(ROOT, "src"), join(dir, "src"), { recursive: true });
  await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
}

/** Writes the typed calls for `calls` into `dir/calls.ts` (or `name`), importing the client at `clientModule`. */
export async function writeCalls(dir: string, calls: TypedCall[], clientModule: string, { typedResults = false, name = "calls.ts" } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  await writeFile(file, typedCallsSource(calls, clientModule, { typedResults }));
  return file;
}

/** What `calls[key]` came to: the data the method resolved to, and the response it came in. */
export async function callThrough(fn: () => unknown, row: RowLike): Promise<{ data: unknown; response: Response }> {
  const result: any = fn();
  if (row.returns === "page") {
    const page = await result.firstPage();
    return { data: { meta: page.meta, results: page.results }, response: page.response };
  }
  const { data, response } = await result.withResponse();
  if (row.returns !== "job") return { data, response };
  if (typeof data?.wait !== "function") throw new Error(`${row.operationId}: not a write job: ${JSON.stringify(data)}`);
  return { data: { jobId: data.jobId, result: data.result }, response };
}

/** The operation table a generator run wrote to `generatedDir/operations.ts`. */
export async function readTable(generatedDir: string): Promise<Record<string, RowLike>> {
  const source = await readFile(join(generatedDir, "operations.ts"), "utf8");
  const m = /export const operations = ([\s\S]*?) as const;/.exec(source);
  if (!m) throw new Error(`no operation table in ${generatedDir}/operations.ts`);
  return JSON.parse(m[1]!);
}

// The files of the three consumer projects that consumers.test.ts installs the packed library
// into. They are strings rather than files under test/ because the repository's own tsc run
// would otherwise pick them up and resolve "propexo-appointments" against this checkout; here
// they only ever see the installed tarball, as a stranger's project would.
//
// Each program prints one `<step> <facts>` line per step, which the test compares with the spec's
// examples (what Prism answers). Each type check carries `@ts-expect-error` lines: should the
// published declarations lose their precision (say, degrade to `any`), the directives go unused
// and tsc fails.

const IDS = `const integration_id = "clwktsp9v000008l31iv218hn";
const lead_id = "clx2a9q1c000308l1bq5d7e2f";`;

/** What both Node projects compile with: nodenext, strict, and the package's own declarations checked. */
const nodeCompilerOptions = {
  target: "ES2022",
  // No DOM: a Node project sees fetch, Request and Response only through @types/node.
  lib: ["ES2022"],
  module: "nodenext",
  moduleResolution: "nodenext",
  strict: true,
  // The package's declaration files are checked too, under these settings.
  skipLibCheck: false,
  types: ["node"],
};

/** Node, ESM, TypeScript with module/moduleResolution nodenext and a strict configuration. */
export const esmProject: Record<string, string> = {
  "package.json": JSON.stringify({ name: "esm-consumer", private: true, type: "module" }, null, 2),
  "tsconfig.json": JSON.stringify(
    {
      compilerOptions: {
        ...nodeCompilerOptions,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        outDir: "dist",
        rootDir: "src",
      },
      include: ["src"],
    },
    null,
    2,
  ),
  "src/main.ts": `import { Propexo, type WriteStatusBody } from "propexo-appointments";
import { nodeTransport } from "propexo-appointments/node";
import { sharedRateLimit } from "propexo-appointments/redis";
import { createClient } from "redis";

${IDS}

const baseUrl = process.argv[2];
if (!baseUrl) throw new Error("usage: node dist/main.js <base URL>");
const propexo = new Propexo({ token: "esm-consumer-token", baseUrl, rateLimit: false, logLevel: "off" });

console.log(\`entry \${import.meta.resolve("propexo-appointments")}\`);
const job = await propexo.appointments.rentmanager.leads.create({
  integration_id,
  lead_id,
  appointment_date: "2024-07-20",
  appointment_time: "09:15:00",
  appointment_duration_minutes: 45,
  title: "Tour",
});
console.log(\`create \${job.jobId} \${job.result.title}\`);
const status: WriteStatusBody = await job.wait({ timeoutMs: 10_000 });
console.log(\`wait \${status.write_status} \${status.created_record_id}\`);
const ids: string[] = [];
for await (const appointment of propexo.appointments.list({ integration_id })) ids.push(appointment.id);
console.log(\`list \${ids.join(",")}\`);
const first = ids[0];
if (first === undefined) throw new Error("the list was empty");
const event = await propexo.events.retrieve(first);
console.log(\`retrieve \${event.id} \${event.event_name}\`);

// The opt-in Node transport (undici's pools), from the ./node entry of the exports map.
console.log(\`node-entry \${import.meta.resolve("propexo-appointments/node")}\`);
const viaUndici = new Propexo({ token: "esm-consumer-token", baseUrl, rateLimit: false, logLevel: "off", ...nodeTransport({ connections: 2 }) });
const again = await viaUndici.events.retrieve(first);
console.log(\`transport \${again.id}\`);

// The opt-in shared pacer, from the ./redis entry, typed against a real node-redis client
// (never connected: this program has no Redis, and only builds the factory).
const redis = createClient();
const shared = sharedRateLimit({ redis, secret: "consumer-secret-0123456789abcdef0123" });
new Propexo({ token: "esm-consumer-token", baseUrl, rateLimit: shared, logLevel: "off" });
console.log(\`redis-entry \${import.meta.resolve("propexo-appointments/redis")} \${typeof shared}\`);

// Never called: every marked line must be a compile error.
export function mistakes(p: Propexo): void {
  // @ts-expect-error Rent Manager lead appointments need a title.
  void p.appointments.rentmanager.leads.create({ integration_id, lead_id, appointment_date: "2024-07-20", appointment_time: "09:15:00", appointment_duration_minutes: 45 });
  // @ts-expect-error ResMan has no resident appointments.
  void p.appointments.resman.residents.create({ integration_id });
  // @ts-expect-error The duration is a number of minutes.
  void p.appointments.rentmanager.leads.update("evt", { appointment_date: "2024-07-20", appointment_time: "09:15:00", appointment_duration_minutes: "45", title: "Tour" });
  // @ts-expect-error An update names the event it changes.
  void p.appointments.resman.leads.update({ appointment_date: "2024-07-20", appointment_time: "09:15:00" });
  // @ts-expect-error The transport's connection count is a number.
  void nodeTransport({ connections: "2" });
  // @ts-expect-error The shared pacer needs the deployment's secret.
  void sharedRateLimit({ redis: createClient() });
}
`,
};

/** Node, CommonJS: a plain require() script, and a .cts file type-checked under nodenext. */
export const cjsProject: Record<string, string> = {
  "package.json": JSON.stringify({ name: "cjs-consumer", private: true, type: "commonjs" }, null, 2),
  "tsconfig.json": JSON.stringify(
    {
      compilerOptions: {
        ...nodeCompilerOptions,
        resolveJsonModule: true,
        noEmit: true,
      },
      include: ["check.cts"],
    },
    null,
    2,
  ),
  "main.cjs": `"use strict";
const { Propexo, RequestValidationError, UnsupportedOperationError } = require("propexo-appointments");
const spec = require("propexo-appointments/openapi.json");
const { nodeTransport } = require("propexo-appointments/node");
const { sharedRateLimit } = require("propexo-appointments/redis");

${IDS}

async function main(baseUrl) {
  console.log(\`entry \${require.resolve("propexo-appointments")}\`);
  const methods = ["get", "put", "post", "delete", "patch"];
  const operations = Object.values(spec.paths).flatMap((item) => methods.filter((method) => item[method]));
  console.log(\`spec \${spec.openapi} \${operations.length}\`);
  console.log(\`supports \${Propexo.supports("resman", "leads", "cancel")} \${Propexo.supports("rentmanager", "leads", "cancel")}\`);

  const propexo = new Propexo({ token: "cjs-consumer-token", baseUrl, rateLimit: false, logLevel: "off" });
  const job = await propexo.appointments.resman.leads.create({
    integration_id,
    lead_id,
    lead_source_id: "clx2aa0m4000408l1c8h3g4k5",
    appointment_date: "2024-07-18",
    appointment_time: "14:00:00",
  });
  const status = await propexo.writes.wait(job.jobId, { timeoutMs: 10_000 });
  console.log(\`create \${job.jobId} \${status.write_status}\`);
  try {
    await propexo.appointments.resman.leads.update("evt", { appointment_date: "2024-01-15", appointment_time: "9:30" });
    console.log("refused nothing");
  } catch (error) {
    console.log(\`refused \${error instanceof RequestValidationError} \${error.issues.map((issue) => issue.path).join(",")}\`);
  }
  try {
    await propexo.appointments.resman.leads.cancel();
    console.log("unsupported nothing");
  } catch (error) {
    console.log(\`unsupported \${error instanceof UnsupportedOperationError}\`);
  }
  console.log(\`node-entry \${require.resolve("propexo-appointments/node")}\`);
  const viaUndici = new Propexo({ token: "cjs-consumer-token", baseUrl, rateLimit: false, logLevel: "off", ...nodeTransport() });
  const again = await viaUndici.writes.status(job.jobId);
  console.log(\`transport \${again.write_status}\`);
  const stub = { evalSha: async () => [], eval: async () => [] };
  const shared = sharedRateLimit({ redis: stub, secret: "consumer-secret-0123456789abcdef0123" });
  console.log(\`redis-entry \${require.resolve("propexo-appointments/redis")} \${typeof shared}\`);
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`,
  "check.cts": `import { Propexo, RequestValidationError } from "propexo-appointments";
import { sharedRateLimit, type SharedRateLimitOptions } from "propexo-appointments/redis";
import { createClient } from "redis";
import spec = require("propexo-appointments/openapi.json");

${IDS}

export const openapi: string = spec.openapi;

export async function book(propexo: Propexo): Promise<string> {
  const job = await propexo.appointments.resman.leads.create({
    integration_id,
    lead_id,
    lead_source_id: "clx2aa0m4000408l1c8h3g4k5",
    appointment_date: "2024-07-18",
    appointment_time: "14:00:00",
  });
  const status = await job.wait();
  return status.created_record_id ?? job.jobId;
}

export function describe(error: unknown): string {
  return error instanceof RequestValidationError ? error.issues.map((issue) => issue.rule).join() : String(error);
}

export function mistakes(propexo: Propexo): void {
  // @ts-expect-error Rent Manager has no "tenants", only applicants, leads and residents.
  void propexo.appointments.rentmanager.tenants.create({ integration_id });
  // @ts-expect-error The ResMan create needs a lead source.
  void propexo.appointments.resman.leads.create({ integration_id, lead_id, appointment_date: "2024-07-18", appointment_time: "14:00:00" });
  // @ts-expect-error There is no such environment.
  void new Propexo({ token: "t", environment: "staging" });
}

export function shared(options: SharedRateLimitOptions): Propexo {
  return new Propexo({ token: "t", rateLimit: sharedRateLimit({ ...options, redis: createClient() }) });
}
`,
};

/** A web page: TypeScript bundled by esbuild from the installed package, without Node's types. */
export const browserProject: Record<string, string> = {
  "package.json": JSON.stringify({ name: "browser-consumer", private: true, type: "module" }, null, 2),
  "tsconfig.json": JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        module: "ESNext",
        moduleResolution: "Bundler",
        strict: true,
        skipLibCheck: false,
        // A browser project has no @types/node: the declarations must not lean on them.
        types: [],
        noEmit: true,
      },
      include: ["src"],
    },
    null,
    2,
  ),
  "public/index.html": `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>propexo-appointments in a browser</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem; }
      li[data-step="error"] { color: #b00020; }
    </style>
  </head>
  <body>
    <h1>propexo-appointments in a browser</h1>
    <p>Calls <code id="api"></code> from this page.</p>
    <ol id="steps"></ol>
    <script type="module" src="/page.js"></script>
  </body>
</html>
`,
  "src/page.ts": `import { Propexo, PropexoError, appointmentSlot } from "propexo-appointments";

${IDS}

const steps = document.querySelector<HTMLOListElement>("#steps")!;
function show(step: string, text: string): void {
  const item = document.createElement("li");
  item.dataset.step = step;
  item.textContent = \`\${step} \${text}\`;
  steps.append(item);
}

async function tour(baseUrl: string): Promise<void> {
  document.querySelector("#api")!.textContent = baseUrl;
  // In a web page the token is readable by every visitor: the client refuses unless told otherwise.
  try {
    new Propexo({ token: "browser-consumer-token", baseUrl });
    show("refused", "no");
  } catch (error) {
    show("refused", error instanceof PropexoError ? error.name : String(error));
  }
  const propexo = new Propexo({ token: "browser-consumer-token", baseUrl, rateLimit: false, logLevel: "off", dangerouslyExposeTokenInBrowser: true });
  const slot = appointmentSlot("2024-07-20T13:15:00Z", "America/New_York");
  show("slot", \`\${slot.appointment_date} \${slot.appointment_time}\`);
  const job = await propexo.appointments.rentmanager.leads.create({ integration_id, lead_id, ...slot, appointment_duration_minutes: 45, title: "Tour" });
  show("create", job.jobId);
  const status = await job.wait({ timeoutMs: 10_000 });
  show("wait", status.write_status);
  const page = await propexo.appointments.list({ integration_id, limit: 10 }).firstPage();
  show("list", page.results.map((appointment) => \`\${appointment.id} \${appointment.event_name}\`).join("; "));
}

export function mistakes(propexo: Propexo): void {
  // @ts-expect-error appointment_time is a string.
  void propexo.appointments.rentmanager.leads.create({ integration_id, lead_id, appointment_date: "2024-07-20", appointment_time: 915, appointment_duration_minutes: 45, title: "Tour" });
}

const api = new URLSearchParams(location.search).get("api");
tour(api ?? "").then(
  () => (document.body.dataset.state = "done"),
  (error: unknown) => {
    show("error", error instanceof Error ? \`\${error.name}: \${error.message}\` : String(error));
    document.body.dataset.state = "failed";
  },
);
`,
};

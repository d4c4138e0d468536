// The published package as strangers use it: `npm pack` once (its prepack script builds dist/),
// then the tarball installed into fresh projects outside this checkout (see kit.ts) that import
// it by name only: Node ESM with TypeScript under nodenext, Node CommonJS, and a web page bundled
// by esbuild and run in headless Chromium. Every program calls a Prism mock of the bundled spec.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer } from "../helpers/http-server.js";
import { ROOT, loadBundled, operationsOf } from "../helpers/project.js";
import { launchChromium, requireChromium } from "./chromium.js";
import { browserProject, cjsProject, esmProject } from "./consumer-sources.js";
import { consumerProject, mockAnswer, pack, run, said, tsc, type Packed } from "./kit.js";

const SCREENSHOT = join(ROOT, "test-results", "browser-consumer.png");

// Everything started here is ended in afterAll, also when a test failed or timed out midway.
const cleanups: (() => Promise<unknown>)[] = [];
let work: string;
let packed: Packed;
let spec: any;
// The tier's Prism mock of the bundled spec (test/helpers/prism-global-setup.ts).
const prism = { url: inject("prismUrl") };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "propexo-pack-"));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  spec = await loadBundled();
  packed = await pack(work);
  console.info(
    `npm pack: ${packed.report.filename}, ${packed.report.size} B packed, ${packed.report.unpackedSize} B unpacked, ` +
      `${packed.report.files.length} files, ${(packed.ms / 1000).toFixed(1)} s with the prepack build`,
  );
});

afterAll(async () => {
  const results = await Promise.allSettled(cleanups.map((fn) => fn()));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length) throw new AggregateError(failed.map((r) => r.reason), "cleanup failed");
});

async function project(name: string, files: Record<string, string>, options?: { nodeTypes?: boolean }): Promise<string> {
  const dir = await consumerProject(packed.tarball, name, files, options);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file a path of the exports map (and the legacy fields) points at. */
function exportTargets(pkg: any): string[] {
  const targets = new Set<string>([pkg.main, pkg.module, pkg.types]);
  const walk = (node: unknown): void => {
    if (typeof node === "string") targets.add(node);
    else if (node && typeof node === "object") Object.values(node).forEach(walk);
  };
  walk(pkg.exports);
  return [...targets].map((t) => t.replace(/^\.\//, ""));
}

describe("the tarball", () => {
  it("holds the build, the spec and the manifest, and nothing from the workspace", async () => {
    const files = packed.report.files.map((f) => f.path);
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    for (const target of exportTargets(pkg)) expect(files, `${target} is referenced by package.json`).toContain(target);
    const stray = files.filter((f) => !/^(dist\/|(node|redis)\/package\.json$|openapi\.json$|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE)/.test(f));
    expect(stray).toEqual([]);
    // node/ and redis/package.json point resolvers without exports-map support (node10) at the
    // ./node and ./redis builds.
    for (const entry of ["node", "redis"]) {
      const proxy = JSON.parse(await readFile(join(ROOT, entry, "package.json"), "utf8"));
      for (const target of [proxy.main, proxy.types]) expect(files).toContain(join(entry, target));
    }
    // One document with every operation, the same one the client was generated from.
    const shipped = packed.report.files.find((f) => f.path === "openapi.json");
    expect(shipped?.size).toBe((await readFile(join(ROOT, "generated", "openapi.json"))).length);
  });
});

describe("package linters on the tarball", () => {
  const bin = (pkg: string, file: string) => join(ROOT, "node_modules", pkg, file);
  it("publint --strict reports no problems", async () => {
    const r = await run(process.execPath, [bin("publint", "src/cli.js"), "run", packed.tarball, "--strict"]);
    expect(r.code, said(r)).toBe(0);
    expect(r.stdout).toMatch(/All good!/);
  });

  it("attw (are the types wrong) reports no problems under node10, node16 CJS/ESM and bundler", async () => {
    const r = await run(process.execPath, [bin("@arethetypeswrong/cli", "dist/index.js"), packed.tarball, "--format", "json"]);
    expect(r.code, said(r)).toBe(0);
    const report = JSON.parse(r.stdout);
    // Problems are grouped by kind; an empty object means none of any kind.
    expect(report.problems).toEqual({});
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([".", "./node", "./openapi.json", "./package.json", "./redis"]);
  });
});

describe("a Node ESM project in TypeScript (nodenext, strict)", () => {
  it("compiles, with its deliberate mistakes refused, and runs create → wait → list → retrieve", async () => {
    const dir = await project("esm", esmProject, { nodeTypes: true });
    const compiled = await tsc(dir);
    expect(compiled.code, said(compiled)).toBe(0);

    const r = await run(process.execPath, ["dist/main.js", prism.url], { cwd: dir });
    expect(r.code, said(r)).toBe(0);
    const created = mockAnswer(spec, "createRentmanagerLeadAppointment");
    const status = mockAnswer(spec, "getWriteStatus");
    const page = mockAnswer(spec, "listAppointments");
    const event = mockAnswer(spec, "retrieveEvent").results;
    expect(r.stdout.trim().split("\n")).toEqual([
      // The import condition of the exports map, from the installed copy.
      `entry file://${join(dir, "node_modules", "propexo-appointments", "dist", "index.js")}`,
      `create ${created.meta.job_id} ${created.result.title}`,
      `wait ${status.write_status} ${status.created_record_id}`,
      `list ${page.results.map((a: any) => a.id).join(",")}`,
      `retrieve ${event.id} ${event.event_name}`,
      `node-entry file://${join(dir, "node_modules", "propexo-appointments", "dist", "node.js")}`,
      `transport ${event.id}`,
      `redis-entry file://${join(dir, "node_modules", "propexo-appointments", "dist", "redis.js")} function`,
    ]);
  });

  it("fails to compile when a refused call is not refused (the check can fail)", async () => {
    const broken = esmProject["src/main.ts"]!.replace("// @ts-expect-error Rent Manager lead appointments need a title.\n", "");
    const dir = await project("esm-broken", { ...esmProject, "src/main.ts": broken }, { nodeTypes: true });
    // The declarations were checked under these settings by the compile above; here only the
    // program's own errors matter, so tsc skips re-checking every .d.ts (half its time) and emits nothing.
    const compiled = await tsc(dir, ["--skipLibCheck", "--noEmit"]);
    expect(compiled.code).not.toBe(0);
    // The one error is the unmarked mistake, and nothing else.
    expect(compiled.stdout.match(/error TS\d+:/g), said(compiled)).toHaveLength(1);
    expect(compiled.stdout).toMatch(/^src\/main\.ts\(\d+,\d+\): error TS2345: /m);
    expect(compiled.stdout).toContain("Property 'title' is missing");
  });
});

describe("a Node CommonJS project", () => {
  it("type-checks a .cts file against the require() declarations", async () => {
    const dir = await project("cts", cjsProject, { nodeTypes: true });
    const checked = await tsc(dir);
    expect(checked.code, said(checked)).toBe(0);
  });

  it("require()s the client and its bundled spec and calls the API", async () => {
    const dir = await project("cjs", cjsProject);
    const r = await run(process.execPath, ["main.cjs", prism.url], { cwd: dir });
    expect(r.code, said(r)).toBe(0);
    const created = mockAnswer(spec, "createResmanLeadAppointment");
    const status = mockAnswer(spec, "getWriteStatus");
    expect(r.stdout.trim().split("\n")).toEqual([
      `entry ${join(dir, "node_modules", "propexo-appointments", "dist", "index.cjs")}`,
      // The shipped document has every operation (17 today), not a stale or partial copy.
      `spec ${spec.openapi} ${operationsOf(spec).length}`,
      "supports false true",
      `create ${created.meta.job_id} ${status.write_status}`,
      "refused true body.appointment_time",
      "unsupported true",
      `node-entry ${join(dir, "node_modules", "propexo-appointments", "dist", "node.cjs")}`,
      `transport ${status.write_status}`,
      `redis-entry ${join(dir, "node_modules", "propexo-appointments", "dist", "redis.cjs")} function`,
    ]);
  });
});

describe("a web page", () => {
  it("type-checks, bundles with esbuild, and calls the API cross-origin from Chromium", async (ctx) => {
    const dir = await project("browser", browserProject);
    const checked = await tsc(dir);
    expect(checked.code, said(checked)).toBe(0);

    const bundled = await build({
      absWorkingDir: dir,
      entryPoints: ["src/page.ts"],
      outfile: "public/page.js",
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      metafile: true,
      logLevel: "silent",
    });
    // The installed ESM build went into the page, not some copy of the sources.
    expect(Object.keys(bundled.metafile.inputs)).toContain("node_modules/propexo-appointments/dist/index.js");

    requireChromium(ctx, "The browser consumer test");
    const site = await startServer(async (req, res) => {
      const file = { "/": "index.html", "/page.js": "page.js" }[new URL(req.url ?? "/", "http://x").pathname];
      if (!file) return res.writeHead(404).end();
      const type = file.endsWith(".js") ? "text/javascript" : "text/html";
      res.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(await readFile(join(dir, "public", file)));
    });
    cleanups.push(site.close);
    const browser = await launchChromium();
    cleanups.push(() => browser.close());

    const page = await browser.newPage();
    const problems: string[] = [];
    const apiCalls: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error: ${message.text()}`);
    });
    page.on("request", (request) => {
      if (request.url().startsWith(prism.url)) apiCalls.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    // The page may talk to its own server and the mock; anything else would be a leak.
    await page.route(/.*/, (route) => {
      const url = route.request().url();
      return url.startsWith(site.url) || url.startsWith(prism.url) ? route.continue() : route.abort();
    });

    await page.goto(`${site.url}/?api=${encodeURIComponent(prism.url)}`);
    await page.waitForSelector("body[data-state]", { timeout: 30_000 });
    await mkdir(join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await ctx.annotate("screenshot of the page", { path: SCREENSHOT, contentType: "image/png" });

    const shown = await page.locator("#steps li").allTextContents();
    const created = mockAnswer(spec, "createRentmanagerLeadAppointment");
    const status = mockAnswer(spec, "getWriteStatus");
    const listed = mockAnswer(spec, "listAppointments").results;
    expect({ state: await page.locator("body").getAttribute("data-state"), shown, problems }).toEqual({
      state: "done",
      shown: [
        // Without dangerouslyExposeTokenInBrowser the client refuses to run in a page.
        "refused PropexoError",
        // appointmentSlot ran on the browser's Intl: 13:15Z is 09:15 in New York in July.
        "slot 2024-07-20 09:15:00",
        `create ${created.meta.job_id}`,
        `wait ${status.write_status}`,
        `list ${listed.map((a: any) => `${a.id} ${a.event_name}`).join("; ")}`,
      ],
      problems: [],
    });
    // Cross-origin from the page's own server, with Prism answering the preflights.
    expect(new URL(site.url).origin).not.toBe(new URL(prism.url).origin);
    expect(apiCalls).toEqual(
      expect.arrayContaining([
        "POST /v1/events/appointments/leads/rentmanager/",
        `GET /v1/admin/write-status/${created.meta.job_id}`,
        "GET /v1/appointments/",
      ]),
    );
  });

  it("tree-shakes: a bundle that imports only appointmentSlot from the package holds neither the client nor openapi-fetch", async () => {
    const dir = await project("slot-only", { "src/main.ts": 'import { appointmentSlot } from "propexo-appointments";\nconsole.log(appointmentSlot(0, "UTC"));\n' });
    const bundled = await build({
      entryPoints: [join(dir, "src", "main.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "error",
    });
    // esbuild reads openapi-fetch (its package does not declare itself free of side effects) but
    // must put none of it in the bundle: what each input contributes is in the output's inputs.
    const [output] = Object.values(bundled.metafile!.outputs);
    const contributing = Object.entries(output!.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([i]) => i);
    expect(contributing.some((i) => /propexo-appointments/.test(i)), contributing.join(", ")).toBe(true);
    expect(contributing.filter((i) => /openapi-fetch/.test(i))).toEqual([]);
    const code = bundled.outputFiles[0]!.text;
    // The client's own code would bring its error classes and its request core with it.
    expect(code).not.toMatch(/PropexoError|RateLimitError|Authorization/);
    expect(code).toMatch(/appointmentSlot/);
  });
});


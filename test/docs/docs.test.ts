// `npm run docs` end to end: the build runs, the API reference opens from disk in Chromium with
// the network cut off, and it shows every operation of the bundled spec under its summary.
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, loadBundled, operationsOf } from "../helpers/project.js";
import { launchChromium, requireChromium } from "../package/chromium.js";
import { run, said, type RunResult } from "../helpers/run.js";

const cleanups: (() => Promise<unknown>)[] = [];
let out: string;
let built: RunResult;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "propexo-docs-"));
  cleanups.push(() => rm(out, { recursive: true, force: true }));
  built = await run(process.execPath, [join(ROOT, "scripts", "docs.mjs"), "--out", out]);
});

afterAll(async () => {
  await Promise.allSettled(cleanups.map((fn) => fn()));
});

describe("npm run docs", () => {
  it("builds both references and reports each step's time", () => {
    expect(built.code, said(built)).toBe(0);
    expect(built.stdout).toMatch(/^ {2}api +\d+ ms {2}.*api\.html \(\d+ KiB, self-contained\)$/m);
    expect(built.stdout).toMatch(/^ {2}client +\d+ ms {2}.*client\/index\.html$/m);
    expect(built.stdout).toMatch(/^ {2}total +\d+ ms$/m);
  });

  it("documents the client's public surface with TypeDoc", async () => {
    // Several entry points, so TypeDoc prefixes each page with its module: index (the package
    // root), node and redis.
    const client = await readFile(join(out, "client", "classes", "index.Propexo.html"), "utf8");
    for (const member of ["appointments", "events", "writes", "supports"]) expect(client).toContain(member);
    const slot = await readFile(join(out, "client", "functions", "index.appointmentSlot.html"), "utf8");
    expect(slot).toContain("America/Chicago");
    const transport = await readFile(join(out, "client", "functions", "node.nodeTransport.html"), "utf8");
    expect(transport).toContain("propexo-appointments/node");
    const shared = await readFile(join(out, "client", "functions", "redis.sharedRateLimit.html"), "utf8");
    expect(shared).toContain("propexo-appointments/redis");
  });

  it("gives every supported operation's method a page of its own, with its summary and route", async () => {
    const dir = join(out, "client", "methods");
    const pages = await Promise.all((await readdir(dir)).map(async (f) => ({ f, text: (await readFile(join(dir, f), "utf8")).replace(/<[^>]+>/g, " ") })));
    const spec = await loadBundled();
    const missing = operationsOf(spec)
      .filter(({ op }) => op["x-propexo-supported"] !== false)
      .filter(({ method, path, op }) => !pages.some((p) => p.text.includes(`${method} ${path}`) && p.text.includes(op.summary)))
      .map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
  });

  it("shows every operation's summary as a heading, offline, in Chromium", async (ctx) => {
    expect(built.code, said(built)).toBe(0);
    requireChromium(ctx, "The API reference test");
    const spec = await loadBundled();
    const byTag = new Map<string, string[]>();
    for (const { op } of operationsOf(spec)) byTag.set(op.tags[0], [...(byTag.get(op.tags[0]) ?? []), op.summary]);
    const tagNames = new Map<string, string>(spec.tags.map((t: any) => [t.name, t["x-displayName"] ?? t.name]));

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    // Every request off the disk fails, as on a machine without network; the page must cope.
    const remote: string[] = [];
    await page.route(/^https?:/, (route) => {
      remote.push(`${route.request().resourceType()} ${route.request().url()}`);
      return route.abort();
    });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));

    await page.goto(pathToFileURL(join(out, "api.html")).href);
    await expect.poll(() => page.locator("h1").first().textContent()).toContain(spec.info.title);

    const headings = new Set<string>();
    const collect = async () => {
      for (const text of await page.locator("h1, h2, h3, [role=heading]").allTextContents()) headings.add(text.trim());
    };
    // Redoc 3 shows one tag per page and renders only the operations near the viewport, so each
    // tag's page is read while scrolling down less than a screen at a time until it ends.
    for (const [tag, summaries] of byTag) {
      await page.getByRole("link", { name: tagNames.get(tag) ?? tag, exact: true }).first().click();
      await page.waitForTimeout(200);
      let still = 0;
      for (let i = 0; i < 300 && still < 3 && !summaries.every((s) => headings.has(s)); i++) {
        await collect();
        const before = await page.evaluate(() => scrollY);
        await page.evaluate(() => scrollBy(0, innerHeight * 0.7));
        await page.waitForTimeout(80);
        still = (await page.evaluate(() => scrollY)) === before ? still + 1 : 0;
      }
      await collect();
    }
    await mkdir(join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test-results", "api-docs.png") });

    const summaries = [...byTag.values()].flat();
    expect(summaries).toHaveLength(operationsOf(spec).length);
    expect(summaries.filter((s) => !headings.has(s))).toEqual([]);
    expect(problems).toEqual([]);
    // Redoc's "API docs by Redocly" badge is a remote image; nothing the page needs is remote.
    expect(remote.filter((r) => !r.startsWith("image "))).toEqual([]);
  });
});

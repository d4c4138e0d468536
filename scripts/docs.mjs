#!/usr/bin/env node
// Builds the reference documentation into docs/ (gitignored):
//
//   docs/api.html    the HTTP API, from generated/openapi.json, by Redocly (Redoc 3): one file
//                    with Redoc's script inlined, so it opens from disk and offline
//   docs/client/     the TypeScript client, from src/index.ts, by TypeDoc (see typedoc.json)
//
//   npm run docs                     both
//   npm run docs -- --api-only       docs/api.html only
//   npm run docs -- --out DIR        into DIR instead of docs/
import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT } from "./lib/paths.mjs";
import { redocly } from "./lib/redocly.mjs";

const TYPEDOC_BIN = join(ROOT, "node_modules", "typedoc", "bin", "typedoc");

function parseArgs(argv) {
  const args = { apiOnly: false, out: join(ROOT, "docs") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--api-only") args.apiOnly = true;
    else if (a === "--out" && argv[i + 1]) args.out = resolve(argv[++i]);
    else throw new Error(`unknown argument ${a} (expected --api-only or --out DIR)`);
  }
  return args;
}

/**
 * Resources the page would fetch from the network before it can render: scripts, stylesheets,
 * preloads and CSS imports or fonts. Only markup and <style> blocks are read; URLs inside the
 * inlined Redoc script are data (icon sets it never loads for this spec, links it renders).
 */
function externalResources(html) {
  const found = [];
  const withoutScripts = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, (tag) => tag.slice(0, tag.indexOf(">") + 1));
  for (const m of withoutScripts.matchAll(/<script\b[^>]*\bsrc=["']?(https?:[^"'\s>]+)/gi)) found.push(m[1]);
  for (const m of withoutScripts.matchAll(/<link\b[^>]*\bhref=["']?(https?:[^"'\s>]+)[^>]*>/gi)) {
    if (/\brel=["']?(stylesheet|preload|modulepreload|preconnect|icon)/i.test(m[0])) found.push(m[1]);
  }
  for (const style of withoutScripts.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    for (const m of style[1].matchAll(/(?:@import\s+|url\()\s*["']?(https?:[^"')\s]+)/gi)) found.push(m[1]);
  }
  return found;
}

function runNode(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, output }));
  });
}

async function buildApi(out) {
  const file = join(out, "api.html");
  const res = await redocly(["build-docs", join(ROOT, "generated", "openapi.json"), "--inlineBundle", "--output", file], { cwd: ROOT });
  if (res.code !== 0) throw new Error(`redocly build-docs failed:\n${res.stdout}${res.stderr}`);
  const external = externalResources(await readFile(file, "utf8"));
  if (external.length) throw new Error(`${relative(ROOT, file)} would load from the network: ${external.join(", ")}`);
  return `${relative(ROOT, file)} (${((await stat(file)).size / 1024).toFixed(0)} KiB, self-contained)`;
}

async function buildClient(out) {
  const dir = join(out, "client");
  const res = await runNode([TYPEDOC_BIN, "--options", join(ROOT, "typedoc.json"), "--out", dir]);
  if (res.code !== 0) throw new Error(`typedoc failed:\n${res.output}`);
  return `${relative(ROOT, dir)}/index.html`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const step = async (name, fn) => {
    const t0 = performance.now();
    const what = await fn();
    console.log(`  ${name.padEnd(7)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${what}`);
  };
  await step("api", () => buildApi(args.out));
  if (!args.apiOnly) await step("client", () => buildClient(args.out));
  console.log(`  ${"total".padEnd(7)} ${(performance.now() - started).toFixed(0).padStart(6)} ms`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

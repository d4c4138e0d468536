// Headless Chromium for the browser consumer and the docs check. The system's Chromium is driven
// through playwright-core, which never downloads a browser of its own.
//
// A developer machine without Chromium skips these tests with a visible notice; CI (CI=true)
// must never pass by skipping them, so there the same absence is a failure.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import type { TestContext } from "vitest";

/** Debian's package; CHROMIUM_PATH points elsewhere (e.g. a Chrome install). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  // Containers run tests as root, where Chromium's sandbox cannot start.
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  // No update checks, field trials or sync: a test run must make no request of its own.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Ends the test when Chromium is absent: skipped with a warning locally, failed under CI.
 * Returns normally only when the browser exists.
 */
export function requireChromium(ctx: TestContext, what: string): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const reason = `${what} needs Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH to use another)`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI must run this test, not skip it`);
  console.warn(`SKIPPED: ${reason}`);
  ctx.skip(reason);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 30_000 });
}

// Entry point of `npm run contract:live` (scripts/contract-live.mjs starts vitest on this file
// only, because the checks import the TypeScript client). It writes the report where the script
// reads it; without PROPEXO_LIVE_REPORT it does nothing, so a stray `vitest run` sends nothing.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { checkLive, exitCodeOf, formatReport } from "./checks.js";

const reportPath = process.env.PROPEXO_LIVE_REPORT;

describe.skipIf(reportPath === undefined)("live contract check", () => {
  it("the API answers as the spec says", async () => {
    const report = await checkLive({
      baseUrl: process.env.PROPEXO_BASE_URL ?? "https://api.sandbox.propexo.com",
      token: process.env.PROPEXO_TOKEN ?? "",
      writes: process.env.PROPEXO_LIVE_WRITES === "1",
      env: process.env,
    });
    const exitCode = exitCodeOf(report);
    await writeFile(reportPath!, JSON.stringify({ text: formatReport(report), exitCode }));
    expect(exitCode).toBe(0);
  });
});

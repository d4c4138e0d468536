#!/usr/bin/env node
// The mutation score of each file of a StrykerJS JSON report, worst first, and of all of them:
// `node scripts/mutation-score.mjs [report.json]` (default reports/mutation/mutation.json).
//
// score = (killed + timed out) / (killed + timed out + survived + no coverage)
//
// Stryker's own mutation score: every mutant counts except those marked equivalent with a
// `// Stryker disable ...: <why>` comment (status "Ignored"), and those that cannot run at all
// (CompileError, RuntimeError: none without a type checker). A mutant no test runs (no coverage)
// counts against the score like one that survives.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const DETECTED = ["Killed", "Timeout"];
const UNDETECTED = ["Survived", "NoCoverage"];

/** Counts of each status and the score, for the mutants given. */
export function tally(mutants) {
  const count = (statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
  const detected = count(DETECTED);
  const valid = detected + count(UNDETECTED);
  return {
    killed: count(["Killed"]),
    timeout: count(["Timeout"]),
    survived: count(["Survived"]),
    noCoverage: count(["NoCoverage"]),
    equivalent: count(["Ignored"]),
    invalid: count(["CompileError", "RuntimeError"]),
    score: valid ? (100 * detected) / valid : 100,
  };
}

/** Prints the table of `reportPath`; files named in `scope` are marked as tested in this run. */
export function printScores(reportPath, scope = []) {
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  const rows = Object.entries(report.files).map(([file, { mutants }]) => ({ file: relative(process.cwd(), file) || file, ...tally(mutants) }));
  rows.sort((a, b) => a.score - b.score || a.file.localeCompare(b.file));
  const total = { file: "all files", ...tally(Object.values(report.files).flatMap((f) => f.mutants)) };
  const head = ["file", "score", "killed", "timeout", "survived", "no cov.", "equiv.", "invalid"];
  const line = (r) => [r.file + (scope.includes(r.file) ? " *" : ""), `${r.score.toFixed(1)}%`, r.killed, r.timeout, r.survived, r.noCoverage, r.equivalent, r.invalid];
  const table = [head, ...rows.map(line), line(total)].map((cells) => cells.map(String));
  const widths = head.map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  const format = (cells) => cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  console.log(`\nmutation score per file, worst first (${reportPath}):`);
  table.forEach((cells, i) => {
    if (i === table.length - 1) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    console.log(format(cells));
  });
  if (scope.length) console.log("* tested in this run; the others keep their last result");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printScores(process.argv[2] ?? "reports/mutation/mutation.json");
}

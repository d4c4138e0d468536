// Every dependency of package.json, of every kind, is named in the README's Dependencies table
// with why it is there, and the table names nothing the package does not depend on.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../helpers/project.js";

it("the README's Dependencies table says why each dependency is there, and lists no other", async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Dependencies\n"));
  const table = section.slice(0, section.indexOf("\n\n", section.indexOf("\n|")));
  const named = new Set(table.split("\n").filter((l) => l.startsWith("| `")).flatMap((l) => [...l.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
  const declared = new Set(["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].flatMap((k) => Object.keys(pkg[k] ?? {})));
  expect(named.size).toBeGreaterThan(0);
  expect([...declared].filter((d) => !named.has(d)), "dependencies the table does not explain").toEqual([]);
  expect([...named].filter((d) => !declared.has(d)), "table rows for packages package.json does not have").toEqual([]);
});

// Size budget of the browser bundle (min + gzip), checked by `npm test`. It grows with the spec:
// a fixed budget for the client's own code (measured with an empty operation table and no request
// schemas), plus an allowance per operation for the generated data each one adds. A helper used
// alone must tree-shake away from the client.
import { readFileSync } from "node:fs";

/** The client's own code: transport, retries, pacing, errors, validation walker, openapi-fetch. */
const CORE_KB = 16;
/** What one more operation may add: its row in the operation table and its request schema. */
const PER_OPERATION_KB = 0.25;

const generated = (name) => readFileSync(new URL(`./generated/${name}.ts`, import.meta.url), "utf8");
// One row per operation; each row is a key of `operations` holding an object with `operationId`.
const operationCount = (generated("operations").match(/^ {4}"operationId": /gm) ?? []).length;

/** Replaces the generated modules with empty ones of the same exports, to measure the core alone. */
const emptyGenerated = {
  name: "empty-generated",
  setup(build) {
    const replaced = new Set();
    // A path that stopped matching would measure the whole client as "core"; fail instead.
    build.onEnd(() => {
      if (replaced.size !== 2) throw new Error(`size budget: expected to replace generated/operations.js and validation.js, replaced ${[...replaced].join(", ") || "nothing"}`);
    });
    build.onResolve({ filter: /[\\/]generated[\\/](operations|validation)\.js$/ }, (args) => ({
      path: args.path.replace(/^.*[\\/]generated[\\/]/, ""),
      namespace: "empty-generated",
    }));
    build.onLoad({ filter: /.*/, namespace: "empty-generated" }, (args) => {
      replaced.add(args.path);
      const names = [...generated(args.path.replace(/\.js$/, "")).matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
      return { contents: names.map((n) => `export const ${n} = ${n === "writeStatusOperation" ? "null" : "{}"};`).join("\n"), loader: "js" };
    });
  },
};

export default [
  {
    name: "core: the client's own code and openapi-fetch, with no operations",
    path: "src/index.ts",
    import: "*",
    gzip: true,
    limit: `${CORE_KB} kB`,
    modifyEsbuildConfig: (config) => ({ ...config, plugins: [...(config.plugins ?? []), emptyGenerated] }),
  },
  {
    name: `the whole client with this spec's ${operationCount} operations (core + ${PER_OPERATION_KB} kB each)`,
    path: "src/index.ts",
    import: "*",
    gzip: true,
    limit: `${(CORE_KB + operationCount * PER_OPERATION_KB).toFixed(2)} kB`,
  },
  {
    name: "appointmentSlot imported alone (no client, no openapi-fetch)",
    path: "src/index.ts",
    import: "{ appointmentSlot }",
    gzip: true,
    limit: "1 kB",
  },
  {
    // appointmentSlot plus the PMSs' time-zone rules: the operation table must tree-shake away.
    name: "appointmentSlotFor imported alone (no client, no operation table)",
    path: "src/index.ts",
    import: "{ appointmentSlotFor }",
    gzip: true,
    limit: "1.25 kB",
  },
];

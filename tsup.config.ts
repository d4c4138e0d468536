import { defineConfig } from "tsup";

// ESM and CommonJS builds with their own declaration files (index.d.ts / index.d.cts), so that
// both `import` and `require` resolve types correctly under every moduleResolution.
export default defineConfig({
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  // openapi-fetch stays a dependency and undici an optional peer (only src/node.ts uses it),
  // both resolved by the user's installer and bundler.
  external: ["openapi-fetch", "undici"],
  outExtension: ({ format }) => ({ js: format === "cjs" ? ".cjs" : ".js" }),
});

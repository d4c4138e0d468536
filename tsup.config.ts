import { defineConfig } from "tsup";

// ESM and CommonJS builds with their own declaration files (index.d.ts / index.d.cts), so that
// both `import` and `require` resolve types correctly under every moduleResolution.
export default defineConfig({
  entry: ["src/index.ts", "src/node.ts", "src/redis.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  // openapi-fetch stays a dependency, undici and redis optional peers (only src/node.ts and
  // src/redis.ts are for them; src/redis.ts takes the user's client and imports nothing of redis),
  // all resolved by the user's installer and bundler; node:crypto is Node's own.
  external: ["openapi-fetch", "undici", "redis", "node:crypto"],
  outExtension: ({ format }) => ({ js: format === "cjs" ? ".cjs" : ".js" }),
});

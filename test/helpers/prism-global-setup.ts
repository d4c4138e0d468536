// One Prism mock of the bundled spec for a whole tier (contract, package); its URL reaches the
// tests through `inject("prismUrl")`, so the files of a tier do not each start their own.
import type { TestProject } from "vitest/node";
import { startPrism } from "./prism.js";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prism = await startPrism();
  project.provide("prismUrl", prism.url);
  // Vitest calls this after the run whether or not tests failed.
  return () => prism.stop();
}

// One Prism mock for the whole contract run; its URL reaches the tests through `inject("prismUrl")`.
import type { TestProject } from "vitest/node";
import { startPrism } from "../helpers/prism.js";

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

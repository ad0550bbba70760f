import { runStack } from "./program.js";

/**
 * Pulumi entry point (Pulumi.yaml `main: dist/infra/index.js`, built by `npm run build`).
 * Pulumi calls the default export and publishes what it returns as stack outputs.
 */
export default async function main(): Promise<Record<string, unknown>> {
  return runStack();
}

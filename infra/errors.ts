import * as pulumi from "@pulumi/pulumi";
import { DomainesError } from "../src/errors.js";

/**
 * A problem the platform engineer must fix (bad stack config, a refused deletion).
 * Pulumi prints a RunError's message without a stack trace and fails the update
 * before any resource is registered.
 */
export class InfraError extends pulumi.RunError {
  constructor(message: string) {
    super(message);
    this.name = "InfraError";
  }
}

/** Runs a loader or check from src/, turning its user-facing errors into InfraErrors (no stack trace). */
export function asInfraError<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof DomainesError) throw new InfraError(`${what}: ${err.message}`);
    throw err;
  }
}

/** The same for an asynchronous loader (the ledger store). */
export async function asInfraErrorAsync<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainesError) throw new InfraError(`${what}: ${err.message}`);
    throw err;
  }
}

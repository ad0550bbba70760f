/**
 * Errors a user can act on. The CLI prints `message` (no stack trace) and exits with
 * `exitCode`: 2 for bad usage or bad input, 1 for a failure of the job itself.
 */
export class DomainesError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
    // this.constructor, not new.target: Pulumi's closure serializer (dynamic providers) rewrites classes and loses new.target.
    this.name = this.constructor.name;
  }
}

/** Bad command-line usage or bad input data (exit 2). */
export class InputError extends DomainesError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The job could not be done, or found a problem it must report (exit 1). */
export class FailureError extends DomainesError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** Shortens a user-supplied value for an error message (a 1 MB string must not flood the terminal). */
export function quoteInput(value: string, max = 60): string {
  const shown = value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
  return JSON.stringify(shown);
}

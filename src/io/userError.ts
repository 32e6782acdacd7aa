/**
 * An expected failure caused by the user's input or environment. The CLI prints its message as one
 * line and exits with `exitCode`; anything else is a bug and keeps its stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

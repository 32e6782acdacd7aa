/**
 * Shared shell of the commands: one-line errors with exit status 2 (never a stack trace for expected
 * failures), and quiet exit when stdout is closed early.
 */
import type { Command } from 'commander';
import { handleStdoutErrors } from '../io/output.js';
import { UserError } from '../io/userError.js';
import { printable } from '../util/terminalText.js';

export function runCommand(name: string, main: () => Promise<void>): void {
  handleStdoutErrors(name);
  main().then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof UserError) {
        if (error.message !== '') process.stderr.write(`${name}: ${printable(error.message)}\n`);
        process.exitCode = error.exitCode;
      } else {
        process.stderr.write(`${name}: internal error, please report it: ${(error as Error).stack ?? String(error)}\n`);
        process.exitCode = 70;
      }
    },
  );
}


/**
 * Runs a commander program built with `exitOverride()`: help and version are a normal end; a usage
 * error, which commander has already printed, exits with status 2.
 */
export async function parseCommandLine(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version') return;
    if (typeof code === 'string' && code.startsWith('commander.')) throw new UserError('', 2);
    throw error;
  }
}

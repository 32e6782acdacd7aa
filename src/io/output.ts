/**
 * Where results go. Files are written to a temporary name and renamed when complete, so a failed run
 * never leaves a partial output file; stdout treats a closed pipe (`offgil | head`) as a normal end.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { UserError } from './userError.js';

/** Makes EPIPE on stdout end the process quietly, as `head` expects of its producer. */
export function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

export async function writeFileAtomically(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${path}.offgil-${process.pid}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UserError(`${path}: cannot write (${(error as Error).message})`);
  }
}

/** Writes to the file `path`, or to stdout when `path` is undefined or `-`. */
export async function writeOutput(path: string | undefined, content: string | Uint8Array): Promise<void> {
  if (path === undefined || path === '-') {
    await new Promise<void>((resolve) => {
      if (process.stdout.write(content)) resolve();
      else process.stdout.once('drain', resolve);
    });
    return;
  }
  await writeFileAtomically(path, content);
}

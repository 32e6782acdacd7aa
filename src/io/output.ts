/**
 * Where results go. Files are written to a temporary name and renamed when complete, so a failed run
 * never leaves a partial output file; stdout treats a closed pipe (`offgil | head`) as a normal end.
 */
import { chmod, lstat, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from './userError.js';

/**
 * Makes EPIPE on stdout end the process quietly, as `head` expects of its producer, and any other
 * write error on stdout (a full disk, `> /dev/full`) one line and exit status 2.
 */
export function handleStdoutErrors(command: string): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`${command}: stdout: cannot write (${error.code ?? error.message})\n`);
    process.exit(2);
  });
}

/**
 * Writes `content` to `path` so that a failed run never leaves a partial file: a regular file (or a
 * new one) is written to a temporary name beside it and renamed, keeping an existing file's mode; a
 * symlink is followed; anything else (a device such as /dev/stdout or /dev/null, a FIFO) is written in
 * place, because replacing it would turn it into a regular file. `content` may be an iterable of chunks
 * (a generator), written as they come, so a big file is never one string.
 */
/** What the writers take: the whole text, bytes, or text in chunks (for outputs larger than one string). */
export type OutputContent = string | Uint8Array | Iterable<string | Uint8Array>;

export async function writeFileAtomically(path: string, content: OutputContent): Promise<void> {
  let target = path;
  let mode: number | undefined;
  try {
    target = await realpath(path);
    const existing = await stat(target);
    if (!existing.isFile()) {
      await writeFile(target, content);
      return;
    }
    mode = existing.mode & 0o7777;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new UserError(`${path}: cannot write (${(error as Error).message})`);
    target = await danglingLinkTarget(path);
  }
  const temporary = join(dirname(target), `.${basename(target)}.offgil-${process.pid}.tmp`);
  try {
    await writeFile(temporary, content);
    if (mode !== undefined) await chmod(temporary, mode);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UserError(`${path}: cannot write (${(error as Error).message})`);
  }
}

/** Where a symlink that points to no file yet points (the shell's `>` creates that file), else the path. */
async function danglingLinkTarget(path: string): Promise<string> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return path;
    return resolve(dirname(path), await readlink(path));
  } catch {
    return path;
  }
}

/** Writes to the file `path`, or to stdout when `path` is undefined or `-`. */
export async function writeOutput(path: string | undefined, content: OutputContent): Promise<void> {
  if (path !== undefined && path !== '-') {
    await writeFileAtomically(path, content);
    return;
  }
  const chunks = typeof content === 'string' || content instanceof Uint8Array ? [content] : content;
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => {
      if (process.stdout.write(chunk)) resolve();
      else process.stdout.once('drain', resolve);
    });
  }
}

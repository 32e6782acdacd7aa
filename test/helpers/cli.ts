/** Runs the built command-line tools as a user would. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runBin(bin: string, args: readonly string[], options: SpawnSyncOptions & { input?: string | Buffer } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', bin), ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  return { status: result.status, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

export function runOffgil(args: readonly string[], options: SpawnSyncOptions & { input?: string | Buffer } = {}): CliResult {
  return runBin('offgil', args, options);
}

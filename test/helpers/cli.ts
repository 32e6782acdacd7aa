/** Runs the built command-line tools as a user would. */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
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

/** The same without blocking the test's event loop (for tests that run a program next to offgil). */
export function runOffgilAsync(args: readonly string[], cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'offgil'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Live recordings with real perf for end-to-end tests (root, CI). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from './paths.js';

export const SCHED_EVENTS = ['-e', 'sched:sched_switch', '-e', 'sched:sched_wakeup', '-e', 'sched:sched_waking'];

export const GIL_WORKLOAD = join(FIXTURES, 'workloads', 'gil_contention.py');

export interface PythonBuild {
  python: string;
  libpython: string;
  version: string;
}

/** A pyenv CPython with a shared libpython that has symbols (take_gil visible); 3.11 preferred. */
export function findPythonWithSymbols(preferred = ['3.11.7', '3.12.1', '3.10.13', '3.13.0', '3.8.18']): PythonBuild | undefined {
  const versions = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
  for (const version of preferred) {
    const short = version.split('.').slice(0, 2).join('.');
    const python = join(versions, version, 'bin', `python${short}`);
    const libpython = join(versions, version, 'lib', `libpython${short}.so.1.0`);
    if (existsSync(python) && existsSync(libpython)) return { python, libpython, version };
  }
  return undefined;
}

/** `perf record` of the scheduler events with dwarf stacks, as offgil's docs tell users to record. */
export function recordSched(output: string, command: readonly string[], extra: readonly string[] = []): void {
  execFileSync(
    'perf',
    ['record', '-q', '-N', ...SCHED_EVENTS, '--switch-events', '--call-graph', 'dwarf', '-k', 'CLOCK_MONOTONIC', ...extra, '-o', output, '--', ...command],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 },
  );
}

export function perfScriptText(data: string): string {
  return execFileSync('perf', ['script', '--no-inline', '--show-switch-events', '-i', data], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

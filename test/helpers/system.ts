/**
 * Tests that need the real system (perf with root, Debian chromium) skip loudly on a developer machine
 * that lacks it, and fail in CI: `.ci/run` sets OFFGIL_REQUIRE_SYSTEM_TESTS=1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

export const SYSTEM_TESTS_REQUIRED = process.env.OFFGIL_REQUIRE_SYSTEM_TESTS === '1';

export const CHROMIUM = '/usr/bin/chromium';

/** Skips the test with a loud message, or fails it when system tests are required. */
export function requireOrSkip(t: TestContext, missing: string | undefined): boolean {
  if (missing === undefined) return true;
  if (SYSTEM_TESTS_REQUIRED) throw new Error(`required system test cannot run: ${missing}`);
  process.stderr.write(`\n!!! SKIPPED ${t.name}: ${missing} (CI sets OFFGIL_REQUIRE_SYSTEM_TESTS=1 and fails here)\n\n`);
  t.skip(missing);
  return false;
}

let perfProblem: string | undefined | null = null;

/** Why `perf record` of sched tracepoints cannot run here, or undefined when it can. */
export function perfUnavailable(): string | undefined {
  if (perfProblem !== null) return perfProblem;
  try {
    execFileSync('perf', ['record', '-q', '-e', 'sched:sched_switch', '-o', '/dev/null', '--', 'true'], { stdio: 'pipe', timeout: 30_000 });
    perfProblem = undefined;
  } catch (error) {
    perfProblem = `perf cannot record sched tracepoints here (${(error as Error).message.split('\n')[0]})`;
  }
  return perfProblem;
}

export function chromiumUnavailable(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const CONFORMANCE = join(ROOT, 'test', 'conformance');
export const OFFGIL_BIN = join(ROOT, 'bin', 'offgil');

/** The published package: `npm pack` contents (of the dist/ that npm test just built), and an install that runs no scripts and works. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, ROOT } from './helpers/paths.js';

test('npm pack ships bin, dist/src and docs; npm install -g of it runs no install script and the commands work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offgil-pack-'));
  const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)) as { filename: string; files: { path: string }[] }[];
  const files = packed[0]!.files.map((file) => file.path);
  for (const path of ['bin/offgil', 'bin/flamegraph', 'dist/src/index.js', 'dist/src/cli/offgil.js', 'docs/holders.md', 'README.md', 'package.json']) assert.ok(files.includes(path), path);
  assert.ok(!files.some((path) => path.startsWith('test/') || path.startsWith('dist/test/') || path.startsWith('fixtures/')), 'no tests or fixtures');
  const prefix = join(dir, 'prefix');
  const log = execFileSync('npm', ['install', '-g', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', prefix, join(dir, packed[0]!.filename)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  assert.doesNotMatch(log, /install script|prepare|postinstall/i);
  const offgil = join(prefix, 'bin', 'offgil');
  assert.match(execFileSync(offgil, ['--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+\n$/);
  const folded = execFileSync(offgil, ['-i', join(FIXTURES, 'gil-3.11-switch.txt.gz'), '--tid'], { encoding: 'utf8' });
  assert.equal(folded.trimEnd().split('\n').length, 5);
  assert.ok(readdirSync(join(prefix, 'lib', 'node_modules', 'offgil', 'node_modules')).includes('d3-flame-graph'), 'the HTML page finds d3-flame-graph');
});

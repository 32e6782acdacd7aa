/**
 * The browser code the HTML page inlines, read from node_modules when first needed: the one place of
 * the HTML renderer that does I/O (renderHtml itself only builds text).
 *
 * d3-flame-graph's UMD build reads d3-selection, d3-format, d3-array, d3-hierarchy, d3-scale,
 * d3-ease, d3-transition and d3-dispatch from the global `d3`; each d3 package's UMD build adds itself
 * to that global and reads its own dependencies from it, so they load dependencies first. The
 * flame graph build injects its own stylesheet, so no separate CSS file is needed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface ScriptAsset {
  /** `name@version (license)`, written as a comment before the code. */
  label: string;
  source: string;
}

/** [package, UMD file], every package after the packages it reads from `d3`. */
const SCRIPTS: readonly (readonly [string, string])[] = [
  ['d3-array', 'dist/d3-array.min.js'],
  ['d3-color', 'dist/d3-color.min.js'],
  ['d3-interpolate', 'dist/d3-interpolate.min.js'],
  ['d3-format', 'dist/d3-format.min.js'],
  ['d3-time', 'dist/d3-time.min.js'],
  ['d3-time-format', 'dist/d3-time-format.min.js'],
  ['d3-scale', 'dist/d3-scale.min.js'],
  ['d3-dispatch', 'dist/d3-dispatch.min.js'],
  ['d3-timer', 'dist/d3-timer.min.js'],
  ['d3-ease', 'dist/d3-ease.min.js'],
  ['d3-selection', 'dist/d3-selection.min.js'],
  ['d3-transition', 'dist/d3-transition.min.js'],
  ['d3-hierarchy', 'dist/d3-hierarchy.min.js'],
  ['d3-flame-graph', 'dist/d3-flamegraph.umd.min.js'],
];

/**
 * The directory of an installed package, looked up like `require` does. The d3 packages' `exports`
 * do not expose package.json, so it cannot be resolved directly.
 */
function packageDir(from: NodeJS.Require, name: string): string {
  for (const modules of from.resolve.paths(name) ?? []) {
    const dir = join(modules, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`offgil --html needs the npm package ${name}, which is not installed`);
}

function loadScripts(): ScriptAsset[] {
  const flameGraphDir = packageDir(createRequire(import.meta.url), 'd3-flame-graph');
  // The d3 packages are d3-flame-graph's dependencies: resolve them from there, as it would.
  const fromFlameGraph = createRequire(join(flameGraphDir, 'package.json'));
  return SCRIPTS.map(([name, file]) => {
    const dir = name === 'd3-flame-graph' ? flameGraphDir : packageDir(fromFlameGraph, name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license: string };
    return { label: `${name}@${pkg.version} (${pkg.license})`, source: readFileSync(join(dir, file), 'utf8') };
  });
}

let cached: ScriptAsset[] | undefined;

export function flameGraphScripts(): readonly ScriptAsset[] {
  cached ??= loadScripts();
  return cached;
}

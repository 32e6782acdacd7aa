/**
 * stackcollapse-perf.pl's rules for the frames of one stack line, on latin1-decoded text (one char
 * per byte, so every byte survives). They run once per distinct (symbol, module); the collapser
 * caches their result.
 */
import { newStackLineRanges, scanStackLine } from './stackLineScan.js';

/** The parts of a stack line the rules look at (stackLineScan.ts finds them). */
export interface FrameLineParts {
  /** The address as printed, used by `--addrs`. */
  pc: string;
  /** The symbol without its `+0x…` offset, possibly an inline chain `outer->inner`. */
  name: string;
  module: string;
}

export interface FrameRules {
  /** `--addrs`: `[unknown]` frames show their address. */
  addrs: boolean;
  /** `--kernel`: `_[k]` on kernel frames. */
  kernel: boolean;
  /** `--jit`: `_[j]` on frames from `/tmp/perf-PID.map`. */
  jit: boolean;
}

/** The parts of a stack line given as text, or undefined when it is not one. */
export function splitFrameLine(line: string): FrameLineParts | undefined {
  const buf = Buffer.from(line, 'latin1');
  const r = newStackLineRanges();
  if (!scanStackLine(buf, 0, buf.length, r)) return undefined;
  return { pc: line.slice(r.pcStart, r.pcEnd), name: line.slice(r.nameStart, r.nameEnd), module: line.slice(r.moduleStart, r.moduleEnd) };
}

const OPEN_PAREN = 0x28;

/**
 * The frames a stack line contributes, in written order (an inline chain `a->b->c` gives three);
 * empty when Perl drops the line (a symbol starting with `(`, or nothing left after `+0x…`).
 */
export function collapseFrame(parts: FrameLineParts, rules: FrameRules, javaProcess: boolean): string[] {
  if (parts.name.charCodeAt(0) === OPEN_PAREN) return [];
  const pieces = splitInlineChain(parts.name);
  const frames: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    let name = tidyName(unknownName(pieces[i]!, parts, rules.addrs));
    if (javaProcess && name.includes('/') && name.startsWith('L')) name = name.slice(1);
    frames.push(annotate(name, parts.module, rules, i > 0));
  }
  return frames;
}

/** Perl's `split /->/`: trailing empty fields are dropped, leading ones kept. */
export function splitInlineChain(symbol: string): string[] {
  const pieces = symbol.split('->');
  while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

/** `[unknown]` becomes the module's basename in brackets (`[libc-2.31.so]`), with `--addrs` also the address. */
export function unknownName(piece: string, parts: FrameLineParts, addrs: boolean): string {
  if (piece !== '[unknown]') return piece;
  const name = parts.module === '[unknown]' ? 'unknown' : parts.module.slice(parts.module.lastIndexOf('/') + 1);
  return addrs ? `[${name} <${parts.pc}>]` : `[${name}]`;
}

/**
 * `;` → `:` (it separates frames in the output), arguments cut at the first `(` unless it opens
 * `(anonymous namespace)` or the name looks like a Go method (`net/http.(*Client).Do`), quotes deleted.
 */
export function tidyName(name: string): string {
  let tidy = name.replaceAll(';', ':');
  if (!isGoMethod(tidy)) {
    for (let open = tidy.indexOf('('); open >= 0; open = tidy.indexOf('(', open + 1)) {
      if (!tidy.startsWith('anonymous namespace)', open + 1)) {
        tidy = tidy.slice(0, open);
        break;
      }
    }
  }
  return tidy.replace(/["']/g, '');
}

/** `/\.\(.*\)\./` */
function isGoMethod(name: string): boolean {
  const open = name.indexOf('.(');
  return open >= 0 && name.lastIndexOf(').') >= open + 2;
}

const JIT_MAP = /\/tmp\/perf-\d+\.map/;

/** At most one of `_[i]` (inlined, every piece after the first of a chain), `_[k]`, `_[j]`. */
export function annotate(name: string, module: string, rules: FrameRules, inlined: boolean): string {
  if (inlined) return name.includes('_[i]') ? name : `${name}_[i]`;
  if (rules.kernel && (module.startsWith('[') || module.endsWith('vmlinux')) && !module.includes('unknown')) return `${name}_[k]`;
  if (rules.jit && JIT_MAP.test(module)) return name.includes('_[j]') ? name : `${name}_[j]`;
  return name;
}

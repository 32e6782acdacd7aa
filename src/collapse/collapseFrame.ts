/**
 * stackcollapse-perf.pl's rules for one stack line, on a latin1-decoded line (one char per byte, so
 * every byte survives). These run once per distinct line; the collapser caches their result.
 */
import { isPerlSpace, isWordChar } from './perlChars.js';

/** The captures of `/^\s*(\w+)\s*(.+) \((.*)\)/`. */
export interface FrameLineParts {
  /** The address as printed, used by `--addrs`. */
  pc: string;
  /** The symbol, possibly `+0x…`-suffixed, possibly an inline chain `outer->inner`. */
  symbol: string;
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

/**
 * Splits a stack line as the Perl regex does, or returns undefined for an unrecognized line. The
 * module sits between the last ` (` that has a `)` after it and the last `)`; text after that `)`
 * is ignored. When the symbol would be empty, Perl backtracks into the blanks or the address.
 */
export function splitFrameLine(line: string): FrameLineParts | undefined {
  let pcStart = 0;
  while (pcStart < line.length && isPerlSpace(line.charCodeAt(pcStart))) pcStart++;
  let pcEnd = pcStart;
  while (pcEnd < line.length && isWordChar(line.charCodeAt(pcEnd))) pcEnd++;
  if (pcEnd === pcStart) return undefined;
  let symbolStart = pcEnd;
  while (symbolStart < line.length && isPerlSpace(line.charCodeAt(symbolStart))) symbolStart++;
  const close = line.lastIndexOf(')');
  const open = close < 2 ? -1 : line.lastIndexOf(' (', close - 2);
  if (open < 0) return undefined;
  if (open <= symbolStart) {
    if (open > pcEnd) symbolStart = open - 1;
    else if (open === pcEnd && pcEnd - pcStart >= 2) symbolStart = pcEnd = open - 1;
    else return undefined;
  }
  return { pc: line.slice(pcStart, pcEnd), symbol: line.slice(symbolStart, open), module: line.slice(open + 2, close) };
}

const OPEN_PAREN = 0x28;

/**
 * The frames a stack line contributes, in written order (an inline chain `a->b->c` gives three);
 * empty when Perl drops the line (a symbol starting with `(`, or nothing left after `+0x…`).
 */
export function collapseFrame(parts: FrameLineParts, rules: FrameRules, javaProcess: boolean): string[] {
  const symbol = stripOffset(parts.symbol);
  if (symbol.charCodeAt(0) === OPEN_PAREN) return [];
  const pieces = splitInlineChain(symbol);
  const frames: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    let name = tidyName(unknownName(pieces[i]!, parts, rules.addrs));
    if (javaProcess && name.includes('/') && name.startsWith('L')) name = name.slice(1);
    frames.push(annotate(name, parts.module, rules, i > 0));
  }
  return frames;
}

/** `s/\+0x[\da-f]+$//`: only lowercase hex, so `UPPER+0x1F` stays. */
export function stripOffset(symbol: string): string {
  let hexStart = symbol.length;
  while (hexStart > 0 && isLowerHexDigit(symbol.charCodeAt(hexStart - 1))) hexStart--;
  if (hexStart === symbol.length || hexStart < 3 || !symbol.startsWith('+0x', hexStart - 3)) return symbol;
  return symbol.slice(0, hexStart - 3);
}

function isLowerHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66);
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

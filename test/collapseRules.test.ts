/** conformance/README.md §2: stackcollapse-perf.pl's rules, one at a time, on tiny inputs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collapseFrame, splitFrameLine, type FrameRules } from '../src/collapse/collapseFrame.js';
import { newHeaderRanges, scanHeader } from '../src/collapse/collapseHeader.js';
import { addCounts, formatCount, parseDigits } from '../src/collapse/perlCount.js';
import { collapse, StackCollapser, type CollapseOptions, type CollapseWarning } from '../src/collapse/stackCollapser.js';
import { PerfInputError } from '../src/perf/scriptParser.js';

const NO_RULES: FrameRules = { addrs: false, kernel: false, jit: false };

/** Frames of one stack line as the Perl script makes them. */
function frames(line: string, rules: Partial<FrameRules> = {}, javaProcess = false): string[] {
  const parts = splitFrameLine(line);
  assert.ok(parts, `not a stack line: ${line}`);
  return collapseFrame(parts, { ...NO_RULES, ...rules }, javaProcess);
}

/** One record with the given stack lines (leaf first) under `header`, ended by a blank line. */
function record(header: string, ...stack: string[]): string {
  return [header, ...stack.map((line) => `\t${line}`), '', ''].join('\n');
}

function folded(input: string | Buffer, options: CollapseOptions = {}): string {
  const collapser = new StackCollapser(options);
  collapser.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  collapser.endInput();
  return collapser.folded().toString('utf8');
}

function warningsOf(input: string, options: CollapseOptions = {}): CollapseWarning[] {
  const warnings: CollapseWarning[] = [];
  const collapser = new StackCollapser(options, (warning) => warnings.push(warning));
  collapser.push(Buffer.from(input, 'utf8'));
  collapser.end();
  return warnings;
}

const HEADER = 'app 100/101 [000] 1.000000: 7 cycles:';

describe('stack line split (/^\\s*(\\w+)\\s*(.+) \\((.*)\\)/, offset stripped)', () => {
  test('address, symbol and module; the module is between the last " (" and the last ")"', () => {
    assert.deepEqual(splitFrameLine('\t    7f00 foo (/usr/lib/libc.so.6)'), { pc: '7f00', name: 'foo', module: '/usr/lib/libc.so.6' });
    assert.deepEqual(splitFrameLine('\t1 weird;name (spaced) (/opt/bin)'), { pc: '1', name: 'weird;name (spaced)', module: '/opt/bin' });
    assert.deepEqual(splitFrameLine('\t1 f (/memfd:x (deleted))'), { pc: '1', name: 'f (/memfd:x', module: 'deleted)' });
    assert.deepEqual(splitFrameLine('\t1 f (mod) trailing'), { pc: '1', name: 'f', module: 'mod' });
  });

  test('Perl backtracks when the symbol would be empty', () => {
    // `(.+)` needs a character: it takes the blank before ` (`, or the address's last character.
    assert.deepEqual(splitFrameLine('  abc  (mod)'), { pc: 'abc', name: ' ', module: 'mod' });
    assert.deepEqual(splitFrameLine('    abc (mod)'), { pc: 'ab', name: 'c', module: 'mod' });
    assert.deepEqual(splitFrameLine('\t7f00 (mod)'), { pc: '7f0', name: '0', module: 'mod' });
  });

  test('lines that are not stack lines', () => {
    for (const line of ['   ', '\tthis line is not a frame', '\t7f00 foo', '\t(mod)', '\t7 (mod)', '\t;x (mod)']) {
      assert.equal(splitFrameLine(line), undefined, line);
    }
  });
});

describe('per-frame rules', () => {
  test('a final +0x<lowercase hex> is stripped, once', () => {
    assert.deepEqual(frames('1 compute+0x1f (/opt/app)'), ['compute']);
    assert.deepEqual(frames('1 UPPER+0x1F (/opt/app)'), ['UPPER+0x1F']);
    const name = (symbol: string): string | undefined => splitFrameLine(`\t1 ${symbol} (/m)`)?.name;
    assert.equal(name('foo+0x12+0xab'), 'foo+0x12');
    assert.equal(name('foo+0xab0x12'), 'foo+0xab0x12');
    assert.equal(name('foo+0x'), 'foo+0x');
    assert.equal(name('+0x10'), '');
    assert.deepEqual(frames('1 +0x10 (/m)'), []);
  });

  test('a symbol starting with "(" drops the frame', () => {
    assert.deepEqual(frames('1 (anonymous namespace)::hidden(int)+0x20 (/opt/cxx)'), []);
    assert.equal(folded(record(HEADER, '1 leaf (/m)', '2 (anonymous namespace)::f+0x1 (/m)', '3 root (/m)')), 'app;root;leaf 7\n');
  });

  test('an inline chain a->b->c gives a, b_[i], c_[i]; trailing empty pieces go, leading ones stay', () => {
    assert.deepEqual(frames('1 outer->mid->inner+0x40 (/m)'), ['outer', 'mid_[i]', 'inner_[i]']);
    assert.deepEqual(frames('1 outer->->inner (/m)'), ['outer', '_[i]', 'inner_[i]']);
    assert.deepEqual(frames('1 a-> (/m)'), ['a']);
    assert.deepEqual(frames('1 ->x (/m)'), ['', 'x_[i]']);
    assert.deepEqual(frames('1 a->already_[i] (/m)'), ['a', 'already_[i]']);
    // The pieces of one line keep their written order in the folded stack.
    assert.equal(folded(record(HEADER, '1 leaf (/m)', '2 outer->inner (/m)')), 'app;outer;inner_[i];leaf 7\n');
  });

  test('[unknown] becomes the module basename in brackets; --addrs adds the address', () => {
    assert.deepEqual(frames('7f02 [unknown] (/usr/lib/libpthread-2.31.so)'), ['[libpthread-2.31.so]']);
    assert.deepEqual(frames('ffff0200 [unknown] ([kernel.kallsyms])'), ['[[kernel.kallsyms]]']);
    assert.deepEqual(frames('7f03 [unknown] ([unknown])'), ['[unknown]']);
    assert.deepEqual(frames('7f02 [unknown] (/lib/libc.so)', { addrs: true }), ['[libc.so <7f02>]']);
    assert.deepEqual(frames('7f03 [unknown] ([unknown])', { addrs: true }), ['[unknown <7f03>]']);
    assert.deepEqual(frames('7f02 known (/lib/libc.so)', { addrs: true }), ['known']);
  });

  test('";" becomes ":"', () => {
    assert.deepEqual(frames('1 Ljava/util/HashMap;::get (/tmp/perf-1.map)'), ['Ljava/util/HashMap:::get']);
  });

  test('arguments are cut at the first "(" except (anonymous namespace) and Go methods', () => {
    assert.deepEqual(frames('1 ns::Klass::method(int, char const*) const+0x10 (/m)'), ['ns::Klass::method']);
    assert.deepEqual(frames('1 ns::(anonymous namespace)::helper(double) (/m)'), ['ns::(anonymous namespace)::helper']);
    assert.deepEqual(frames('1 std::function<int (int, int)>::operator()(int, int) const (/m)'), ['std::function<int ']);
    assert.deepEqual(frames('1 weird;name (spaced) (/m)'), ['weird:name ']);
    assert.deepEqual(frames('1 net/http.(*Client).Do+0x30 (/opt/go)'), ['net/http.(*Client).Do']);
    assert.deepEqual(frames('1 main.(*server).handle.func1 (/opt/go)'), ['main.(*server).handle.func1']);
  });

  test('quotes are deleted, backslashes stay', () => {
    assert.deepEqual(frames(`1 RegExp:[&<>\\"\\'] (/tmp/perf-2000.map)`), ['RegExp:[&<>\\\\]']);
  });

  test('Java: a process starting with "java" loses one leading L of names with "/"', () => {
    assert.deepEqual(frames('1 Ljava/util/HashMap;::get (/tmp/perf-3.map)', {}, true), ['java/util/HashMap:::get']);
    assert.deepEqual(frames('1 LNoSlash;::method (/tmp/perf-3.map)', {}, true), ['LNoSlash:::method']);
    assert.deepEqual(frames('1 Ljava/util/HashMap;::get (/tmp/perf-3.map)', {}, false), ['Ljava/util/HashMap:::get']);
    const stack = '1 Lcom/x/Main;::run (/tmp/perf-3.map)';
    assert.equal(folded(record('java 3/3 [0] 1.0: 1 cycles:', stack)), 'java;com/x/Main:::run 1\n');
    assert.equal(folded(record('notjava 3/3 [0] 1.0: 1 cycles:', stack)), 'notjava;Lcom/x/Main:::run 1\n');
    // With --pid the process frame is java-3, which still starts with "java".
    assert.equal(folded(record('java 3/3 [0] 1.0: 1 cycles:', stack), { pid: true }), 'java-3;com/x/Main:::run 1\n');
    // The same line in a Java and a non-Java process.
    assert.equal(
      folded(record('java 3/3 [0] 1.0: 1 cycles:', stack) + record('other 4/4 [0] 1.0: 1 cycles:', stack)),
      'java;com/x/Main:::run 1\nother;Lcom/x/Main:::run 1\n',
    );
  });

  test('annotations: _[k] kernel, _[j] JIT map, _[i] inline (at most one, never doubled)', () => {
    const all = { kernel: true, jit: true };
    assert.deepEqual(frames('1 native_write_msr+0x6 ([kernel.kallsyms])', all), ['native_write_msr_[k]']);
    assert.deepEqual(frames('1 nf_hook_slow ([nf_conntrack])', all), ['nf_hook_slow_[k]']);
    assert.deepEqual(frames('1 tcp_sendmsg (/usr/lib/debug/boot/vmlinux)', all), ['tcp_sendmsg_[k]']);
    assert.deepEqual(frames('1 f (/boot/vmlinux-5.4.14)', all), ['f']);
    assert.deepEqual(frames('1 [unknown] ([unknown])', all), ['[unknown]']);
    assert.deepEqual(frames('1 [unknown] ([kernel.kallsyms])', all), ['[[kernel.kallsyms]]_[k]']);
    assert.deepEqual(frames('1 Interpreter (/tmp/perf-3000.map)', all), ['Interpreter_[j]']);
    assert.deepEqual(frames('1 f_[j] (/tmp/perf-3000.map)', all), ['f_[j]']);
    assert.deepEqual(frames('1 f (/tmp/jitted-12-3.so)', all), ['f']);
    assert.deepEqual(frames('1 a->b (/tmp/perf-1.map)', all), ['a_[j]', 'b_[i]']);
    assert.deepEqual(frames('1 a->b ([kernel.kallsyms])', all), ['a_[k]', 'b_[i]']);
    assert.deepEqual(frames('1 native_write_msr ([kernel.kallsyms])', { jit: true }), ['native_write_msr']);
    assert.deepEqual(frames('1 Interpreter (/tmp/perf-3000.map)', { kernel: true }), ['Interpreter']);
    assert.equal(folded(record(HEADER, '1 f ([kernel.kallsyms])'), { all: true }), 'app;f_[k] 7\n');
  });
});

describe('header rule', () => {
  function header(line: string): { comm: string; first: string; second: string; event?: string; period?: string } | undefined {
    const buf = Buffer.from(line, 'latin1');
    const r = newHeaderRanges();
    if (!scanHeader(buf, 0, buf.length, r)) return undefined;
    const text = (start: number, end: number): string => buf.toString('latin1', start, end);
    return {
      comm: text(0, r.commEnd),
      first: text(r.firstIdStart, r.firstIdEnd),
      second: text(r.secondIdStart, r.secondIdEnd),
      ...(r.eventStart >= 0 ? { event: text(r.eventStart, r.eventEnd), period: text(r.periodStart, r.periodEnd) } : {}),
    };
  }

  test('the shortest name of at least two characters followed by blanks, digits, /digits, blank', () => {
    assert.deepEqual(header('V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:'), {
      comm: 'V8 WorkerThread',
      first: '24636',
      second: '25607',
      event: 'cycles',
      period: '100',
    });
    assert.deepEqual(header('Thread 2 7000 [007] 100.000012: 5 cycles:'), { comm: 'Thread', first: '2', second: '', event: 'cycles', period: '5' });
    assert.equal(header('a 9100/9101 [000] 100.000022: 23 cycles:')!.comm, 'a 9100/9101 [000] 100.000022:');
    assert.equal(header('swapper     0 [000] 1.0: cycles:')!.first, '0');
    assert.equal(header('ab 12x 34 1.0: cycles:')!.comm, 'ab 12x');
    assert.equal(header('java 12688/12764 6544038.708352: 10309278 cpu-clock:')!.period, '10309278');
    assert.equal(header('noids here: cycles:'), undefined);
  });

  test('event and period: the line must end in ": [PERIOD] EVENT:"', () => {
    assert.deepEqual(header('pr 1/1 [0] 1.0:     250000 cycles: ')!.event, 'cycles');
    assert.deepEqual(header('pr 1/1 [0] 1.0: cpu-clock:uhH:')!.event, 'cpu-clock:uhH');
    assert.deepEqual(header('pr 1/1 [0] 1.0: cycles:')!.period, '');
    assert.deepEqual(header('pr 1/1 [0] 1.0: 1 sched:sched_wakeup: comm=x pid=2')!.event, undefined);
    assert.deepEqual(header('pr 1/1 [0] 1.0: 100:')!.event, '100');
    assert.deepEqual(header('pr 1/1 [0] 1.0:7 cycles:')!.period, '7');
    assert.deepEqual(header('pr 1/1 [0] 1.0: x 7 cycles:')!.event, undefined);
  });

  test('process frame: COMM, --pid COMM-PID, --tid COMM-PID/TID; "A/0" and "A" mean TID A, PID ?', () => {
    const input =
      record('V8 WorkerThread 2000/2001 [002] 1.0: 1 cycles:', '1 f (/m)') +
      record('swapper     0/0 [000] 1.0: 1 cycles:', '1 g (/m)') +
      record('one 55 [000] 1.0: 1 cycles:', '1 h (/m)') +
      record('zero 7/00 [000] 1.0: 1 cycles:', '1 k (/m)');
    assert.equal(folded(input), 'V8_WorkerThread;f 1\none;h 1\nswapper;g 1\nzero;k 1\n');
    assert.equal(folded(input, { pid: true }), 'V8_WorkerThread-2000;f 1\none-?;h 1\nswapper-?;g 1\nzero-7;k 1\n');
    assert.equal(folded(input, { tid: true, pid: true }), 'V8_WorkerThread-2000/2001;f 1\none-?/55;h 1\nswapper-?/0;g 1\nzero-7/00;k 1\n');
  });

  test('periods: missing or "0" count 1, "00" counts 0, big sums as Perl prints them', () => {
    const stack = '1 f (/m)';
    assert.equal(folded(record('pr 1/1 [0] 1.0: cycles:', stack) + record('pr 1/1 [0] 1.0: 0 cycles:', stack)), 'pr;f 2\n');
    assert.equal(folded(record('pr 1/1 [0] 1.0: 00 cycles:', stack)), 'pr;f 0\n');
    assert.equal(folded(record('pr 1/1 [0] 1.0: 9007199254740993 cycles:', stack)), 'pr;f 9007199254740993\n');
    const max = '18446744073709551615';
    assert.equal(folded(record(`pr 1/1 [0] 1.0: ${max} cycles:`, stack)), `pr;f ${max}\n`);
    assert.equal(folded(record(`pr 1/1 [0] 1.0: ${max} cycles:`, stack) + record('pr 1/1 [0] 1.0: 1 cycles:', stack)), 'pr;f 1.84467440737096e+19\n');
    assert.equal(folded(record('pr 1/1 [0] 1.0: 99999999999999999999999 cycles:', stack)), 'pr;f 1e+23\n');
    assert.equal(formatCount(addCounts(parseDigits('9007199254740991'), 2)), '9007199254740993');
    assert.equal(formatCount(parseDigits('1'.padEnd(400, '0'))), 'Inf');
  });
});

describe('records and the Perl script quirks', () => {
  test('a record not followed by an exactly empty line is never added', () => {
    assert.equal(folded(`${HEADER}\n\t1 f (/m)\n`), '');
    assert.equal(folded(`${HEADER}\n\t1 f (/m)`), '');
    assert.equal(folded(`${HEADER}\n\t1 f (/m)\n   \n`), '');
    assert.equal(folded(`${HEADER}\n\t1 f (/m)\n\n`), 'app;f 7\n');
  });

  test('whitespace-only lines and lines ending in \\r are not blank: they are unrecognized', () => {
    // Text after the module's ")" does not matter, so a stack line with a \r is still one.
    const input = `${HEADER}\n   \n\t1 f (/m)\r\n\n`;
    assert.deepEqual(
      warningsOf(input).map((w) => [w.line, w.message]),
      [[2, 'Unrecognized line:    ']],
    );
    assert.equal(folded(input), 'app;f 7\n');
    const crlf = `${HEADER}\r\n\t1 f (/m)\r\n\r\n`;
    assert.deepEqual(
      warningsOf(crlf).map((w) => [w.line, w.message]),
      [[3, 'Unrecognized line: \r']],
    );
    assert.equal(folded(crlf), '');
  });

  test('comments are skipped anywhere, even inside a record', () => {
    assert.equal(folded(`# cmdline : perf record\n${HEADER}\n\t1 leaf (/m)\n# note\n\t2 root (/m)\n\n`), 'app;root;leaf 7\n');
  });

  test('a header before the blank line: collected frames stay, the new name and period win', () => {
    const input = `${HEADER}\n\t1 first_leaf (/m)\nother 9/9 [0] 1.0: 19 cycles:\n\t2 second_leaf (/m)\n\n`;
    assert.equal(folded(input), 'other;second_leaf;first_leaf 19\n');
  });

  test('a record without frames is just PROCESS COUNT', () => {
    assert.equal(folded(`${HEADER}\n\n`), 'app 7\n');
  });

  test('frames without a header, or after a blank line, are dropped', () => {
    assert.equal(folded(`\t1 orphan (/m)\n\n${HEADER}\n\t1 f (/m)\n\n\t1 late (/m)\n\n`), 'app;f 7\n');
  });

  test('output is sorted by the bytes of the stack; bytes that are not UTF-8 pass through', () => {
    const input = [record(HEADER, '1 😀emoji (/m)'), record(HEADER, '1 Ａfullwidth (/m)'), record(HEADER, '1 zzz (/m)'), record(HEADER, '1 café (/m)')].join('');
    assert.equal(folded(input), 'app;café 7\napp;zzz 7\napp;Ａfullwidth 7\napp;😀emoji 7\n');
    const latin1 = Buffer.concat([Buffer.from(`${HEADER}\n\t1 caf`), Buffer.from([0xe9]), Buffer.from(' (/m)\n\n')]);
    const collapser = new StackCollapser();
    collapser.push(latin1);
    assert.deepEqual(collapser.folded(), Buffer.concat([Buffer.from('app;caf'), Buffer.from([0xe9]), Buffer.from(' 7\n')]));
    assert.deepEqual([...collapser.end()], [['app;caf\ufffd', 7]]);
  });

  test('a leading-space header (perf pads comm when there is no call chain) is not a header', () => {
    const input = '            perf  8100 [000] 1.0:          1 cycles:  ffffffff81000300 __schedule+0x2 ([kernel.kallsyms])\n\n';
    assert.equal(folded(input), '');
    assert.deepEqual(warningsOf(input), []);
  });

  test('collapse() takes text, bytes or lines', () => {
    const lines = [HEADER, '\t1 leaf (/m)', '\t2 root (/m)', ''];
    const expected = [['app;root;leaf', 7]];
    assert.deepEqual([...collapse(lines)], expected);
    assert.deepEqual([...collapse(`${lines.join('\n')}\n`)], expected);
    assert.deepEqual([...collapse(Buffer.from(`${lines.join('\n')}\n`))], expected);
  });

  test('each input ends on its own: a last line without newline is a line (Perl <> over several files)', () => {
    const warnings: CollapseWarning[] = [];
    const collapser = new StackCollapser({}, (warning) => warnings.push(warning));
    collapser.push(Buffer.from(`${HEADER}\n\t1 leaf (/m)\n\t2 ro`));
    collapser.endInput();
    collapser.push(Buffer.from('\t3 root (/m)\n\n'));
    assert.deepEqual([...collapser.end()], [['app;root;leaf', 7]]);
    assert.deepEqual(
      warnings.map((w) => [w.line, w.message]),
      [[3, 'Unrecognized line: \t2 ro']],
    );
  });
});

describe('event filter', () => {
  const mixed =
    record('pr 1/1 [0] 1.0: 10 cycles:', '1 a (/m)') +
    record('pr 1/1 [0] 1.0: 20 instructions:', '1 b (/m)') +
    record('pr 1/1 [0] 1.0: 30 branches:', '1 c (/m)') +
    record('pr 1/1 [0] 1.0: 1 sched:sched_switch: prev_comm=x', '1 d (/m)');

  test('by default the first event wins; stderr names the first skipped type, once', () => {
    assert.equal(folded(mixed), 'pr;a 10\npr;d 1\n');
    assert.deepEqual(
      warningsOf(mixed).map((w) => [w.kind, w.line, w.message]),
      [['event-filter', 4, 'Filtering for events of type: instructions']],
    );
  });

  test('--event-filter keeps that event (and events without a parsed name), silently', () => {
    assert.equal(folded(mixed, { eventFilter: 'instructions' }), 'pr;b 20\npr;d 1\n');
    assert.deepEqual(warningsOf(mixed, { eventFilter: 'instructions' }), []);
    assert.equal(folded(mixed, { eventFilter: 'cpu-clock' }), 'pr;d 1\n');
  });

  test('a skipped header leaves the previous process in force: its frames join that record', () => {
    const input = 'pr 1/1 [0] 1.0: 10 cycles:\n\t1 a (/m)\nq 2/2 [0] 1.0: 5 instructions:\n\t1 b (/m)\n\n';
    assert.equal(folded(input), 'pr;b;a 10\n');
  });
});

describe('repeated records (once taken whole from a cache) give what single records give', () => {
  const body = ['1 leaf+0x1 (/m)', '2 Lcom/x/Main;::run (/tmp/perf-1.map)', '3 root (/m)'];

  test('the same body at every byte offset, in Java and other processes, kept and filtered', () => {
    let input = '';
    for (let pad = 0; pad < 24; pad++) {
      input += record(`pr${'x'.repeat(pad)} 1/1 [0] 1.0: 2 cycles:`, ...body);
      input += record(`java 1/1 [0] 1.0: 3 cycles:`, ...body);
      input += record(`qr 1/1 [0] 1.0: 9 instructions:`, ...body);
    }
    const lines = folded(input).split('\n');
    assert.equal(lines.length, 24 + 1 + 1);
    assert.ok(lines.includes('java;root;com/x/Main:::run;leaf 72'));
    assert.ok(lines.includes('prxxxxx;root;Lcom/x/Main:::run;leaf 2'));
    assert.ok(!lines.some((line) => line.startsWith('qr')));
  });

  test('warnings keep their line numbers among repeated records', () => {
    const clean = record(HEADER, ...body);
    const dirty = record(HEADER, body[0]!, 'junk', body[2]!);
    const input = clean.repeat(50) + dirty + clean + dirty;
    const warnings = warningsOf(input).map((w) => w.line);
    assert.deepEqual(warnings, [50 * 5 + 3, 50 * 5 + 5 + 5 + 3]);
    assert.equal(folded(input), 'app;root;Lcom/x/Main:::run;leaf 357\napp;root;leaf 14\n');
  });
});

describe('caches never change the output', () => {
  test('a function at thousands of addresses and offsets is one frame; [unknown] with --addrs keeps each address', () => {
    let input = '';
    for (let i = 0; i < 3000; i++) {
      input += record(HEADER, `${(0x400000 + i * 8).toString(16)} hot+0x${(i % 977).toString(16)} (/m)`, `${(0x7f00 + i).toString(16)} [unknown] (/lib/libc.so)`, '1 root (/m)');
    }
    assert.equal(folded(input), `app;root;[libc.so];hot ${3000 * 7}\n`);
    const addrs = folded(input, { addrs: true }).split('\n');
    assert.equal(addrs.length, 3000 + 1);
    assert.equal(addrs[0], 'app;root;[libc.so <7f00>];hot 7');
  });

  test('records that never repeat, then records that do, are all counted right', () => {
    let input = '';
    for (let i = 0; i < 5000; i++) input += record(HEADER, `${(0x400000 + i).toString(16)} leaf (/m)`, '2 root (/m)');
    for (let i = 0; i < 300; i++) input += record(HEADER, '1 other (/m)', '2 root (/m)');
    assert.equal(folded(input), `app;root;leaf ${5000 * 7}\napp;root;other ${300 * 7}\n`);
  });
});

describe('bad input', () => {
  test('a NUL byte is binary data: PerfInputError with its line, after the lines before it', () => {
    const collapser = new StackCollapser();
    collapser.push(Buffer.from(`${HEADER}\n\t1 f (/m)\n\n`));
    assert.throws(
      () => collapser.push(Buffer.from(`${HEADER}\n\t1 g\0 (/m)\n\n`)),
      (error: unknown) => error instanceof PerfInputError && error.line === 5 && /NUL/.test(error.message),
    );
    assert.equal(collapser.folded().toString(), 'app;f 7\n');
    assert.throws(() => new StackCollapser().pushLine(Buffer.from('a\0b'), 0, 3), PerfInputError);
  });
});

/** Findings about the input that the user should act on, each with a one-line message. */
import type { AnalysisStats } from './analyze.js';
import type { ForeignLines, SkippedEvents } from './perf/scriptParser.js';

export type WarningCode =
  | 'no-switch-events'
  | 'no-stacks'
  | 'unsymbolized-python'
  | 'truncated-stacks'
  | 'no-python'
  | 'state-not-found'
  | 'time-goes-back'
  | 'no-releases'
  | 'foreign-lines'
  | 'skipped-events'
  | 'lost-records'
  | 'unresolved-python-frames'
  | 'viztracer-mismatch'
  | 'viztracer-no-overlap'
  | 'viztracer-benign'
  | 'viztracer-outside'
  | 'open-intervals'
  | 'wakeups-without-interval';

/** Warnings that mean GIL waits cannot be seen in the input, so no conclusion about the GIL holds. */
export const GIL_HIDING_WARNINGS: ReadonlySet<WarningCode> = new Set(['no-switch-events', 'no-stacks', 'unsymbolized-python', 'truncated-stacks', 'no-python']);

/** The share of switch-out stacks cut short in the C library from which offgil warns. */
export const TRUNCATED_SHARE = 0.2;

export interface Warning {
  code: WarningCode;
  /** `warning`: the result is probably wrong or empty; `note`: expected in most recordings, counted. */
  severity: 'warning' | 'note';
  count: number;
  message: string;
}

const RECORD_HINT =
  'perf record -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking --switch-events --call-graph dwarf -k CLOCK_MONOTONIC';

/** What the stages noticed about the frames themselves. */
export interface FrameFindings {
  /** Python interpreter binaries whose GIL waits cannot be seen for lack of symbols. */
  unsymbolizedPythons: readonly string[];
  /** perf maps (`/tmp/perf-PID.map`, jitted code) that had no symbol for frames pointing into them. */
  unresolvedPerfMaps: readonly string[];
  /** Switch-out stacks with user-space frames, and how many of them stop in the C library before the thread's entry. */
  stacksWithUserFrames: number;
  stacksCutShort: number;
  /** Switch-out stacks through a Python interpreter (libpython or the python binary). */
  stacksThroughPython: number;
  /** Classes asked for (`--state`) that no interval has. */
  missingStates: readonly string[];
  /** How the user asks for a bigger perf buffer where they recorded (`offgil record` has its own spelling). */
  biggerBuffer?: string | undefined;
}

const SHORT: Partial<Record<WarningCode, (warning: Warning) => string>> = {
  'lost-records': (warning) => `perf lost events ${warning.count} times`,
  'no-switch-events': () => 'no sched_switch events',
  'no-stacks': () => 'no call stacks',
  'unsymbolized-python': () => 'Python without symbols',
  'truncated-stacks': (warning) => `${warning.count} stacks cut short in libc`,
  'no-python': () => 'no Python thread',
  'skipped-events': (warning) => `${warning.count} events skipped`,
  'state-not-found': () => '--state class not found',
  'time-goes-back': (warning) => `${warning.count} events out of time order skipped`,
  'no-releases': () => 'no GIL release seen: holders unknown',
  'foreign-lines': (warning) => `${warning.count} lines not perf script text skipped`,
};

/**
 * A few words for a warning, for outputs with room for a line only (an SVG subtitle); the full message
 * goes to stderr and into the outputs that have room.
 */
export function shortWarning(warning: Warning): string {
  return SHORT[warning.code]?.(warning) ?? warning.code;
}

export function buildWarnings(stats: AnalysisStats, skipped: SkippedEvents, findings: FrameFindings, foreign: ForeignLines): Warning[] {
  const { unsymbolizedPythons, unresolvedPerfMaps, stacksWithUserFrames, stacksCutShort, stacksThroughPython, missingStates } = findings;
  const warnings: Warning[] = [];
  const add = (code: WarningCode, count: number, message: string, severity: Warning['severity'] = 'warning'): void => {
    if (count > 0) warnings.push({ code, severity, count, message });
  };
  add(
    'no-switch-events',
    stats.events > 0 && stats.switchEvents === 0 ? 1 : 0,
    `no sched:sched_switch events in the input, so no off-CPU time can be measured; record with: ${RECORD_HINT}`,
  );
  add(
    'no-stacks',
    stats.switchEventsWithoutStack === stats.switchEvents ? stats.switchEventsWithoutStack : 0,
    'switch-out events carry no call stacks, so GIL waits cannot be recognised; record with --call-graph dwarf',
  );
  add(
    'unsymbolized-python',
    unsymbolizedPythons.length,
    `stacks pass through ${unsymbolizedPythons.join(', ')} without symbols ([unknown] frames), so GIL waits inside it ` +
      'cannot be recognised; install its debug symbols (Debian: the python3.X-dbg package of the same version) or use a ' +
      'Python built with symbols (e.g. pyenv)',
  );
  add(
    'truncated-stacks',
    stacksCutShort > 0 && stacksCutShort >= TRUNCATED_SHARE * stacksWithUserFrames ? stacksCutShort : 0,
    `${stacksCutShort} of ${stacksWithUserFrames} switch-out stacks stop inside the C library before the thread's start: perf could ` +
      'not unwind past libc, so GIL waits in them cannot be seen. Record with --call-graph dwarf (perf record -g needs frame ' +
      'pointers, which Python builds rarely have) and start Python directly from perf record (perf 6.1 often fails to unwind ' +
      'after an exec inside the recording)',
  );
  add(
    'no-python',
    stacksWithUserFrames > 0 && stacksThroughPython === 0 && stacksCutShort < TRUNCATED_SHARE * stacksWithUserFrames ? 1 : 0,
    `no Python thread was seen: none of the ${stacksWithUserFrames} switch-out stacks passes through a Python interpreter ` +
      '(libpythonX.Y or a pythonX.Y binary); was a Python program recorded?',
  );
  const present = Object.entries(stats.classNs)
    .sort((a, b) => b[1] - a[1])
    .map(([cls, ns]) => `${cls} ${(ns / 1e6).toFixed(1)} ms`);
  add(
    'state-not-found',
    stats.intervals > 0 ? missingStates.length : 0,
    `--state ${missingStates.join(',')}: no interval has ${missingStates.length > 1 ? 'these classes' : 'this class'}; ` +
      `the classes in this input are ${present.join(', ')} (gil, gil-drop and lock are offgil's; the others are perf's prev_state)`,
  );
  add(
    'unresolved-python-frames',
    unresolvedPerfMaps.length,
    `frames in ${unresolvedPerfMaps.slice(0, 3).join(', ')}${unresolvedPerfMaps.length > 3 ? ', …' : ''} have no symbol: ` +
      'perf script must run while the /tmp/perf-PID.map files of python -X perf still exist, and -X perf_jit recordings need "perf inject --jit" first',
  );
  const viztracer = stats.viztracer;
  add(
    'viztracer-mismatch',
    viztracer.mismatched,
    `${viztracer.mismatched} switch-out(s) whose VizTracer stack does not fit the native stack were shown without Python frames`,
  );
  add(
    'viztracer-no-overlap',
    viztracer.matched + viztracer.benign + viztracer.mismatched === 0 && viztracer.outsideTrace > 0 ? 1 : 0,
    'no switch-out falls inside the VizTracer trace: record perf with -k CLOCK_MONOTONIC, in the same run as VizTracer',
  );
  add(
    'viztracer-benign',
    viztracer.benign,
    `${viztracer.benign} switch-out(s) had Python frames in VizTracer but no interpreter frame on the native stack (thread start or exit)`,
    'note',
  );
  add('viztracer-outside', viztracer.outsideTrace, `${viztracer.outsideTrace} switch-out(s) outside the VizTracer trace`, 'note');
  add(
    'foreign-lines',
    foreign.count,
    `${foreign.count} line(s) that are not perf script text were skipped (first at line ${foreign.firstLine}: ${foreign.firstMessage}); ` +
      'perf script output mixed with other text (2>&1?) is read without them',
  );
  add(
    'skipped-events',
    skipped.count,
    `${skipped.count} event(s) skipped because their fields were not understood (first at line ${skipped.firstLine}: ${skipped.firstReason})`,
  );
  add(
    'lost-records',
    stats.lostRecords,
    `perf lost records ${stats.lostRecords} time(s) (${stats.lostEvents} events): intervals around the gaps are wrong; ` +
      `record with a bigger buffer (${findings.biggerBuffer ?? 'perf record -m 2048'}) or a smaller --call-graph dwarf size (dwarf,4096)`,
  );
  const holders = stats.holders;
  add(
    'no-releases',
    holders !== undefined && holders.attributedWaits > 0 && holders.handoffWakes + holders.dropSwitches === 0 ? 1 : 0,
    `no GIL release was recognised (no hand-off wake, no drop_gil switch-out), so no holder can be named: ` +
      (stats.wakeEvents === 0
        ? 'the input has no sched_waking or sched_wakeup events; record them too (-e sched:sched_waking)'
        : stats.wakeEventsWithStack === 0
          ? 'the wake events carry no call stacks; record them with --call-graph dwarf like sched_switch'
          : 'drop_gil never shows in the wake stacks (an interpreter without symbols?)'),
  );
  add(
    'time-goes-back',
    stats.backwardEvents,
    `${stats.backwardEvents} event(s) earlier than an event before them were skipped (first at line ${stats.firstBackwardLine}): ` +
      'perf script prints events in time order, so the input was concatenated or edited; analyse each recording on its own',
  );
  add('open-intervals', stats.openAtEnd, `${stats.openAtEnd} interval(s) still open at the end of the input were dropped`, 'note');
  add(
    'wakeups-without-interval',
    stats.wakeupsWithoutInterval,
    `${stats.wakeupsWithoutInterval} wakeup(s) of threads with no open interval (already awake, or switched out before the recording)`,
    'note',
  );
  return warnings;
}

/** Findings about the input that the user should act on, each with a one-line message. */
import type { AnalysisStats } from './analyze.js';
import type { SkippedEvents } from './perf/scriptParser.js';

export type WarningCode =
  | 'no-switch-events'
  | 'no-stacks'
  | 'unsymbolized-python'
  | 'skipped-events'
  | 'lost-records'
  | 'open-intervals'
  | 'wakeups-without-interval';

export interface Warning {
  code: WarningCode;
  /** `warning`: the result is probably wrong or empty; `note`: expected in most recordings, counted. */
  severity: 'warning' | 'note';
  count: number;
  message: string;
}

const RECORD_HINT =
  'perf record -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking --switch-events --call-graph dwarf -k CLOCK_MONOTONIC';

export function buildWarnings(stats: AnalysisStats, skipped: SkippedEvents, unsymbolizedPythons: readonly string[]): Warning[] {
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
    'skipped-events',
    skipped.count,
    `${skipped.count} event(s) skipped because their fields were not understood (first at line ${skipped.firstLine}: ${skipped.firstReason})`,
  );
  add(
    'lost-records',
    stats.lostRecords,
    `perf lost records ${stats.lostRecords} time(s) (${stats.lostEvents} events): intervals around the gaps are wrong; ` +
      'record with a bigger buffer (perf record -m 512) or a smaller --call-graph dwarf size',
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

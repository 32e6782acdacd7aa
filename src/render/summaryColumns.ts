/** How the summary table and JSON group off-CPU classes into columns. */
import { GIL, GIL_DROP, LOCK } from '../analysis/gilClassifier.js';

export interface OffCpuColumns {
  gil: number;
  gilDrop: number;
  lock: number;
  /** `S`: sleeping (timers, sockets, pipes, idle threads). */
  sleep: number;
  /** `D`: uninterruptible sleep, mostly disk I/O and page faults. */
  io: number;
  /** `R`, `R+`: preempted while runnable. */
  preempted: number;
  /** Every other state (`T`, `X`, `I`, combinations such as `S|D`). */
  other: number;
}

export function offCpuColumns(classNs: Readonly<Record<string, number>>): OffCpuColumns {
  const columns: OffCpuColumns = { gil: 0, gilDrop: 0, lock: 0, sleep: 0, io: 0, preempted: 0, other: 0 };
  for (const [cls, ns] of Object.entries(classNs)) {
    if (cls === GIL) columns.gil += ns;
    else if (cls === GIL_DROP) columns.gilDrop += ns;
    else if (cls === LOCK) columns.lock += ns;
    else if (cls === 'S') columns.sleep += ns;
    else if (cls === 'D') columns.io += ns;
    else if (cls.startsWith('R')) columns.preempted += ns;
    else columns.other += ns;
  }
  return columns;
}

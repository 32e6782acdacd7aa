/**
 * The two synthetic inputs that only size makes hard (docs/reliability.md): a million distinct GIL
 * stacks, and GIL waits whose stacks are 100,000 frames deep. Real recordings have neither; both are
 * perf script text in the shape perf 6.1 prints.
 */
import { createWriteStream, existsSync, statSync, writeFileSync } from 'node:fs';

const LIBPYTHON = '/usr/lib/libpython3.11.so.1.0';
const KERNEL = '[kernel.kallsyms]';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';

function time(ns: number): string {
  return `${100 + Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, '0')}`;
}

/** `stacks` GIL waits of 4 threads of one process, each with its own frame, each ended by a hand-off. */
export async function writeManyStacks(path: string, stacks: number): Promise<void> {
  if (existsSync(path) && statSync(path).size > stacks * 1000) return;
  const out = createWriteStream(path);
  let text = '';
  let ns = 0;
  for (let i = 0; i < stacks; i++) {
    const tid = 1000 + (i % 4);
    const holder = 1000 + ((i + 1) % 4);
    text +=
      `python3 1000/${tid} [000] ${time(ns)}: sched:sched_switch: prev_comm=python3 prev_pid=${tid} prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n` +
      `\tffffffff81000000 __schedule+0x1 (${KERNEL})\n\t7f0000000001 pthread_cond_timedwait@@GLIBC_2.3.2+0x1 (${LIBC})\n` +
      `\t7f0000000002 take_gil+0x1 (${LIBPYTHON})\n\t7f0000000003 work_${i}+0x1 (${LIBPYTHON})\n\t7f0000000004 thread_run+0x1 (${LIBPYTHON})\n\n`;
    ns += 2000;
    text +=
      `python3 1000/${holder} [001] ${time(ns)}: sched:sched_waking: comm=python3 pid=${tid} prio=120 target_cpu=000\n` +
      `\tffffffff81000010 try_to_wake_up+0x1 (${KERNEL})\n\tffffffff81000011 futex_wake+0x1 (${KERNEL})\n` +
      `\t7f0000000011 pthread_cond_signal@@GLIBC_2.3.2+0x1 (${LIBC})\n\t7f0000000012 drop_gil+0x1 (${LIBPYTHON})\n\t7f0000000013 hold_${i % 100_000}+0x1 (${LIBPYTHON})\n\n`;
    ns += 1000;
    text += `swapper 0/0 [000] ${time(ns)}: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=python3 next_pid=${tid} next_prio=120\n\n`;
    ns += 1000;
    if (text.length > 1 << 20) {
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      text = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(text, (error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Two GIL waits whose stacks, and whose holders' stacks, are `depth` frames deep. */
export function writeDeepStacks(path: string, depth: number): void {
  const deep = (prefix: string): string => Array.from({ length: depth }, (_, i) => `\t7f00${i.toString(16)} ${prefix}${i}+0x1 (${LIBPYTHON})`).join('\n');
  let text = '';
  for (const [tid, holder, seconds] of [
    [1000, 1001, 100],
    [1001, 1000, 101],
  ] as const) {
    text +=
      `python3 1000/${tid} [000] ${seconds}.000000000: sched:sched_switch: prev_comm=python3 prev_pid=${tid} prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n` +
      `\tffffffff81000000 __schedule+0x1 (${KERNEL})\n\t7f0000000001 pthread_cond_timedwait@@GLIBC_2.3.2+0x1 (${LIBC})\n\t7f0000000002 take_gil+0x1 (${LIBPYTHON})\n${deep('wait_')}\n\n` +
      `python3 1000/${holder} [001] ${seconds}.000500000: sched:sched_waking: comm=python3 pid=${tid} prio=120 target_cpu=000\n` +
      `\tffffffff81000010 try_to_wake_up+0x1 (${KERNEL})\n\tffffffff81000011 futex_wake+0x1 (${KERNEL})\n\t7f0000000011 pthread_cond_signal@@GLIBC_2.3.2+0x1 (${LIBC})\n` +
      `\t7f0000000012 drop_gil+0x1 (${LIBPYTHON})\n${deep('hold_')}\n\n` +
      `swapper 0/0 [000] ${seconds}.000600000: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=python3 next_pid=${tid} next_prio=120\n\n`;
  }
  writeFileSync(path, text);
}

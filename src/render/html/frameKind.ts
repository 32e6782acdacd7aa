/**
 * Which part of a CPython process a frame belongs to, guessed from its name alone (folded stacks keep
 * no DSO). The HTML page colors each kind with its own hue family.
 */
import type { FrameKind } from '../../stacks/frameKind.js';

export type { FrameKind } from '../../stacks/frameKind.js';

/** perf's trampoline/JIT maps (`py::func:/path/file.py`) and py-spy style `func (file.py:12)`. */
const PYTHON = /^py::|\.py(?::\d+)?\)$/;

/** The interpreter: C API names, the eval loop, the GIL and the common static helpers of 3.8–3.13. */
const CPYTHON =
  /^(?:cpyeval::|_?Py[A-Z_]|_?py(?:main|thread|_trampoline)|take_gil$|drop_gil$|thread_run$|builtin_|cfunction_|method_vectorcall|slot_tp_|object_vacall$|run_mod$|run_eval_code_obj$|lock_PyThread_|acquire_timed$)/;

/** glibc, pthreads and the dynamic loader; `@GLIBC` marks a versioned libc symbol. */
const LIBC =
  /@@?GLIBC|^(?:__?)?(?:libc_|pthread_|lll_|futex_abstimed|GI_|sem_|new_sem_|clone3?$|start_thread$|_start$|select$|poll$|epoll_wait$|nanosleep$|clock_nanosleep|dl_|tls_get_addr$|memmove|memcpy|memset|strlen|malloc$|free$|cfree$)/;

/**
 * Linux scheduler, syscall, page-fault and interrupt paths that show up in off-CPU stacks, plus the
 * `_[k]` suffix of `stackcollapse-perf.pl --kernel`.
 */
const KERNEL =
  /_\[k\]$|^(?:__?)?(?:schedule|x64_sys_|se_sys_|do_sys|sys_|ksys_|vfs_|futex_|do_futex|do_syscall|entry_SYSCALL|syscall_|asm_|irqentry_|exit_to_user|ret_from_fork|hrtimer_|do_nanosleep|io_schedule|folio_|filemap_|handle_mm_fault|do_user_addr_fault|exc_page_fault|do_select|do_poll|do_epoll|ep_poll|core_sys_select|try_to_wake_up|cond_resched|preempt_schedule|rwsem_|down_read|down_write|mutex_lock|pipe_read|sock_|tcp_|unix_stream|new_sync_read|ext4_|submit_bio|blk_|wait_on_page|do_wait|finish_task_switch|update_curr)/;

export function guessFrameKind(name: string): FrameKind {
  if (PYTHON.test(name)) return 'python';
  if (CPYTHON.test(name)) return 'cpython';
  if (LIBC.test(name)) return 'libc';
  if (KERNEL.test(name)) return 'kernel';
  return 'native';
}

/**
 * Which part of a CPython process a frame belongs to, for the colors of the renderers: Python code,
 * the interpreter, other native code (C extensions, the program), the C library, the kernel. offgil
 * knows it from each frame's DSO; for folded files from anywhere (py-spy, stackcollapse-perf.pl) the
 * renderers guess it from the name.
 */
import { isPythonDso } from './cpythonFrames.js';

export type FrameKind = 'python' | 'cpython' | 'native' | 'libc' | 'kernel';

const LIBC_DSO = /(?:^|\/)(?:libc|libpthread|libm|ld-linux[\w-]*|libdl|librt)(?:[-.][\w.]*)?\.so(?:\.[\d.]+)?$/;

/** Kind of a native frame from the file perf found it in. */
export function frameKindOfDso(dso: string): FrameKind {
  if (dso === '[kernel.kallsyms]' || dso.startsWith('[kernel.') || dso.endsWith('vmlinux')) return 'kernel';
  if (isPythonDso(dso)) return 'cpython';
  if (LIBC_DSO.test(dso)) return 'libc';
  return 'native';
}

/** A Python function: `py::name`, `name (file.py)`, `name (file.py:12)`, or a frozen stdlib module. */
const PYTHON = /^py::|\.py(?::\d+)?\)$|<frozen /;

/** GCC's suffixes for specialised copies of a function: `take_gil.constprop.0`, `f.isra.0`, `g.part.1.cold`. */
const CLONE = String.raw`(?:\.(?:constprop|isra|part|cold|lto_priv)(?:\.\d+)?)*`;

/**
 * The interpreter itself: the C API (`Py…`, `_Py…`), the GIL functions, and the static helpers of
 * the eval loop, calls and threads that sit in every Python stack (3.8–3.13), also as clones.
 */
const CPYTHON = new RegExp(
  String.raw`^(?:_?Py|_?py(?:main|thread)_|(?:take|drop)_gil${CLONE}$|thread_run|builtin_|cfunction_|method_vectorcall|slot_tp_|object_vacall|run_mod|run_eval_code_obj|lock_PyThread_|acquire_timed)`,
);

/** glibc and its pthreads, by the prefixes its internal and exported symbols use. */
const LIBC =
  /^(?:pthread_|__pthread|__futex|__GI_|__lll_|__condvar_|__libc_|__new_sem_|sem_|start_thread$|clone3?$|_start$|_?_?(?:select|poll|epoll_wait|nanosleep|clock_nanosleep|read|write|memcpy|memmove|memset|strlen|malloc|free|cfree)$|__tls_get_addr|_dl_)|@@GLIBC/;

/** Kernel frames: stackcollapse-perf.pl's `_[k]` annotation, or the usual symbols of a blocking syscall. */
const KERNEL = new RegExp(
  String.raw`^(?:__schedule|schedule|schedule_hrtimeout\w*|schedule_timeout|do_syscall_64|entry_SYSCALL_64\w*|__x64_sys_\w+|__se_sys_\w+|__do_sys_\w+|do_futex|futex_\w+|do_nanosleep|hrtimer_nanosleep|do_epoll_wait|ep_poll|do_select|core_sys_select|do_sys_poll|finish_task_switch\w*|__switch_to\w*|syscall_exit_to_user_mode|exit_to_user_mode_\w+|asm_sysvec_\w+|__sysvec_\w+|irqentry_exit\w*|io_schedule\w*|folio_\w+|filemap_\w+|__?handle_mm_fault|do_user_addr_fault|exc_page_fault|asm_exc_page_fault|vfs_\w+|ksys_\w+|new_sync_read|pipe_read|rwsem_\w+|down_read\w*|down_write\w*|try_to_wake_up|preempt_schedule\w*|cond_resched|ret_from_fork\w*|submit_bio\w*|blk_\w+|ext4_\w+)${CLONE}$`,
);

/** Classifies by name; the order settles names that two patterns accept. */
export function guessFrameKind(name: string): FrameKind {
  if (name.endsWith('_[k]')) return 'kernel';
  // offgil's prefix for the interpreter eval frames it keeps, whatever the frame is called.
  if (name.startsWith('cpyeval::')) return 'cpython';
  if (PYTHON.test(name)) return 'python';
  if (CPYTHON.test(name)) return 'cpython';
  if (LIBC.test(name)) return 'libc';
  if (KERNEL.test(name)) return 'kernel';
  return 'native';
}

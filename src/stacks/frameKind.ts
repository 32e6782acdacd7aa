/**
 * Which part of a CPython process a frame belongs to, for the colors of the renderers: Python code,
 * the interpreter, other native code (C extensions, the program), the C library, the kernel.
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

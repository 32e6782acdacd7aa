/**
 * Names of Python frames. perf's trampolines (`python -X perf`, `-X perf_jit`) name them
 * `py::QUALNAME:FILENAME`; VizTracer names them `QUALNAME (FILENAME:LINE)`. offgil shows both as
 * `QUALNAME (file.py)` or `QUALNAME (file.py:LINE)`, with the full path on request.
 */

const TRAMPOLINE_PREFIX = 'py::';

export function isTrampolineFrame(name: string): boolean {
  return name.startsWith(TRAMPOLINE_PREFIX);
}

function displayFile(file: string, fullPaths: boolean): string {
  if (fullPaths || file.startsWith('<')) return file;
  return file.slice(file.lastIndexOf('/') + 1);
}

/** `QUALNAME (FILE[:LINE])`, FILE shortened to its base name unless `fullPaths`. */
export function pythonFrameName(qualname: string, file: string | undefined, line: number | undefined, fullPaths: boolean): string {
  if (file === undefined || file === '') return qualname;
  return `${qualname} (${displayFile(file, fullPaths)}${line === undefined ? '' : `:${line}`})`;
}

/** `py::is_prime:/app/gil.py` → `is_prime (gil.py)`. The qualname has no `:`, a file name may. */
export function trampolineFrameName(name: string, fullPaths: boolean): string {
  const rest = name.slice(TRAMPOLINE_PREFIX.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? rest : pythonFrameName(rest.slice(0, colon), rest.slice(colon + 1), undefined, fullPaths);
}

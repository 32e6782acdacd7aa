/**
 * Which native frames are CPython's own machinery rather than code the user wrote or called. The list
 * comes from every frame of libpython seen in the switch-out stacks of the fixtures (CPython 3.8–3.13,
 * fixtures/README.md); docs/python-stacks.md explains each group.
 */

/** Prefix of interpreter frames kept with --keep-cpython-evals (per4m's marking). */
export const EVAL_MARK = 'cpyeval::';

const EVAL_FRAME_GROUPS = [
  // The bytecode loop and its entry points.
  '_?PyEval_Eval\\w*',
  '_PyEval_Vector',
  '_PyEvalFrame\\w*',
  'py_trampoline_evaluator',
  '_?Py_HandlePending',
  'eval_frame_handle_pending',
  'call_function',
  'do_call_core',
  'function_code_fastcall',
  '_?PyFunction_(?:Vectorcall|FastCall)\\w*',
  // Generic call plumbing between a caller and the callee it dispatches to.
  '_?PyObject_(?:Vectorcall|Call|FastCall)\\w*',
  '_?PyVectorcall_Call',
  '_PyObject_MakeTpCall',
  'object_vacall',
  'method_vectorcall\\w*',
  'cfunction_vectorcall\\w*',
  'cfunction_call\\w*',
  'vectorcall_method',
  'slot_tp_call',
  // Taking and releasing the GIL around blocking calls (the wait itself stays: take_gil, drop_gil).
  'PyEval_RestoreThread',
  'PyEval_SaveThread',
  'PyEval_AcquireThread',
  'PyEval_ReleaseThread',
  'PyEval_AcquireLock',
  '_PyThreadState_Attach',
  '_PyThreadState_Detach',
  'PyGILState_Ensure',
  // Running the main module.
  'run_mod',
  'run_eval_code_obj',
  '_?PyRun_\\w+',
  'pymain_run_\\w+',
  'Py_RunMain',
  'Py_BytesMain',
];

/** Default `--eval-frames`: whole names, with GCC clone suffixes such as `.constprop.0`. */
export const DEFAULT_EVAL_FRAMES = new RegExp(`^(?:${EVAL_FRAME_GROUPS.join('|')})(?:\\.\\w+)*$`);

/** Frames where the interpreter starts running Python code called from C: one per C→Python entry. */
const INTERPRETER_ENTRY = /^(?:_PyEval_EvalFrameDefault|_PyEval_EvalFrame|PyEval_EvalFrameEx)(?:\.\w+)*$/;

export function isInterpreterEntry(name: string): boolean {
  return INTERPRETER_ENTRY.test(name);
}

/** A Python interpreter binary or library, for --python-only. */
export function isPythonDso(dso: string): boolean {
  return /(?:^|\/)(?:lib)?python\d[^/]*$/.test(dso);
}

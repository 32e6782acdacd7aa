/**
 * Reads a VizTracer trace (Chrome Trace Event JSON: `{"traceEvents": [...]}` or a bare array). Only
 * complete events (`"ph": "X"`, `ts`/`dur` in µs) describe calls; VizTracer names Python functions
 * `QUALNAME (FILE:LINE)` and C functions without a location (`time.sleep`, `builtins.print`).
 */
import { UserError } from '../../io/userError.js';

export interface TracedCall {
  qualname: string;
  /** Undefined for C functions. */
  file: string | undefined;
  line: number | undefined;
  startUs: number;
  endUs: number;
}

/** Calls of one thread, ordered by start time, outer calls first when they start together. */
export type ThreadCalls = TracedCall[];

const PYTHON_CALL = /^(.*) \((.+):(\d+)\)$/;

interface TraceEvent {
  ph?: unknown;
  name?: unknown;
  tid?: unknown;
  ts?: unknown;
  dur?: unknown;
}

function toCall(event: TraceEvent): TracedCall | undefined {
  if (event.ph !== 'X' || typeof event.name !== 'string' || typeof event.ts !== 'number' || typeof event.dur !== 'number') return undefined;
  const match = PYTHON_CALL.exec(event.name);
  return {
    qualname: match === null ? event.name : match[1]!,
    file: match === null ? undefined : match[2],
    line: match === null ? undefined : Number(match[3]),
    startUs: event.ts,
    endUs: event.ts + event.dur,
  };
}

/** Thread id → its calls. `label` names the file in error messages. */
export function parseViztracerTrace(json: string, label: string): Map<number, ThreadCalls> {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    throw new UserError(`${label}: not a VizTracer JSON file (${(error as Error).message})`);
  }
  const events = Array.isArray(document) ? document : (document as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) throw new UserError(`${label}: no "traceEvents" array (not a VizTracer or Chrome trace file)`);
  const threads = new Map<number, ThreadCalls>();
  for (const event of events as TraceEvent[]) {
    const call = toCall(event);
    const tid = Number(event.tid);
    if (call === undefined || !Number.isInteger(tid)) continue;
    let calls = threads.get(tid);
    if (calls === undefined) {
      calls = [];
      threads.set(tid, calls);
    }
    calls.push(call);
  }
  for (const calls of threads.values()) calls.sort((a, b) => a.startUs - b.startUs || b.endUs - a.endUs);
  return threads;
}

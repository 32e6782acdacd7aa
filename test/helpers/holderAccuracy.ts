/**
 * How often the holder attribution names the right thread, against the uprobe truth recorded in the
 * same run (fixtures/HOLDERS.md): time-weighted over every stretch of every GIL wait offgil saw.
 * A named thread is right where the truth has that thread holding the GIL; `(handoff)` is right where
 * the truth has nobody holding it; `(unknown)` is never right.
 */
import { OffGilAnalyzer, type AnalyzeOptions } from '../../src/analyze.js';
import { HANDOFF, UNKNOWN, type AttributedWait } from '../../src/holders/attribution.js';
import { frameName, holderTruth, type Holding, type HolderTruthOptions } from './holderTruth.js';

export interface HolderAccuracy {
  /** GIL wait offgil attributed, in ns. */
  waitNs: number;
  /** Of it, where offgil's holder is the truth's. */
  correctNs: number;
  namedNs: number;
  namedCorrectNs: number;
  handoffNs: number;
  handoffCorrectNs: number;
  unknownNs: number;
  /** Stretches with the right holder whose holder stack was compared with the truth's release stack, and how many matched. */
  stacksCompared: number;
  stacksMatched: number;
}

function overlap(a: number, b: number, c: number, d: number): number {
  return Math.max(0, Math.min(b, d) - Math.max(a, c));
}

export function measureHolderAccuracy(text: string, options: AnalyzeOptions = {}, truthOptions: HolderTruthOptions = {}): HolderAccuracy {
  const truth = holderTruth(text, truthOptions);
  const byProcess = new Map<number | undefined, Holding[]>();
  for (const holding of truth.holdings) {
    const list = byProcess.get(holding.pid) ?? [];
    list.push(holding);
    byProcess.set(holding.pid, list);
  }
  const pidOf = (tid: number): number | undefined => truth.threads.get(tid)?.pid ?? truthOptions.pidOfTid?.get(tid);
  const accuracy: HolderAccuracy = { waitNs: 0, correctNs: 0, namedNs: 0, namedCorrectNs: 0, handoffNs: 0, handoffCorrectNs: 0, unknownNs: 0, stacksCompared: 0, stacksMatched: 0 };
  const waits: AttributedWait[] = [];
  const analyzer = new OffGilAnalyzer({ ...options, holders: true, onWait: (wait) => waits.push(wait) });
  analyzer.push(Buffer.from(truth.schedulerText, 'utf8'));
  analyzer.finish();
  for (const wait of waits) {
    const holdings = byProcess.get(pidOf(wait.interval.tid)) ?? [];
    for (const stretch of wait.stretches) {
      const { startNs: a, endNs: b } = stretch;
      const ns = b - a;
      accuracy.waitNs += ns;
      let held = 0;
      let heldByNamed = 0;
      let namedHolding: Holding | undefined;
      for (const holding of holdings) {
        if (holding.startNs >= b) break;
        const part = overlap(a, b, holding.startNs, holding.endNs);
        held += part;
        if (holding.tid === stretch.holder && part > 0) {
          heldByNamed += part;
          // The last holding in the stretch is the one its release ended.
          namedHolding = holding;
        }
      }
      if (stretch.holder === UNKNOWN) accuracy.unknownNs += ns;
      else if (stretch.holder === HANDOFF) {
        accuracy.handoffNs += ns;
        accuracy.handoffCorrectNs += ns - held;
        accuracy.correctNs += ns - held;
      } else {
        accuracy.namedNs += ns;
        accuracy.namedCorrectNs += heldByNamed;
        accuracy.correctNs += heldByNamed;
        if (namedHolding !== undefined && namedHolding.endSeen && stretch.release !== undefined) {
          const ours = analyzer.frameNames(stretch.release.stack.slice(stretch.release.cut));
          const theirs = namedHolding.releaseStack.map(frameName);
          const length = Math.min(ours.length, theirs.length);
          accuracy.stacksCompared++;
          if (length > 0 && ours.slice(0, length).join(';') === theirs.slice(0, length).join(';')) accuracy.stacksMatched++;
        }
      }
    }
  }
  return accuracy;
}

/**
 * Per-frame properties computed once per distinct frame id, on first use: stages that test every frame
 * of every stack (the GIL classifier, the hand-off recogniser, --python-only) pay one array read per
 * frame after that.
 */
import { grownUint16 } from '../util/typedArrays.js';

/** Set in every computed entry, so that 0 means "not computed yet". */
export const FLAG_KNOWN = 1;

export class FrameFlagCache {
  private flags = new Uint16Array(1024);

  /** `compute` returns the flags of a frame id; FLAG_KNOWN is added to it. Flags fit in 16 bits. */
  constructor(private readonly compute: (frameId: number) => number) {}

  get(frameId: number): number {
    if (frameId >= this.flags.length) this.flags = grownUint16(this.flags, Math.max(this.flags.length * 2, frameId + 1));
    let flags = this.flags[frameId]!;
    if (flags === 0) {
      flags = this.compute(frameId) | FLAG_KNOWN;
      this.flags[frameId] = flags;
    }
    return flags;
  }

  /** Whether the frame has every bit of `flag`. */
  has(frameId: number, flag: number): boolean {
    return (this.get(frameId) & flag) === flag;
  }
}

/**
 * Recognises a whole sample record whose stack lines repeat byte for byte an earlier record's (idle
 * loops, a hot path sampled at the same addresses, captures concatenated together): its frames are
 * then taken from the cache without looking at its lines one by one.
 *
 * Only "clean" bodies are kept: stack lines only, each recognised, so that the same bytes always
 * give the same frames and no stderr message. Memory is capped; when records rarely repeat, the
 * cache switches itself off and frees its memory, so that it costs nothing.
 */
import { IntSequenceTable } from './intSequenceTable.js';
import { LineTable, type WordViews } from './lineTable.js';

/** Bytes of record bodies kept at most. */
export const MAX_CACHED_BYTES = 16 << 20;
/** Lookups per verdict on whether the cache pays. */
const WINDOW = 4096;
/** Below one hit in this many lookups, the cache is switched off. */
const MIN_HIT_RATIO = 8;
const NOT_COMPUTED = -1;

export class RecordCache {
  private bodies = new LineTable();
  private sequences = new IntSequenceTable();
  private lineCounts: number[] = [];
  /** Sequence id of the frames for a non-Java and a Java process (the Java rule strips a leading `L`). */
  private plainFrames: number[] = [];
  private javaFrames: number[] = [];
  private lookups = 0;
  private hits = 0;
  /** Once false, stays false: nothing may be looked up or remembered any more. */
  enabled = true;

  /** Id of the body `[start, end)`, or -1. */
  find(words: WordViews, start: number, end: number): number {
    const id = this.bodies.find(words, start, end);
    if (id >= 0) this.hits++;
    if (++this.lookups === WINDOW) {
      if (this.hits * MIN_HIT_RATIO < this.lookups) this.switchOff();
      this.lookups = 0;
      this.hits = 0;
    }
    return id;
  }

  private switchOff(): void {
    this.enabled = false;
    this.bodies = new LineTable(0);
    this.sequences = new IntSequenceTable(0);
    this.lineCounts = [];
    this.plainFrames = [];
    this.javaFrames = [];
  }

  /** Lines in body `id`. */
  lineCount(id: number): number {
    return this.lineCounts[id]!;
  }

  /** Number of frames of body `id` for this kind of process, or -1 when not known yet. */
  frameCount(id: number, javaProcess: boolean): number {
    const sequence = (javaProcess ? this.javaFrames : this.plainFrames)[id]!;
    return sequence === NOT_COMPUTED ? -1 : this.sequences.lengthOf(sequence);
  }

  /** Copies the frames of body `id` (known: see frameCount) to `target` from `at`. */
  copyFrames(id: number, javaProcess: boolean, target: Int32Array, at: number): void {
    const sequence = (javaProcess ? this.javaFrames : this.plainFrames)[id]!;
    const length = this.sequences.lengthOf(sequence);
    for (let i = 0; i < length; i++) target[at + i] = this.sequences.at(sequence, i);
  }

  /**
   * Records a clean body seen line by line: `id` from `find` (-1: new), and its frames
   * `frames[from, to)` when a process took them (null when the record was filtered out).
   */
  remember(id: number, words: WordViews, start: number, end: number, lineCount: number, javaProcess: boolean, frames: Int32Array | null, from: number, to: number): void {
    if (!this.enabled) return;
    if (id < 0) {
      if (this.bodies.bytes + (end - start) > MAX_CACHED_BYTES) return;
      id = this.bodies.intern(words, start, end);
      this.lineCounts.push(lineCount);
      this.plainFrames.push(NOT_COMPUTED);
      this.javaFrames.push(NOT_COMPUTED);
    }
    if (frames === null) return;
    const sequence = this.sequences.intern(frames.subarray(from, to), to - from);
    (javaProcess ? this.javaFrames : this.plainFrames)[id] = sequence;
  }
}

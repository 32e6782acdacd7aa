/** A set of disjoint half-open ranges [start, end), kept sorted, that tells which part of a new range is new. */
export class RangeSet {
  private starts: number[] = [];
  private ends: number[] = [];

  get size(): number {
    return this.starts.length;
  }

  /** Adds [start, end) and returns the parts of it that were not in the set before, in order. */
  add(start: number, end: number): [number, number][] {
    if (end <= start) return [];
    const fresh: [number, number][] = [];
    // Ranges before `first` end before `start`; ranges first … last-1 touch [start, end).
    const first = this.firstEndingAtOrAfter(start);
    let last = first;
    let at = start;
    for (; last < this.starts.length && this.starts[last]! <= end; last++) {
      if (this.starts[last]! > at) fresh.push([at, this.starts[last]!]);
      at = Math.max(at, this.ends[last]!);
    }
    if (at < end) fresh.push([at, end]);
    const mergedStart = first < last ? Math.min(start, this.starts[first]!) : start;
    const mergedEnd = first < last ? Math.max(end, this.ends[last - 1]!) : end;
    this.starts.splice(first, last - first, mergedStart);
    this.ends.splice(first, last - first, mergedEnd);
    return fresh;
  }

  /** Forgets the ranges that end at or before `time`. */
  dropBefore(time: number): void {
    let index = this.firstEndingAtOrAfter(time);
    while (index < this.ends.length && this.ends[index]! <= time) index++;
    if (index === 0) return;
    this.starts = this.starts.slice(index);
    this.ends = this.ends.slice(index);
  }

  private firstEndingAtOrAfter(time: number): number {
    let low = 0;
    let high = this.ends.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ends[mid]! < time) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

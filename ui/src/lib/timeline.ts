// The timeline buffer: a bounded, append-only list of records (oldest evicted past the
// cap), the filtered view over it (batches filtered incrementally as they arrive), and
// pausing (the view keeps growing; the shown part stays put and "N new" counts the rest).
import type { Observation } from '../bindings/Observation';

export type Predicate = (record: Observation) => boolean;

export const DEFAULT_CAPACITY = 100_000;
const everything: Predicate = () => true;

export class TimelineBuffer {
  readonly capacity: number;
  private all: Observation[] = [];
  private view: Observation[] = [];
  private predicate: Predicate = everything;
  private paused = false;
  private frozen = 0;
  /** Bumped on every change, so a component can re-render on it. */
  version = 0;
  /** Records evicted because the buffer was full, since the last clear. */
  evicted = 0;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.capacity = Math.max(1, capacity);
  }

  /** Appends records in `seq` order; records not newer than the last one are ignored. */
  append(batch: readonly Observation[]): void {
    if (batch.length === 0) return;
    let last = this.all[this.all.length - 1]?.seq ?? -Infinity;
    for (const record of batch) {
      if (record.seq <= last) continue;
      last = record.seq;
      this.all.push(record);
      if (this.predicate(record)) this.view.push(record);
    }
    this.evict();
    this.version++;
  }

  /** Drops the oldest records past the cap, in chunks so the cost is amortized. */
  private evict(): void {
    const slack = Math.max(1, Math.floor(this.capacity / 20));
    if (this.all.length <= this.capacity + slack) return;
    const excess = this.all.length - this.capacity;
    const oldestKept = this.all[excess]?.seq ?? Infinity;
    this.all.splice(0, excess);
    this.evicted += excess;
    let fromView = 0;
    while (fromView < this.view.length && (this.view[fromView]?.seq ?? Infinity) < oldestKept) fromView++;
    if (fromView > 0) {
      this.view.splice(0, fromView);
      if (this.paused) this.frozen = Math.max(0, this.frozen - fromView);
    }
  }

  /** Replaces the local predicate and re-filters everything held. */
  setPredicate(predicate: Predicate): void {
    this.predicate = predicate;
    this.view = this.all.filter(predicate);
    if (this.paused) this.frozen = this.view.length;
    this.version++;
  }

  clear(): void {
    this.all = [];
    this.view = [];
    this.frozen = 0;
    this.evicted = 0;
    this.version++;
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.frozen = this.view.length;
    this.version++;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.version++;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Rows shown: all matching records, or those there were when paused. */
  get length(): number {
    return this.paused ? this.frozen : this.view.length;
  }

  /** Matching records that arrived while paused. */
  get newCount(): number {
    return this.paused ? this.view.length - this.frozen : 0;
  }

  /** Records held, matching or not. */
  get total(): number {
    return this.all.length;
  }

  get lastSeq(): number | null {
    return this.all[this.all.length - 1]?.seq ?? null;
  }

  /** The shown row at `index`. */
  at(index: number): Observation | undefined {
    return index < this.length ? this.view[index] : undefined;
  }

  /** The shown row index of `seq`, or -1 (binary search: rows are in `seq` order). */
  indexOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.view[mid]?.seq ?? 0;
      if (at === seq) return mid;
      if (at < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The record with `seq` among all held (shown or not). */
  find(seq: number): Observation | undefined {
    let lo = 0;
    let hi = this.all.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const record = this.all[mid];
      if (!record) break;
      if (record.seq === seq) return record;
      if (record.seq < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** The `seq`s of shown rows between two rows, inclusive, in order (for shift-click). */
  seqsBetween(seqA: number, seqB: number): number[] {
    const a = this.indexOfSeq(seqA);
    const b = this.indexOfSeq(seqB);
    if (a < 0 || b < 0) return [];
    const [from, to] = a <= b ? [a, b] : [b, a];
    const out: number[] = [];
    for (let i = from; i <= to; i++) {
      const record = this.view[i];
      if (record) out.push(record.seq);
    }
    return out;
  }

  /** Every shown record (for "replay what the filter matches"). */
  shown(): Observation[] {
    return this.view.slice(0, this.length);
  }
}

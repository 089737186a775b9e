// Tests for the timeline buffer: bounds, incremental filtering, pause, ranges.
import { describe, expect, it } from 'vitest';
import { TimelineBuffer } from './timeline';
import { isPing } from './records';
import { synthetic } from './fixtures';

describe('TimelineBuffer', () => {
  it('appends in seq order and ignores duplicates and older records', () => {
    const b = new TimelineBuffer(100);
    b.append(synthetic(5, 1));
    b.append(synthetic(5, 3));
    expect(b.total).toBe(7);
    expect(b.lastSeq).toBe(7);
    expect(b.at(0)?.seq).toBe(1);
  });

  it('stays bounded: evicts the oldest past the cap', () => {
    const b = new TimelineBuffer(1000);
    for (let i = 0; i < 30; i++) b.append(synthetic(100, 1 + i * 100));
    expect(b.total).toBeLessThanOrEqual(1000 + 50);
    expect(b.lastSeq).toBe(3000);
    expect(b.evicted).toBe(3000 - b.total);
    expect(b.at(0)?.seq).toBe(3000 - b.total + 1);
  });

  it('filters appended batches incrementally with the local predicate', () => {
    const b = new TimelineBuffer();
    b.setPredicate((r) => !isPing(r));
    b.append(synthetic(100, 1));
    expect(b.length).toBe(90);
    b.append(synthetic(10, 101));
    expect(b.length).toBe(99);
    b.setPredicate(() => true);
    expect(b.length).toBe(110);
  });

  it('keeps buffering while paused and counts what is new', () => {
    const b = new TimelineBuffer();
    b.append(synthetic(10, 1));
    b.pause();
    b.append(synthetic(5, 11));
    expect(b.length).toBe(10);
    expect(b.newCount).toBe(5);
    expect(b.at(10)).toBeUndefined();
    b.resume();
    expect(b.length).toBe(15);
    expect(b.newCount).toBe(0);
  });

  it('keeps the paused window consistent when old rows are evicted', () => {
    const b = new TimelineBuffer(100);
    b.append(synthetic(100, 1));
    b.pause();
    b.append(synthetic(50, 101));
    expect(b.length).toBe(50);
    expect(b.at(0)?.seq).toBe(51);
    expect(b.newCount).toBe(50);
  });

  it('finds rows by seq and lists ranges for shift-click', () => {
    const b = new TimelineBuffer();
    b.setPredicate((r) => r.seq % 2 === 0);
    b.append(synthetic(20, 1));
    expect(b.indexOfSeq(6)).toBe(2);
    expect(b.indexOfSeq(7)).toBe(-1);
    expect(b.seqsBetween(10, 4)).toEqual([4, 6, 8, 10]);
    expect(b.find(7)?.seq).toBe(7);
  });

  it('handles 100,000 records and a re-filter quickly', () => {
    const b = new TimelineBuffer();
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) b.append(synthetic(1000, 1 + i * 1000));
    b.setPredicate((r) => r.channel === 'orders-3');
    const ms = performance.now() - t0;
    expect(b.total).toBe(100_000);
    expect(b.length).toBeGreaterThan(5000);
    expect(ms).toBeLessThan(5000);
  });

  it('clears', () => {
    const b = new TimelineBuffer();
    b.append(synthetic(3, 1));
    b.clear();
    expect(b.length).toBe(0);
    expect(b.lastSeq).toBeNull();
  });
});

// Tests for formatting of sizes, durations, counts, kinds and close codes.
import { describe, expect, it } from 'vitest';
import { bytes, closeCodeMeaning, count, duration, kindInfo } from './format';
import { KINDS } from './kinds';

describe('formatting', () => {
  it('sizes, durations and counts', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1500)).toBe('1.5 kB');
    expect(bytes(2_000_000)).toBe('2.0 MB');
    expect(duration(850)).toBe('850 ms');
    expect(duration(3200)).toBe('3.2 s');
    expect(duration(245_000)).toBe('4 min 5 s');
    expect(count(1234567)).toBe('1,234,567');
  });

  it('labels every kind', () => {
    for (const kind of KINDS) expect(kindInfo(kind).label.length).toBeGreaterThan(0);
    expect(kindInfo('connection_refused').tone).toBe('error');
  });

  it('explains close codes', () => {
    expect(closeCodeMeaning(4001)).toMatch(/key/);
    expect(closeCodeMeaning(4150)).toMatch(/backing off/);
    expect(closeCodeMeaning(3000)).toBe('application-defined');
  });
});

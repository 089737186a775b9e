// Tests for timeline selection: click, shift-click, toggle, j/k.
import { describe, expect, it } from 'vitest';
import { click, emptySelection, move, sortedSeqs } from './selection';

const rows = [10, 20, 30, 40, 50];
const between = (a: number, b: number) => rows.filter((s) => s >= Math.min(a, b) && s <= Math.max(a, b));
const indexOf = (seq: number) => rows.indexOf(seq);
const seqAt = (i: number) => rows[i];

describe('selection', () => {
  it('click selects one, shift-click a range, toggle adds and removes', () => {
    let s = click(emptySelection, 20, { shift: false, toggle: false }, between);
    expect(sortedSeqs(s)).toEqual([20]);
    s = click(s, 40, { shift: true, toggle: false }, between);
    expect(sortedSeqs(s)).toEqual([20, 30, 40]);
    expect(s.anchor).toBe(20);
    s = click(s, 50, { shift: false, toggle: true }, between);
    expect(sortedSeqs(s)).toEqual([20, 30, 40, 50]);
    s = click(s, 30, { shift: false, toggle: true }, between);
    expect(sortedSeqs(s)).toEqual([20, 40, 50]);
  });

  it('j/k move the focus within bounds', () => {
    let s = move(emptySelection, 1, rows.length, indexOf, seqAt);
    expect(s.focus).toBe(10);
    s = move(s, -1, rows.length, indexOf, seqAt);
    expect(s.focus).toBe(10);
    s = move(s, 3, rows.length, indexOf, seqAt);
    expect(s.focus).toBe(40);
    s = move(s, 9, rows.length, indexOf, seqAt);
    expect(s.focus).toBe(50);
    expect(move(emptySelection, -1, rows.length, indexOf, seqAt).focus).toBe(50);
  });
});

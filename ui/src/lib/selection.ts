// Row selection for the timeline: click selects one, ctrl/cmd-click toggles, shift-click
// extends from the anchor — pure state transitions over `seq` numbers.
export type Selection = {
  /** Selected `seq`s. */
  seqs: ReadonlySet<number>;
  /** Where a shift-click range starts. */
  anchor: number | null;
  /** The row the detail pane shows and j/k move from. */
  focus: number | null;
};

export const emptySelection: Selection = { seqs: new Set(), anchor: null, focus: null };

export type ClickMods = { shift: boolean; toggle: boolean };

/** The selection after clicking row `seq`; `between` lists rows from one seq to another. */
export function click(
  selection: Selection,
  seq: number,
  mods: ClickMods,
  between: (a: number, b: number) => number[],
): Selection {
  if (mods.shift && selection.anchor !== null) {
    const range = between(selection.anchor, seq);
    return { seqs: new Set(range.length > 0 ? range : [seq]), anchor: selection.anchor, focus: seq };
  }
  if (mods.toggle) {
    const seqs = new Set(selection.seqs);
    if (seqs.has(seq)) seqs.delete(seq);
    else seqs.add(seq);
    return { seqs, anchor: seq, focus: seq };
  }
  return { seqs: new Set([seq]), anchor: seq, focus: seq };
}

/** Moves the focus by `delta` rows (j/k), selecting the row moved to. */
export function move(
  selection: Selection,
  delta: number,
  length: number,
  indexOf: (seq: number) => number,
  seqAt: (index: number) => number | undefined,
): Selection {
  if (length === 0) return selection;
  const current = selection.focus === null ? -1 : indexOf(selection.focus);
  const start = current < 0 ? (delta > 0 ? -1 : length) : current;
  const next = Math.min(length - 1, Math.max(0, start + delta));
  const seq = seqAt(next);
  if (seq === undefined) return selection;
  return { seqs: new Set([seq]), anchor: seq, focus: seq };
}

/** Selected seqs in ascending order. */
export function sortedSeqs(selection: Selection): number[] {
  return [...selection.seqs].sort((a, b) => a - b);
}

// One timeline row, memoized: re-renders only when its record, place or selection changes.
import { memo } from 'react';
import type { Observation } from '../../bindings/Observation';
import { kindInfo } from '../../lib/format';
import { isProblem } from '../../lib/records';
import { cells, COLUMNS } from './columns';

type Props = { record: Observation; top: number; selected: boolean; focused: boolean };

export const Row = memo(function Row({ record, top, selected, focused }: Props) {
  const c = cells(record);
  const tone = isProblem(record) ? 'error' : kindInfo(record.kind).tone;
  const cls = `row tone-${tone}${selected ? ' selected' : ''}${focused ? ' focused' : ''}`;
  return (
    <div className={cls} style={{ transform: `translateY(${top}px)` }} data-seq={record.seq} role="row" aria-selected={selected}>
      {COLUMNS.map((col) => {
        const cell = c[col.id];
        return (
          <span key={col.id} className={`cell c-${col.id}`} data-field={col.field ?? undefined} data-value={cell?.value ?? undefined} role="cell">
            {cell?.text}
          </span>
        );
      })}
    </div>
  );
});

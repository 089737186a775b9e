// The virtualized record list: fixed-height rows, follows the tail unless paused,
// scrolling up pauses, clicks select (shift for ranges), right-click filters by a cell.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type MouseEvent } from 'react';
import type { TimelineBuffer } from '../../lib/timeline';
import type { Selection } from '../../lib/selection';
import { COLUMNS } from './columns';
import { Row } from './Row';

export const ROW_HEIGHT = 22;

type Props = {
  buffer: TimelineBuffer;
  version: number;
  selection: Selection;
  onRowClick: (seq: number, e: MouseEvent) => void;
  onCellMenu: (field: string, value: string, x: number, y: number) => void;
  onScrollUp: () => void;
};

function rowTarget(e: MouseEvent): { seq: number; field: string | null; value: string | null } | null {
  const el = e.target instanceof Element ? e.target : null;
  const row = el?.closest<HTMLElement>('[data-seq]');
  if (!row) return null;
  const cell = el?.closest<HTMLElement>('[data-field]');
  return { seq: Number(row.dataset.seq), field: cell?.dataset.field ?? null, value: cell?.dataset.value ?? null };
}

export function TimelineList({ buffer, version, selection, onRowClick, onCellMenu, onScrollUp }: Props) {
  const parent = useRef<HTMLDivElement>(null);
  const count = buffer.length;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollPaddingStart: ROW_HEIGHT,
  });

  const ours = useRef(false);
  useEffect(() => {
    const el = parent.current;
    if (!el || buffer.isPaused) return;
    const bottom = el.scrollHeight - el.clientHeight;
    if (Math.abs(el.scrollTop - bottom) > 1) {
      ours.current = true;
      el.scrollTop = bottom;
    }
  }, [version, count, buffer]);

  // A person scrolling away from the tail pauses the timeline (records keep buffering).
  const onScroll = () => {
    const el = parent.current;
    if (!el) return;
    if (ours.current) {
      ours.current = false;
      return;
    }
    if (el.scrollHeight - el.scrollTop - el.clientHeight > ROW_HEIGHT * 2) onScrollUp();
  };

  useEffect(() => {
    const seq = selection.focus;
    if (seq === null) return;
    const index = buffer.indexOfSeq(seq);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [selection.focus, buffer, virtualizer]);

  const onClick = (e: MouseEvent) => {
    const t = rowTarget(e);
    if (t) onRowClick(t.seq, e);
  };
  const onContextMenu = (e: MouseEvent) => {
    const t = rowTarget(e);
    if (!t?.field || t.value === null) return;
    e.preventDefault();
    onCellMenu(t.field, t.value, e.clientX, e.clientY);
  };

  return (
    <div className="list" role="table" aria-label="Timeline" aria-rowcount={count}>
      <div
        className="scroller"
        ref={parent}
        onClick={onClick}
        onContextMenu={onContextMenu}
        onScroll={onScroll}
      >
        <div className="row head" role="row">
          {COLUMNS.map((c) => (
            <span key={c.id} className={`cell c-${c.id}`} role="columnheader">
              {c.label}
            </span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const record = buffer.at(item.index);
            if (!record) return null;
            return (
              <Row key={record.seq} record={record} top={item.start} selected={selection.seqs.has(record.seq)} focused={selection.focus === record.seq} />
            );
          })}
        </div>
      </div>
    </div>
  );
}

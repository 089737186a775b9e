// The timeline view: filter bar, toolbar (pause, N new, pings, replay selection),
// the virtualized list and the detail pane; keyboard: / j k space Esc.
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { useApp } from '../../context';
import { addTerm } from '../../lib/filterText';
import { click, emptySelection, move, sortedSeqs, type Selection } from '../../lib/selection';
import { count } from '../../lib/format';
import { Empty } from '../../components/Empty';
import { DetailPane } from '../detail/DetailPane';
import { FilterBar } from './FilterBar';
import { CellMenu, type CellMenuState } from './CellMenu';
import { TimelineList } from './TimelineList';

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function TimelineView() {
  const { timeline: t, focus, startReplay, go } = useApp();
  const { buffer } = t;
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [menu, setMenu] = useState<CellMenuState | null>(null);
  const filterInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (focus !== null) setSelection({ seqs: new Set([focus.seq]), anchor: focus.seq, focus: focus.seq });
  }, [focus]);

  const onRowClick = useCallback(
    (seq: number, e: MouseEvent) => {
      setSelection((s) => click(s, seq, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey }, (a, b) => buffer.seqsBetween(a, b)));
    },
    [buffer],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '/' && !typing(e.target)) {
        e.preventDefault();
        filterInput.current?.focus();
      } else if ((e.key === 'j' || e.key === 'k') && !typing(e.target)) {
        const delta = e.key === 'j' ? 1 : -1;
        setSelection((s) => move(s, delta, buffer.length, (q) => buffer.indexOfSeq(q), (i) => buffer.at(i)?.seq));
      } else if (e.key === ' ' && !typing(e.target) && !(e.target instanceof HTMLButtonElement)) {
        e.preventDefault();
        t.togglePause();
      } else if (e.key === 'Escape' && !typing(e.target)) {
        setSelection(emptySelection);
        setMenu(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [buffer, t.togglePause]);

  const addFilterTerm = (term: string) => {
    setMenu(null);
    t.applyFilter(addTerm(t.filter, term));
  };

  const selected = sortedSeqs(selection);
  const focused = selection.focus === null ? undefined : buffer.find(selection.focus);
  const paused = buffer.isPaused;

  return (
    <div className="timeline-view">
      <FilterBar inputRef={filterInput} />
      <div className="toolbar">
        <button className={paused ? 'primary' : ''} onClick={t.togglePause} title="Space">
          {paused ? 'Resume' : 'Pause'}
        </button>
        {paused && buffer.newCount > 0 && (
          <button className="new-count" onClick={() => t.setPaused(false)}>
            {count(buffer.newCount)} new
          </button>
        )}
        <label className="check">
          <input type="checkbox" checked={t.showPings} onChange={(e) => t.setShowPings(e.target.checked)} /> Show pings
        </label>
        <span className="muted">
          {count(buffer.length)} shown · {count(buffer.total)} held{t.gaps > 0 ? ` · ${count(t.gaps)} batches missed` : ''}
        </span>
        {t.source.type === 'session' && (
          <span className="pill">
            Session “{t.source.name}”
            <button className="small" onClick={() => t.openSource({ type: 'live' })}>
              Back to live
            </button>
          </span>
        )}
        <span className="spacer" />
        {selected.length > 0 && (
          <>
            <span className="muted">{selected.length} selected</span>
            <button onClick={() => startReplay({ type: 'seqs', seqs: selected })}>Replay selected</button>
            <button className="ghost" onClick={() => setSelection(emptySelection)} title="Esc">
              Clear selection
            </button>
          </>
        )}
        {t.filter && <button onClick={() => startReplay({ type: 'filter', filter: t.filter })}>Replay all matches</button>}
      </div>
      <div className="split">
        {buffer.length === 0 ? (
          <div className="list">
            {t.loading ? (
              <Empty title="Loading records…" />
            ) : t.filter ? (
              <Empty title="Nothing matches this filter">
                <p>Loosen the filter, or press Esc in the filter box to clear it.</p>
              </Empty>
            ) : (
              <Empty title="No traffic yet">
                <p>Connect a client to {t.source.type === 'live' ? 'this server' : 'record a session'}, or send a test event.</p>
                <p>
                  <button className="primary" onClick={() => go('start')}>Connect your app</button>{' '}
                  <button onClick={() => go('composer')}>Send a test event</button>
                </p>
              </Empty>
            )}
          </div>
        ) : (
          <TimelineList
            buffer={buffer}
            version={t.version}
            selection={selection}
            onRowClick={onRowClick}
            onCellMenu={(field, value, x, y) => setMenu({ field, value, x, y })}
            onScrollUp={() => !paused && t.setPaused(true)}
          />
        )}
        {selection.focus !== null && (
          <DetailPane key={selection.focus} seq={selection.focus} record={focused} onFilter={addFilterTerm} onClose={() => setSelection(emptySelection)} />
        )}
      </div>
      {menu && <CellMenu menu={menu} onAdd={addFilterTerm} onClose={() => setMenu(null)} />}
      <div className="hint">
        <kbd>/</kbd> filter · <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>space</kbd> pause · <kbd>Esc</kbd> clear · right-click a cell to filter by it · shift-click to select a range
      </div>
    </div>
  );
}

// The filter bar: the filter language with syntax colours, the server's error position
// underlined, autocomplete of fields and known values, and saved filters.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useApp } from '../../context';
import type { FieldDoc } from '../../bindings/FieldDoc';
import type { Values } from '../../bindings/Values';
import { api } from '../../lib/api';
import { applyCompletion, charsToUtf16, completionContext, FIELD_NAMES, suggest, tokenize, type Completing } from '../../lib/filterText';
import { loadFilters, saveFilters, upsert, type SavedFilter } from '../../lib/storage';
import { KINDS, ORIGINS } from '../../lib/kinds';
import { SavedFilters } from './SavedFilters';

const FIXED: Record<string, readonly string[]> = { kind: KINDS, origin: ORIGINS, dir: ['in', 'out', 'none'] };
const FROM_VALUES: Record<string, keyof Values> = { channel: 'channels', event: 'events', socket: 'sockets', user: 'users', app: 'apps' };

/** A field name, with its description once the server has sent it. */
type Known = Pick<FieldDoc, 'name'> & Partial<FieldDoc>;

function candidates(ctx: Completing, fields: Known[], values: Values | null): string[] {
  if (ctx.type === 'field') return ctx.prefix ? suggest(ctx.prefix, fields.map((f) => f.name)) : [];
  const fixed = fields.find((f) => f.name === ctx.field)?.values;
  const list = fixed && fixed.length > 0 ? fixed : (FIXED[ctx.field] ?? (values ? values[FROM_VALUES[ctx.field] ?? 'apps'] : []));
  return FROM_VALUES[ctx.field] || FIXED[ctx.field] || (fixed && fixed.length > 0) ? suggest(ctx.prefix, list) : [];
}

export function FilterBar({ inputRef }: { inputRef: RefObject<HTMLInputElement | null> }) {
  const { timeline: t } = useApp();
  const { applyFilter, setFilterError, filter } = t;
  const [text, setText] = useState(t.filter);
  const [caret, setCaret] = useState(0);
  const [fields, setFields] = useState<Known[]>(FIELD_NAMES.map((name) => ({ name })));
  const [values, setValues] = useState<Values | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [saved, setSaved] = useState<SavedFilter[]>(loadFilters);
  const checkSeq = useRef(0);

  useEffect(() => setText(t.filter), [t.filter]);

  // Validate as typed (debounced); apply once the server accepts it.
  useEffect(() => {
    if (text === filter) return;
    const id = ++checkSeq.current;
    const timer = setTimeout(() => {
      void api.checkFilter(text).then((res) => {
        if (id !== checkSeq.current) return;
        setFields(res.fields);
        if (res.error !== undefined) setFilterError({ message: res.error, position: res.position ?? 0, length: res.length ?? 1 });
        else applyFilter(text);
      }, () => undefined);
    }, 250);
    return () => clearTimeout(timer);
  }, [text, filter, applyFilter, setFilterError]);

  const ctx = useMemo(() => completionContext(text, caret), [text, caret]);
  const options = useMemo(() => (ctx ? candidates(ctx, fields, values) : []), [ctx, fields, values]);
  const shownError = t.filterError;
  const underline = shownError ? charsToUtf16(text, shownError.position, shownError.length) : null;

  const accept = (option: string) => {
    if (!ctx) return;
    const next = applyCompletion(text, ctx, option);
    setText(next.text);
    setCaret(next.caret);
    setActive(0);
    requestAnimationFrame(() => inputRef.current?.setSelectionRange(next.caret, next.caret));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const showing = open && options.length > 0;
    if (showing && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
    } else if (showing && (e.key === 'Tab' || (e.key === 'Enter' && active >= 0))) {
      e.preventDefault();
      const option = options[active];
      if (option) accept(option);
    } else if (e.key === 'Enter') {
      t.applyFilter(text);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (showing) setOpen(false);
      else {
        setText('');
        t.applyFilter('');
        inputRef.current?.blur();
      }
    }
  };

  return (
    <div className="filter-bar">
      <div className={`filter-field${shownError ? ' invalid' : ''}`}>
        <div className="filter-overlay" aria-hidden="true">
          {underline ? (
            <>
              {highlight(text.slice(0, underline.start), 0)}
              <span className="err-mark">{text.slice(underline.start, underline.end) || ' '}</span>
              {highlight(text.slice(underline.end), underline.end)}
            </>
          ) : (
            highlight(text, 0)
          )}
        </div>
        <input
          ref={inputRef}
          className="filter-input"
          value={text}
          spellCheck={false}
          placeholder="Filter: channel:presence-* event:client-* -kind:frame_out status>=400 data.id == 42   (press /)"
          aria-label="Filter"
          aria-invalid={shownError ? true : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart ?? e.target.value.length);
            setOpen(true);
            setActive(0);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onFocus={() => {
            setOpen(true);
            void api.values().then(setValues, () => undefined);
          }}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={onKeyDown}
        />
        {open && options.length > 0 && (
          <ul className="completions" role="listbox">
            {options.map((o, i) => {
              const doc = ctx?.type === 'field' ? fields.find((f) => f.name === o) : undefined;
              return (
                <li key={o} role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={(e) => (e.preventDefault(), accept(o))}>
                  <span className="opt">{o}</span>
                  {doc?.summary && <span className="muted"> — {doc.summary}</span>}
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <SavedFilters
        saved={saved}
        current={t.filter}
        onApply={(f) => t.applyFilter(f)}
        onSave={(name) => {
          const next = upsert(saved, { name, filter: t.filter });
          setSaved(next);
          saveFilters(next);
        }}
        onDelete={(name) => {
          const next = saved.filter((s) => s.name !== name);
          setSaved(next);
          saveFilters(next);
        }}
      />
      {shownError && (
        <div className="filter-error" role="alert">
          {shownError.message}
        </div>
      )}
    </div>
  );
}

function highlight(text: string, offset: number) {
  return tokenize(text).map((tok) => (
    <span key={offset + tok.start} className={`tk-${tok.type}`}>
      {tok.text}
    </span>
  ));
}

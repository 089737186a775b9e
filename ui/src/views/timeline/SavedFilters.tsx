// Saved filters: apply one, save the current filter under a name, delete one.
import { useState } from 'react';

type Saved = { name: string; filter: string };
type Props = { saved: Saved[]; current: string; onApply: (filter: string) => void; onSave: (name: string) => void; onDelete: (name: string) => void };

export function SavedFilters({ saved, current, onApply, onSave, onDelete }: Props) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  return (
    <div className="saved">
      <button onClick={() => setOpen(!open)} aria-expanded={open}>
        Saved filters{saved.length > 0 ? ` (${saved.length})` : ''}
      </button>
      {open && (
        <div className="popover">
          {saved.length === 0 && <p className="muted">No saved filters yet. Type a filter, name it below and save it.</p>}
          {saved.map((s) => (
            <div key={s.name} className="saved-item">
              <button className="link" onClick={() => (onApply(s.filter), setOpen(false))} title={s.filter}>
                {s.name}
              </button>
              <code className="muted">{s.filter}</code>
              <button className="small ghost" onClick={() => onDelete(s.name)} aria-label={`Delete ${s.name}`}>
                ×
              </button>
            </div>
          ))}
          <form
            className="saved-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!name.trim() || !current) return;
              onSave(name.trim());
              setName('');
            }}
          >
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder={current ? 'Name for the current filter' : 'Apply a filter first'} disabled={!current} aria-label="Filter name" />
            <button type="submit" disabled={!current || !name.trim()}>
              Save
            </button>
          </form>
        </div>
      )}
    </div>
  );
}

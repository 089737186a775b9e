// Composer templates: saved drafts, loaded with one click.
import { useState } from 'react';
import type { Template } from '../lib/storage';
import { Empty } from '../components/Empty';

type Props = { templates: Template[]; onLoad: (t: Template) => void; onSave: (name: string) => void; onDelete: (name: string) => void };

export function Templates({ templates, onLoad, onSave, onDelete }: Props) {
  const [name, setName] = useState('');
  return (
    <div className="pane-body">
      <h3>Templates</h3>
      {templates.length === 0 && <Empty title="No templates yet">Name the draft below and save it to send it again later.</Empty>}
      <ul className="templates">
        {templates.map((t) => (
          <li key={t.name}>
            <button className="link" onClick={() => onLoad(t)}>
              {t.name}
            </button>
            <span className="muted">
              {t.mode} · {t.event || 'frame'} {t.channels && `→ ${t.channels}`}
            </span>
            <button className="small ghost" onClick={() => onDelete(t.name)} aria-label={`Delete template ${t.name}`}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        className="saved-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) return;
          onSave(name.trim());
          setName('');
        }}
      >
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Template name" aria-label="Template name" />
        <button type="submit" disabled={!name.trim()}>
          Save as template
        </button>
      </form>
    </div>
  );
}

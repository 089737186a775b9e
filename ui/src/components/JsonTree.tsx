// A collapsible JSON tree: objects and arrays fold, leaves are coloured by type.
import { useState } from 'react';
import type { JsonValue } from '../bindings/serde_json/JsonValue';

function Leaf({ value }: { value: JsonValue }) {
  if (value === null) return <span className="j-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <span className="j-str">{JSON.stringify(value)}</span>;
    case 'number':
      return <span className="j-num">{value}</span>;
    case 'boolean':
      return <span className="j-bool">{String(value)}</span>;
    default:
      return null;
  }
}

function Node({ name, value, depth }: { name: string | null; value: JsonValue; depth: number }) {
  const [open, setOpen] = useState(depth < 3);
  const label = name !== null && <span className="j-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="j-row">
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const entries: [string, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [openCh, closeCh] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <div className="j-node">
      <button className="j-toggle" onClick={() => setOpen(!open)} aria-expanded={open} title={open ? 'Collapse' : 'Expand'}>
        {open ? '▾' : '▸'}
      </button>
      {label}
      {openCh}
      {!open && <span className="j-summary"> {entries.length} {Array.isArray(value) ? 'items' : 'keys'} {closeCh}</span>}
      {open && (
        <>
          <div className="j-children">
            {entries.map(([k, v]) => (
              <Node key={k} name={Array.isArray(value) ? null : k} value={v} depth={depth + 1} />
            ))}
          </div>
          {closeCh}
        </>
      )}
    </div>
  );
}

export function JsonTree({ value }: { value: JsonValue }) {
  return (
    <div className="json-tree">
      <Node name={null} value={value} depth={0} />
    </div>
  );
}

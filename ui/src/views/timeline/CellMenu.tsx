// The right-click menu on a timeline cell: filter by this value, exclude it, copy it.
import { useEffect } from 'react';
import { copyText } from '../../lib/platform';
import { termFor } from '../../lib/filterText';

export type CellMenuState = { field: string; value: string; x: number; y: number };

type Props = { menu: CellMenuState; onAdd: (term: string) => void; onClose: () => void };

export function CellMenu({ menu, onAdd, onClose }: Props) {
  useEffect(() => {
    const close = () => onClose();
    window.addEventListener('click', close);
    window.addEventListener('blur', close);
    return () => {
      window.removeEventListener('click', close);
      window.removeEventListener('blur', close);
    };
  }, [onClose]);
  const term = termFor(menu.field, menu.value);
  return (
    <div className="menu" style={{ left: menu.x, top: menu.y }} role="menu">
      <button role="menuitem" onClick={() => onAdd(term)}>
        Filter by <code>{term}</code>
      </button>
      <button role="menuitem" onClick={() => onAdd(`-${term}`)}>
        Exclude <code>{term}</code>
      </button>
      <button role="menuitem" onClick={() => void copyText(menu.value)}>
        Copy value
      </button>
    </div>
  );
}

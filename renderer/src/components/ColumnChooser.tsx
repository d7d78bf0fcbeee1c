import { Columns3 } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { useStore, type PaneId } from '../store';
import { COLUMN_IDS, type ColumnId } from '../store/layout.slice';
import { COLUMN_LABELS } from './columns';

/**
 * The Columns button of a pane: which columns the object tables show, the sort (the keyboard's way to sort), and
 * the keyboard's way to the column edges (Resize columns).
 */
export function ColumnChooser({ pane }: { pane: PaneId }) {
  const [open, setOpen] = useState(false);
  const visible = useStore((s) => s.columns.visible);
  const sort = useStore((s) => s.panes[pane].sort);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return undefined;
    const outside = (e: PointerEvent): void => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  return (
    <div
      className="column-chooser"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="icon-text"
        aria-expanded={open}
        aria-controls={id}
        title="Columns and sort"
        onClick={() => setOpen(!open)}
      >
        <Columns3 size={16} aria-hidden="true" />
        <span className="visually-hidden">Columns</span>
      </button>
      {open && (
        <div className="popover" id={id} role="group" aria-label="Columns">
          <fieldset>
            <legend>Show columns</legend>
            {COLUMN_IDS.map((c: ColumnId) => (
              <label key={c} className="check">
                <input
                  type="checkbox"
                  checked={visible[c]}
                  disabled={c === 'name'}
                  onChange={(e) => useStore.getState().setColumnVisible(c, e.target.checked)}
                />
                {COLUMN_LABELS[c]}
              </label>
            ))}
          </fieldset>
          <label className="field">
            <span>Sort by</span>
            <select
              value={`${sort.column}:${sort.descending ? 'desc' : 'asc'}`}
              onChange={(e) => {
                const [column, dir] = e.target.value.split(':') as [ColumnId, string];
                useStore.getState().setSort(pane, { column, descending: dir === 'desc' });
              }}
            >
              {COLUMN_IDS.flatMap((c) => [
                <option key={`${c}:asc`} value={`${c}:asc`}>{`${COLUMN_LABELS[c]}, ascending`}</option>,
                <option key={`${c}:desc`} value={`${c}:desc`}>{`${COLUMN_LABELS[c]}, descending`}</option>,
              ])}
            </select>
          </label>
          <div className="popover-actions">
            <button
              type="button"
              title="Arrows change the width, Tab goes to the next column's edge, Esc goes back to the list"
              onClick={() => {
                setOpen(false);
                document.querySelector<HTMLElement>(`#${pane}-table .col-resizer`)?.focus();
              }}
            >
              Resize columns
            </button>
            <button type="button" onClick={() => useStore.getState().resetColumns()}>
              Reset columns
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

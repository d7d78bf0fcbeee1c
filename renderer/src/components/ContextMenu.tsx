import { useEffect, useRef, type KeyboardEvent } from 'react';
import { copyLocation, inBucket, otherPane, selectedEntries, transferToOther } from '../actions';
import { useStore, type PaneId } from '../store';
import { hasPendingUploads, openPendingUploads } from './PendingUploadsDialog';

export interface MenuPosition {
  x: number;
  y: number;
}

interface Item {
  label: string;
  shortcut?: string;
  disabled?: boolean;
  run(): void;
}

/** The row menu: the same actions as the toolbar and the keyboard, with their shortcuts shown. */
export function ContextMenu({ pane, position, onClose }: { pane: PaneId; position: MenuPosition; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const st = useStore.getState();
  const entries = selectedEntries(pane);
  const one = entries.length === 1 ? entries[0] : undefined;
  const inside = inBucket(pane);
  const otherReady = inBucket(otherPane(pane));

  const items: Item[] = [
    { label: 'Open', shortcut: 'Enter', disabled: !one?.isPrefix, run: () => one && void st.openEntry(pane, one) },
    { label: 'Copy to other pane', shortcut: 'F5', disabled: !inside || !otherReady || !entries.length, run: () => void transferToOther(pane, false) },
    { label: 'Move to other pane', shortcut: 'F6', disabled: !inside || !otherReady || !entries.length, run: () => void transferToOther(pane, true) },
    { label: 'Download…', disabled: !inside || !entries.length, run: () => st.openDialog({ type: 'download', pane, entries }) },
    { label: 'Rename…', shortcut: 'F2', disabled: !inside || !one, run: () => one && st.openDialog({ type: 'rename', pane, entry: one }) },
    { label: 'Copy location', disabled: !one, run: () => one && void copyLocation(pane, one) },
    { label: 'Share link…', disabled: !inside || !one || one.isPrefix, run: () => one && st.openDialog({ type: 'presign', pane, entry: one }) },
    { label: 'New folder…', disabled: !inside, run: () => st.openDialog({ type: 'mkdir', pane }) },
    { label: 'Delete…', shortcut: 'Del', disabled: !inside || !entries.length, run: () => st.openDialog({ type: 'delete', pane, entries }) },
    { label: 'Unfinished uploads…', disabled: !hasPendingUploads(pane), run: () => openPendingUploads(pane) },
  ];

  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    const close = (e: globalThis.MouseEvent): void => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent): void => {
    const buttons = Array.from(ref.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? []);
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      onClose();
      document.getElementById(`${pane}-table`)?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = buttons[(i + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length];
      next?.focus();
    }
    e.stopPropagation();
  };

  // Keep the menu inside the window at any zoom.
  const left = Math.min(position.x, window.innerWidth - 240);
  const top = Math.min(position.y, window.innerHeight - items.length * 34 - 16);
  return (
    <div ref={ref} className="context-menu" role="menu" aria-label="Object actions" style={{ left: Math.max(0, left), top: Math.max(0, top) }} onKeyDown={onKeyDown}>
      {items.map((it) => (
        <button
          key={it.label}
          type="button"
          role="menuitem"
          disabled={it.disabled}
          onClick={() => {
            onClose();
            it.run();
          }}
        >
          <span>{it.label}</span>
          {it.shortcut && <kbd>{it.shortcut}</kbd>}
        </button>
      ))}
    </div>
  );
}

import { ClipboardCopy, Copy, Download, Eye, FolderOpen, FolderPlus, Link, MoveRight, Pencil, Trash2, UploadCloud, type LucideIcon } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { copyLocation, inBucket, otherPane, selectedEntries, transferToOther } from '../actions';
import { useStore, type PaneId } from '../store';
import { captureFocus } from './focus-return';
import { hasPendingUploads, openPendingUploads } from './PendingUploadsDialog';
import './menus.css';

export interface MenuPosition {
  x: number;
  y: number;
}

interface Item {
  label: string;
  icon: LucideIcon;
  shortcut?: string;
  disabled?: boolean;
  run(): void;
}

/** True for the keys that open a context menu from the keyboard: the Menu key and Shift+F10. */
export function isMenuKey(e: { key: string; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): boolean {
  return e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey);
}

/** Where a menu opened from the keyboard goes: beside the focused row of `container`, else at its top left. */
export function keyboardMenuPosition(container: HTMLElement): MenuPosition {
  const row = container.querySelector<HTMLElement>('.row.focused') ?? container;
  const r = row.getBoundingClientRect();
  return { x: r.left + Math.min(48, r.width / 4), y: r.top + Math.min(r.height, 28) };
}

/**
 * The row menu (ARIA menu pattern): the same actions as the toolbar and the keyboard, with their shortcuts shown.
 * Up/Down move (wrapping, unavailable items included), Home/End jump, a letter jumps to the next item starting with it, Enter or Space runs,
 * Escape or Tab closes; focus goes back to where it was when the menu opened.
 */
export function ContextMenu({ pane, position, onClose }: { pane: PaneId; position: MenuPosition; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [back] = useState(captureFocus);
  const st = useStore.getState();
  const entries = selectedEntries(pane);
  const one = entries.length === 1 ? entries[0] : undefined;
  const inside = inBucket(pane);
  const otherReady = inBucket(otherPane(pane));

  const items: Item[] = [
    one && !one.isPrefix && inside
      ? { label: 'Preview', icon: Eye, shortcut: 'Space', run: () => void st.openPreview(pane, one) }
      : { label: 'Open', icon: FolderOpen, shortcut: 'Enter', disabled: !one?.isPrefix, run: () => one && void st.openEntry(pane, one) },
    { label: 'Copy to other pane', icon: Copy, shortcut: 'F5', disabled: !inside || !otherReady || !entries.length, run: () => void transferToOther(pane, false) },
    { label: 'Move to other pane', icon: MoveRight, shortcut: 'F6', disabled: !inside || !otherReady || !entries.length, run: () => void transferToOther(pane, true) },
    { label: 'Download…', icon: Download, disabled: !inside || !entries.length, run: () => st.openDialog({ type: 'download', pane, entries }) },
    { label: 'Rename…', icon: Pencil, shortcut: 'F2', disabled: !inside || !one, run: () => one && st.openDialog({ type: 'rename', pane, entry: one }) },
    { label: 'Copy location', icon: ClipboardCopy, disabled: !one, run: () => one && void copyLocation(pane, one) },
    { label: 'Share link…', icon: Link, disabled: !inside || !one || one.isPrefix, run: () => one && st.openDialog({ type: 'presign', pane, entry: one }) },
    { label: 'New folder…', icon: FolderPlus, disabled: !inside, run: () => st.openDialog({ type: 'mkdir', pane }) },
    { label: 'Delete…', icon: Trash2, shortcut: 'Del', disabled: !inside || !entries.length, run: () => st.openDialog({ type: 'delete', pane, entries }) },
    { label: 'Unfinished uploads…', icon: UploadCloud, disabled: !hasPendingUploads(pane), run: () => openPendingUploads(pane) },
  ];

  const close = (): void => {
    back.restore();
    onClose();
  };

  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
    const outside = (e: globalThis.MouseEvent): void => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', outside);
    return () => window.removeEventListener('mousedown', outside);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent): void => {
    // Unavailable items stay in the arrow order (the ARIA pattern), so that the user learns they exist.
    const buttons = Array.from(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const go = (n: number): void => {
      e.preventDefault();
      buttons[(n + buttons.length) % buttons.length]?.focus();
    };
    if (e.key === 'Escape' || e.key === 'Tab' || isMenuKey(e)) {
      e.preventDefault();
      close();
    } else if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i < 0 ? buttons.length - 1 : i - 1);
    else if (e.key === 'Home' || e.key === 'PageUp') go(0);
    else if (e.key === 'End' || e.key === 'PageDown') go(buttons.length - 1);
    else if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const from = i + 1;
      const order = [...buttons.slice(from), ...buttons.slice(0, from)];
      const hit = order.find((b) => b.textContent?.trim().toLowerCase().startsWith(e.key.toLowerCase()));
      if (hit) {
        e.preventDefault();
        hit.focus();
      }
    }
    e.stopPropagation();
  };

  // Keep the menu inside the window at any zoom.
  const left = Math.min(position.x, window.innerWidth - 240);
  const top = Math.min(position.y, window.innerHeight - items.length * 34 - 16);
  // Not inside the grid that opened it (a grid holds only rows), but still inside the page's main landmark.
  return createPortal(
    <div ref={ref} className="context-menu" role="menu" aria-label="Object actions" style={{ left: Math.max(0, left), top: Math.max(0, top) }} onKeyDown={onKeyDown}>
      {items.map((it) => (
        <button
          key={it.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          aria-disabled={it.disabled ? true : undefined}
          aria-keyshortcuts={it.shortcut === 'Del' ? 'Delete' : it.shortcut}
          onClick={() => {
            if (it.disabled) return;
            // Focus first goes back to the opener, so a dialog the item opens returns focus there in turn.
            close();
            it.run();
          }}
        >
          <it.icon aria-hidden="true" className="menu-icon" size={16} strokeWidth={1.75} />
          <span className="menu-label">{it.label}</span>
          {it.shortcut && <kbd aria-hidden="true">{it.shortcut}</kbd>}
        </button>
      ))}
    </div>,
    document.querySelector('main') ?? document.body,
  );
}

import { ArrowRight, Copy, Download, Ellipsis, FolderPlus, Link, MoveRight, Pencil, Trash, Upload, Users, type LucideIcon } from 'lucide-react';
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { copyLocation, inBucket, otherPane, selectedEntries, transferToOther } from '../actions';
import { useStore } from '../store';
import { nativeDialogsAvailable } from '../native-dialogs';
import { fromFileList, uploadFiles, uploadFromDialog } from '../upload';

interface ToolAction {
  id: string;
  label: string;
  icon: LucideIcon;
  disabled: boolean;
  title?: string;
  run(): void;
  /** Starts a new group (a separator before it). */
  group?: boolean;
}

/** Gap between toolbar buttons, px (styles.css .toolbar gap); the More button's room is measured with it. */
const GAP = 6;

/** The More menu: what the toolbar has no room for, as a keyboard-operable menu. */
function MoreMenu({ actions }: { actions: ToolAction[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (!open) return undefined;
    (menu.current?.querySelector<HTMLButtonElement>('[role=menuitem]:not(:disabled)') ?? menu.current)?.focus();
    const outside = (e: PointerEvent): void => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);
  const close = (): void => {
    setOpen(false);
    button.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    const items = Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]:not(:disabled)') ?? []);
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number): void => items[(i + items.length) % items.length]?.focus();
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      close();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      go(at + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      go(at - 1);
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      go(e.key === 'Home' ? 0 : items.length - 1);
    }
  };
  return (
    <div className="more-wrap">
      <button ref={button} type="button" className="tool-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        <Ellipsis size={16} aria-hidden="true" />
        More
      </button>
      {open && (
        <div ref={menu} className="more-menu" role="menu" aria-label="More actions" tabIndex={-1} onKeyDown={onKeyDown}>
          {actions.map((a) => (
            <button
              key={a.id}
              type="button"
              role="menuitem"
              disabled={a.disabled}
              title={a.title}
              onClick={() => {
                close();
                a.run();
              }}
            >
              <a.icon size={16} aria-hidden="true" />
              {a.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** Every keyboard action, also as a button (acting on the active pane); one row, the rest under More. */
export function Toolbar() {
  const pane = useStore((s) => s.activePane);
  // Subscribing to these keeps the enabled states current.
  const hasSelection = useStore((s) => s.selection[s.activePane].selected.size > 0 || s.selection[s.activePane].focus !== null);
  const here = useStore((s) => s.panes[s.activePane].account !== null && s.panes[s.activePane].bucket !== '');
  const there = useStore((s) => s.panes[otherPane(s.activePane)].bucket !== '');
  const openDialog = useStore((s) => s.openDialog);
  const fileInput = useRef<HTMLInputElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const measure = useRef<HTMLDivElement>(null);
  const [fits, setFits] = useState<number>(Number.MAX_SAFE_INTEGER);
  const one = (): ReturnType<typeof selectedEntries>[number] | undefined => {
    const e = selectedEntries(pane);
    return e.length === 1 ? e[0] : undefined;
  };
  const act = hasSelection && here;

  const actions: ToolAction[] = [
    { id: 'accounts', label: 'Accounts', icon: Users, disabled: false, run: () => openDialog({ type: 'accounts' }) },
    {
      id: 'upload',
      label: 'Upload…',
      icon: Upload,
      disabled: !here,
      group: true,
      run: () => {
        const browse = (): void => fileInput.current?.click();
        // Desktop: the native dialog gives paths, copied straight from disk; served mode: the browser's input.
        if (nativeDialogsAvailable()) void uploadFromDialog(pane, browse);
        else browse();
      },
    },
    { id: 'download', label: 'Download…', icon: Download, disabled: !act, run: () => openDialog({ type: 'download', pane, entries: selectedEntries(pane) }) },
    { id: 'copy', label: 'Copy → other pane', icon: ArrowRight, disabled: !act || !there, title: 'F5', run: () => void transferToOther(pane, false) },
    { id: 'move', label: 'Move → other pane', icon: MoveRight, disabled: !act || !there, title: 'F6', run: () => void transferToOther(pane, true) },
    { id: 'mkdir', label: 'New folder…', icon: FolderPlus, disabled: !here, run: () => openDialog({ type: 'mkdir', pane }) },
    {
      id: 'rename',
      label: 'Rename…',
      icon: Pencil,
      disabled: !act,
      title: 'F2',
      run: () => {
        const e = one();
        if (e) openDialog({ type: 'rename', pane, entry: e });
      },
    },
    { id: 'delete', label: 'Delete…', icon: Trash, disabled: !act, title: 'Delete', run: () => openDialog({ type: 'delete', pane, entries: selectedEntries(pane) }) },
    {
      id: 'share',
      label: 'Share link…',
      icon: Link,
      disabled: !act,
      run: () => {
        const e = one();
        if (e && !e.isPrefix) openDialog({ type: 'presign', pane, entry: e });
      },
    },
    {
      id: 'location',
      label: 'Copy location',
      icon: Copy,
      disabled: !hasSelection,
      run: () => {
        const e = one();
        if (e) void copyLocation(pane, e);
      },
    },
  ];

  // How many buttons fit in one row, from their measured widths (a hidden copy of the row) and the room there is.
  useLayoutEffect(() => {
    const el = bar.current;
    const ruler = measure.current;
    if (!el || !ruler) return undefined;
    const compute = (): void => {
      const widths = Array.from(ruler.children, (c) => (c as HTMLElement).offsetWidth + (parseFloat(getComputedStyle(c).marginLeft) || 0) + GAP);
      const more = widths.pop() ?? 0;
      const room = el.clientWidth;
      const total = widths.reduce((a, b) => a + b, 0);
      if (total <= room) {
        setFits(widths.length);
        return;
      }
      let used = more;
      let n = 0;
      while (n < widths.length && used + (widths[n] ?? 0) <= room) used += widths[n++] ?? 0;
      setFits(n);
    };
    compute();
    const ro = new ResizeObserver(compute);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const shown = actions.slice(0, fits);
  const rest = actions.slice(fits);
  const render = (a: ToolAction, measuring = false) => (
    <button
      key={a.id}
      type="button"
      className={`tool-button${a.group ? ' group-start' : ''}`}
      disabled={a.disabled}
      title={a.title}
      tabIndex={measuring ? -1 : undefined}
      onClick={measuring ? undefined : a.run}
    >
      <a.icon size={16} aria-hidden="true" />
      {a.label}
    </button>
  );

  return (
    <div className="toolbar" role="toolbar" aria-label="Actions" ref={bar}>
      {shown.map((a) => render(a))}
      {rest.length > 0 && <MoreMenu actions={rest} />}
      <div className="toolbar-ruler" ref={measure} aria-hidden="true" inert>
        {actions.map((a) => render(a, true))}
        <button type="button" className="tool-button" tabIndex={-1}>
          <Ellipsis size={16} aria-hidden="true" />
          More
        </button>
      </div>
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        aria-label="Files to upload"
        onChange={(e) => {
          const list = e.target.files;
          if (list && inBucket(pane)) void uploadFiles(pane, fromFileList(list));
          e.target.value = '';
        }}
      />
    </div>
  );
}

import { useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import type { ObjectEntry } from '../../../shared/model';
import { selectedEntries, transferToOther } from '../actions';
import { formatDate, formatDateShort, formatSize, truncateMiddle } from '../format';
import { fileKind } from '../kinds';
import { clickSelect, moveFocus, selectAll, typeAheadMatch } from '../selection';
import { useStore, type PaneId } from '../store';
import { DEFAULT_COLUMNS, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, type ColumnId } from '../store/layout.slice';
import { usePaneRows } from '../store/usePaneRows';
import { COLUMN_LABELS, gridTemplate, visibleColumns } from './columns';
import { ContextMenu, isMenuKey, keyboardMenuPosition, type MenuPosition } from './ContextMenu';
import { FileKindIcon } from './FileKindIcon';
import { useRowWindow, type RowGeometry } from './rowWindow';

const ROW_HEIGHT = 28;
/** The sticky header row's height (styles.css .head-row): the rows start below it in the scroller. */
const HEAD_HEIGHT = 30;
/** Rows are all one height below the sticky header; 16 drawn beyond each edge of the viewport. */
const GEOMETRY: RowGeometry = { rowHeight: ROW_HEIGHT, offset: HEAD_HEIGHT, overscan: 16 };
export const DRAG_TYPE = 'application/x-skyferry-selection';

/** Pixels an arrow key moves a column edge; with Shift, five times as far. */
const WIDTH_STEP = 8;
/** The Modified column's widths for the long date form and the short one with a time; narrower, the date alone. */
const LONG_DATE_WIDTH = 168;
const SHORT_DATE_WIDTH = 132;

/** The indexes from `start` up to, not including, `end`. */
function shownIndexes(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

/** A modified time in the longest form its column's width holds (as Finder does). */
function dateFor(iso: string | undefined, width: number): string {
  if (width >= LONG_DATE_WIDTH) return formatDate(iso);
  return formatDateShort(iso, width >= SHORT_DATE_WIDTH);
}
/** The row's side padding (styles.css .row: 0.4rem each side), which the columns do not get. */
const ROW_PADDING_REM = 0.8;

/**
 * A column's right edge: dragged by the mouse, or focused (from the Columns menu) and moved by the arrow keys. The
 * width lands in the remembered column prefs. The grid stays the table's one Tab stop: in the header, Tab and
 * Shift+Tab go from edge to edge, and Esc or Enter (or Tab past the last edge) go back to the rows.
 */
function ColumnResizer({ id, label, width }: { id: ColumnId; label: string; width: number }) {
  const start = useRef<{ x: number; width: number } | null>(null);
  const onPointerDown = (e: PointerEvent<HTMLSpanElement>): void => {
    e.preventDefault();
    e.stopPropagation();
    e.currentTarget.setPointerCapture(e.pointerId);
    start.current = { x: e.clientX, width: useStore.getState().columns.widths[id] };
  };
  const onPointerMove = (e: PointerEvent<HTMLSpanElement>): void => {
    if (!start.current) return;
    useStore.getState().setColumnWidth(id, start.current.width + e.clientX - start.current.x);
  };
  const stop = (): void => {
    start.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLSpanElement>): void => {
    const st = useStore.getState();
    const cur = st.columns.widths[id];
    const step = e.shiftKey ? WIDTH_STEP * 5 : WIDTH_STEP;
    const grid = e.currentTarget.closest<HTMLElement>('[role=grid]');
    const edges = grid ? Array.from(grid.querySelectorAll<HTMLElement>('.col-resizer')) : [];
    const at = edges.indexOf(e.currentTarget);
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') st.setColumnWidth(id, cur + step);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') st.setColumnWidth(id, cur - step);
    else if (e.key === 'Home') st.setColumnWidth(id, MIN_COLUMN_WIDTH);
    else if (e.key === 'End') st.setColumnWidth(id, DEFAULT_COLUMNS.widths[id]);
    else if (e.key === 'Tab') (edges[at + (e.shiftKey ? -1 : 1)] ?? grid)?.focus();
    else if (e.key === 'Escape' || e.key === 'Enter') grid?.focus();
    else return;
    // The grid's own keys (arrows move the row focus) must not see these.
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <span
      className="col-resizer"
      data-testid={`resize-${id}`}
      role="separator"
      aria-orientation="vertical"
      aria-label={`Width of the ${label} column`}
      aria-valuenow={width}
      aria-valuemin={MIN_COLUMN_WIDTH}
      aria-valuemax={MAX_COLUMN_WIDTH}
      aria-valuetext={`${width} pixels`}
      tabIndex={-1}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={stop}
      onPointerCancel={stop}
      onKeyDown={onKeyDown}
      onClick={(e) => e.stopPropagation()}
    />
  );
}

export function ObjectTable({ pane }: { pane: PaneId }) {
  const textFilter = useStore((s) => s.panes[pane].textFilter);
  const sort = useStore((s) => s.panes[pane].sort);
  const complete = useStore((s) => s.panes[pane].complete);
  const loading = useStore((s) => s.panes[pane].loading);
  const atRoot = useStore((s) => s.panes[pane].bucket === '');
  const selection = useStore((s) => s.selection[pane]);
  const bulk = useStore((s) => s.panes[pane].bulk);
  const columnPrefs = useStore((s) => s.columns);
  const cols = useMemo(() => visibleColumns(columnPrefs), [columnPrefs]);
  const scrollRef = useRef<HTMLDivElement>(null);
  /** The pixels a row's columns have (the scroller's inner width less the row's padding): narrow panes squeeze the columns. */
  const [available, setAvailable] = useState(Infinity);
  const grid = useMemo(() => gridTemplate(columnPrefs, cols, available), [columnPrefs, cols, available]);
  const view = usePaneRows(pane);
  const rows = view.rows;
  /** The rows' keys in order, built when a gesture needs them rather than on every page that arrives. */
  const order = useMemo(() => {
    let keys: string[] | undefined;
    return (): string[] => (keys ??= view.rows.map((r) => r.key));
  }, [view]);

  const [nameChars, setNameChars] = useState(48);
  const [menu, setMenu] = useState<MenuPosition | null>(null);
  const typed = useRef({ text: '', at: 0 });
  /** End pressed over a partial listing: once the whole listing is in, the focus goes to its real last row. */
  const [wantEnd, setWantEnd] = useState<{ extend: boolean } | null>(null);

  const shownRows = useRowWindow(scrollRef, rows.length, GEOMETRY);
  const { scrollToIndex } = shownRows;
  const lastIndex = Math.max(0, shownRows.end - 1);

  // Pages load as the user nears the end of what is loaded, never all at once (unless the user asks for all).
  useEffect(() => {
    if (!complete && !loading && !bulk && lastIndex >= rows.length - 200) void useStore.getState().loadMore(pane);
  }, [lastIndex, rows.length, complete, loading, bulk, pane]);

  useEffect(() => {
    if (!wantEnd) return;
    // Cancelled before the end: stay where the user was.
    if (!bulk && !complete) setWantEnd(null);
    if (!complete || bulk) return;
    setWantEnd(null);
    const keys = order();
    useStore.getState().setSelection(pane, moveFocus(useStore.getState().selection[pane], keys, keys.length, wantEnd.extend));
  }, [wantEnd, complete, bulk, order, pane]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return undefined;
    const ro = new ResizeObserver(() => {
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      setAvailable(Math.floor(el.clientWidth - ROW_PADDING_REM * rem));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Middle truncation needs a character budget: derive it from the name column's rendered width, at an average
  // character of 0.6 em (wide sans faces such as DejaVu Sans; narrower ones just leave some room unused).
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const head = el?.querySelector<HTMLElement>('.head-row .col-name');
    if (!el || !head) return undefined;
    const ro = new ResizeObserver(() => {
      const fontPx = parseFloat(getComputedStyle(el).fontSize) || 14;
      setNameChars(Math.max(8, Math.floor((head.clientWidth - 2 * fontPx) / (fontPx * 0.6))));
    });
    ro.observe(head);
    return () => ro.disconnect();
  }, []);

  // Looked for when the rows or the focus change, not on every render of a scroll over a million rows.
  const focusIndex = useMemo(() => (selection.focus === null ? -1 : view.rows.findIndex((r) => r.key === selection.focus)), [view, selection.focus]);
  useEffect(() => {
    if (focusIndex >= 0) scrollToIndex(focusIndex);
  }, [focusIndex, scrollToIndex]);

  const setSel = (next: typeof selection): void => useStore.getState().setSelection(pane, next);

  const onRowClick = (e: MouseEvent, key: string): void => {
    useStore.getState().setActivePane(pane);
    setSel(clickSelect(selection, order(), key, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey }));
  };

  const openRow = (entry: ObjectEntry): void => void useStore.getState().openEntry(pane, entry);

  const onContextMenu = (e: MouseEvent, key: string): void => {
    e.preventDefault();
    useStore.getState().setActivePane(pane);
    if (!selection.selected.has(key)) setSel(clickSelect(selection, order(), key, { toggle: false, range: false }));
    setMenu({ x: e.clientX, y: e.clientY });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const st = useStore.getState();
    const mod = e.ctrlKey || e.metaKey;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const focused = focusIndex >= 0 ? rows[focusIndex] : undefined;
    const handled = (): void => {
      e.preventDefault();
      e.stopPropagation();
    };
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      handled();
      setSel(moveFocus(selection, order(), e.key === 'ArrowDown' ? 1 : -1, e.shiftKey));
    } else if (e.key === 'PageDown' || e.key === 'PageUp') {
      handled();
      setSel(moveFocus(selection, order(), e.key === 'PageDown' ? page : -page, e.shiftKey));
    } else if (e.key === 'End' && !complete) {
      // The last loaded row is not the listing's last key: load the rest (with progress and Cancel), then go there.
      handled();
      setWantEnd({ extend: e.shiftKey });
      if (!st.panes[pane].bulk) void st.loadAll(pane, 'end');
    } else if (e.key === 'Home' || e.key === 'End') {
      handled();
      setSel(moveFocus(selection, order(), e.key === 'End' ? rows.length : -rows.length, e.shiftKey));
    } else if (e.key === 'Enter') {
      handled();
      if (focused) openRow(focused);
    } else if (e.key === 'Backspace' || (e.altKey && e.key === 'ArrowLeft')) {
      handled();
      void (e.altKey ? st.goBack(pane) : st.goUp(pane));
    } else if (e.key === 'F5' || e.key === 'F6') {
      handled();
      void transferToOther(pane, e.key === 'F6');
    } else if (e.key === 'Delete') {
      handled();
      const targets = selectedEntries(pane);
      if (targets.length > 0 && !atRoot) st.openDialog({ type: 'delete', pane, entries: targets });
    } else if (e.key === 'F2') {
      handled();
      if (focused && !atRoot) st.openDialog({ type: 'rename', pane, entry: focused });
    } else if (mod && e.key.toLowerCase() === 'a') {
      handled();
      setSel(selectAll(order()));
    } else if (isMenuKey(e)) {
      handled();
      setMenu(keyboardMenuPosition(e.currentTarget));
    } else if (e.key === ' ' && focused && !mod && !focused.isPrefix && !atRoot) {
      handled();
      st.togglePreview(pane, focused);
    } else if (e.key === ' ' && focused) {
      handled();
      setSel(clickSelect(selection, order(), focused.key, { toggle: true, range: false }));
    } else if (e.key === 'Escape') {
      st.clearSelection(pane);
    } else if (e.key.length === 1 && !mod && !e.altKey) {
      // Type-ahead: letters typed within a second build up one search.
      handled();
      const now = Date.now();
      typed.current = { text: now - typed.current.at < 1000 ? typed.current.text + e.key : e.key, at: now };
      const hit = typeAheadMatch(rows, selection.focus, typed.current.text);
      if (hit) setSel({ selected: new Set([hit]), anchor: hit, focus: hit });
    }
  };

  const onDragStart = (e: DragEvent, key: string): void => {
    const keys = selection.selected.has(key) ? [...selection.selected] : [key];
    if (!selection.selected.has(key)) setSel(clickSelect(selection, order(), key, { toggle: false, range: false }));
    e.dataTransfer.setData(DRAG_TYPE, JSON.stringify({ pane, keys }));
    e.dataTransfer.setData('text/plain', keys.map((k) => useStore.getState().uriOf(pane, k) ?? k).join('\n'));
    e.dataTransfer.effectAllowed = 'copyMove';
  };

  const headerCell = (id: ColumnId) => {
    const active = sort.column === id;
    const label = COLUMN_LABELS[id];
    return (
      <div key={id} role="columnheader" className={`cell col-${id}`} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        {/* Out of the Tab order (the grid is one stop); the Columns menu sorts from the keyboard. */}
        <button
          type="button"
          tabIndex={-1}
          className="sort-button"
          onClick={() => useStore.getState().setSort(pane, { column: id, descending: active ? !sort.descending : false })}
          aria-label={`Sort by ${label}`}
        >
          {label}
          <span aria-hidden="true" className="sort-mark">{active ? (sort.descending ? '▼' : '▲') : ''}</span>
        </button>
        <ColumnResizer id={id} label={label} width={columnPrefs.widths[id]} />
      </div>
    );
  };

  const cell = (id: ColumnId, row: ObjectEntry) => {
    switch (id) {
      case 'name': {
        const kind = fileKind(row, atRoot);
        return (
          <div key={id} role="gridcell" className="cell col-name" title={row.name}>
            <FileKindIcon family={kind.family} />
            {/* Screen readers and search get the whole name; the eye gets the middle-truncated one. */}
            <span className="name-text" aria-hidden="true">{truncateMiddle(row.name, nameChars)}</span>
            <span className="visually-hidden">{row.name}</span>
          </div>
        );
      }
      case 'size':
        return <div key={id} role="gridcell" className="cell col-size">{row.isPrefix ? '' : formatSize(row.size)}</div>;
      case 'modified':
        return (
          <div key={id} role="gridcell" className="cell col-modified" title={formatDate(row.modified) || undefined}>
            {dateFor(row.modified, grid.widths.modified ?? LONG_DATE_WIDTH)}
          </div>
        );
      case 'storageClass':
        return <div key={id} role="gridcell" className="cell col-storageClass">{row.storageClass ?? ''}</div>;
      case 'type':
        return <div key={id} role="gridcell" className="cell col-type">{fileKind(row, atRoot).label}</div>;
      case 'etag':
        return <div key={id} role="gridcell" className="cell col-etag" title={row.etag}>{row.etag?.replace(/"/g, '') ?? ''}</div>;
    }
  };

  const rowStyle = { gridTemplateColumns: grid.template, minWidth: `calc(${grid.minWidth}px + ${ROW_PADDING_REM}rem)` };

  return (
    <div className="object-table">
      {/* The grid is the one Tab stop of the table: it holds the focus and points at the focused row. */}
      <div
        id={`${pane}-table`}
        ref={scrollRef}
        className="table-body"
        role="grid"
        tabIndex={0}
        aria-label={`${pane === 'left' ? 'Left' : 'Right'} pane objects`}
        aria-rowcount={complete ? rows.length + 1 : -1}
        aria-colcount={cols.length}
        aria-multiselectable="true"
        aria-activedescendant={focusIndex >= 0 ? `${pane}-row-${focusIndex}` : undefined}
        onKeyDown={onKeyDown}
        onFocus={() => useStore.getState().setActivePane(pane)}
      >
        <div role="rowgroup" className="table-head" style={{ minWidth: rowStyle.minWidth }}>
          <div role="row" aria-rowindex={1} className="row head-row" style={rowStyle}>
            {cols.map(headerCell)}
          </div>
        </div>
        <div role="rowgroup" className="table-rows" style={{ height: shownRows.totalSize, minWidth: rowStyle.minWidth }}>
          {shownIndexes(shownRows.start, shownRows.end).map((index) => {
            const row = rows[index];
            if (!row) return null;
            const selected = selection.selected.has(row.key);
            const isFocus = selection.focus === row.key;
            return (
              <div
                key={row.key}
                id={`${pane}-row-${index}`}
                role="row"
                aria-rowindex={index + 2}
                aria-selected={selected}
                data-key={row.key}
                className={`row${selected ? ' selected' : ''}${isFocus ? ' focused' : ''}`}
                style={{ ...rowStyle, transform: `translateY(${index * ROW_HEIGHT}px)`, height: ROW_HEIGHT }}
                draggable={!atRoot}
                onDragStart={(e) => onDragStart(e, row.key)}
                onClick={(e) => onRowClick(e, row.key)}
                onDoubleClick={() => openRow(row)}
                onContextMenu={(e) => onContextMenu(e, row.key)}
              >
                {cols.map((id) => cell(id, row))}
              </div>
            );
          })}
        </div>
      </div>
      {rows.length === 0 && !loading && !bulk && (
        <p className="empty-note table-empty">{textFilter ? (complete ? 'No name matches the filter.' : 'No loaded name matches the filter.') : 'Nothing here yet. Drop files to upload.'}</p>
      )}
      {menu && <ContextMenu pane={pane} position={menu} onClose={() => setMenu(null)} />}
    </div>
  );
}

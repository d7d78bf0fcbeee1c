import type { ColumnId, ColumnPrefs } from '../store/layout.slice';
import { COLUMN_IDS } from '../store/layout.slice';

export const COLUMN_LABELS: Record<ColumnId, string> = {
  name: 'Name',
  size: 'Size',
  modified: 'Modified',
  storageClass: 'Class',
  type: 'Type',
  etag: 'ETag',
};

/**
 * How far a column gives way when the pane is narrower than the chosen widths (never below the chosen width), and
 * in which order: the date first (it has shorter forms), then the lesser columns, the name, and the size last. The
 * date's floor holds its shortest forms whole ("12:59 PM", "12/31/26": 66 px in a 14 px system face, plus the
 * cell's padding).
 */
const FLOOR: Record<ColumnId, number> = { name: 110, size: 72, modified: 80, storageClass: 64, type: 84, etag: 64 };
const GIVES_FIRST: readonly ColumnId[] = ['modified', 'etag', 'storageClass', 'type', 'name', 'size'];

/** The columns a table shows, in order. */
export function visibleColumns(prefs: ColumnPrefs): ColumnId[] {
  return COLUMN_IDS.filter((id) => prefs.visible[id]);
}

export interface GridLayout {
  /** CSS grid-template-columns of every row. */
  template: string;
  /** The rows' least width: below it the table scrolls sideways. */
  minWidth: number;
  /** Each shown column's width before the name column takes what is left. */
  widths: Partial<Record<ColumnId, number>>;
}

/**
 * CSS grid columns for the rows: the name takes what is left over its least width; the others are fixed. When
 * `available` (the pixels the row has) is less than the chosen widths, the columns give way in GIVES_FIRST order
 * down to their floors, so that a narrow pane shows every column without a sideways scroll bar.
 */
export function gridTemplate(prefs: ColumnPrefs, cols: readonly ColumnId[], available = Infinity): GridLayout {
  const widths: Partial<Record<ColumnId, number>> = {};
  for (const id of cols) widths[id] = prefs.widths[id];
  let excess = cols.reduce((sum, id) => sum + prefs.widths[id], 0) - available;
  for (const id of GIVES_FIRST) {
    if (excess <= 0) break;
    const w = widths[id];
    if (w === undefined) continue;
    const give = Math.min(excess, Math.max(0, w - FLOOR[id]));
    widths[id] = Math.floor(w - give);
    excess -= give;
  }
  let minWidth = 0;
  const parts = cols.map((id) => {
    const w = widths[id] ?? prefs.widths[id];
    minWidth += w;
    return id === 'name' ? `minmax(${w}px, 1fr)` : `${w}px`;
  });
  return { template: parts.join(' '), minWidth, widths };
}

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

/** The columns a table shows, in order. */
export function visibleColumns(prefs: ColumnPrefs): ColumnId[] {
  return COLUMN_IDS.filter((id) => prefs.visible[id]);
}

/** CSS grid columns for the rows: the name takes what is left over its least width; the others are fixed. */
export function gridTemplate(prefs: ColumnPrefs, cols: readonly ColumnId[]): { template: string; minWidth: number } {
  let minWidth = 0;
  const parts = cols.map((id) => {
    const w = prefs.widths[id];
    minWidth += w;
    return id === 'name' ? `minmax(${w}px, 1fr)` : `${w}px`;
  });
  return { template: parts.join(' '), minWidth };
}

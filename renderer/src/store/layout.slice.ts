import type { StateCreator } from 'zustand';
import type { AppState } from './index';

/** The object tables' columns, in the order they show. */
export const COLUMN_IDS = ['name', 'size', 'modified', 'storageClass', 'type', 'etag'] as const;
export type ColumnId = (typeof COLUMN_IDS)[number];

export interface ColumnPrefs {
  visible: Record<ColumnId, boolean>;
  /** Pixels; the name column's is its least width (it takes whatever room is left). */
  widths: Record<ColumnId, number>;
}

export const DEFAULT_COLUMNS: ColumnPrefs = {
  visible: { name: true, size: true, modified: true, storageClass: false, type: true, etag: false },
  widths: { name: 150, size: 80, modified: 176, storageClass: 100, type: 110, etag: 180 },
};
export const MIN_COLUMN_WIDTH = 48;
export const MAX_COLUMN_WIDTH = 1200;

const COLUMNS_KEY = 'skyferry.layout.columns';

function readColumns(): ColumnPrefs {
  try {
    const raw: unknown = JSON.parse(globalThis.localStorage?.getItem(COLUMNS_KEY) ?? 'null');
    if (!raw || typeof raw !== 'object') return DEFAULT_COLUMNS;
    const saved = raw as { visible?: Record<string, unknown>; widths?: Record<string, unknown> };
    const prefs: ColumnPrefs = { visible: { ...DEFAULT_COLUMNS.visible }, widths: { ...DEFAULT_COLUMNS.widths } };
    for (const id of COLUMN_IDS) {
      const v = saved.visible?.[id];
      const w = saved.widths?.[id];
      if (typeof v === 'boolean') prefs.visible[id] = v;
      if (typeof w === 'number' && Number.isFinite(w)) prefs.widths[id] = Math.max(MIN_COLUMN_WIDTH, Math.min(MAX_COLUMN_WIDTH, Math.round(w)));
    }
    prefs.visible.name = true;
    return prefs;
  } catch {
    return DEFAULT_COLUMNS;
  }
}

function writeColumns(prefs: ColumnPrefs): void {
  try {
    globalThis.localStorage?.setItem(COLUMNS_KEY, JSON.stringify(prefs));
  } catch {
    // Storage full or denied: the layout still works, it is only not remembered.
  }
}

const DETAILS_KEY = 'skyferry.layout.details';

function readDetailsOpen(): boolean {
  try {
    return globalThis.localStorage?.getItem(DETAILS_KEY) !== 'closed';
  } catch {
    return true;
  }
}

/** Layout preferences the user sets by hand and gets back after a reload (splitter sizes are kept by the panels). */
export interface LayoutSlice {
  columns: ColumnPrefs;
  setColumnVisible(id: ColumnId, visible: boolean): void;
  setColumnWidth(id: ColumnId, width: number): void;
  resetColumns(): void;
  /** Whether the details panel shows beside the panes (remembered); collapsed, the panes take its width. */
  detailsOpen: boolean;
  setDetailsOpen(open: boolean): void;
  /** Whether the Transfers area shows its list or only its one-line bar. */
  transfersExpanded: boolean;
  setTransfersExpanded(open: boolean): void;
}

export const createLayoutSlice: StateCreator<AppState, [], [], LayoutSlice> = (set, get) => {
  const saveColumns = (columns: ColumnPrefs): void => {
    set({ columns });
    writeColumns(columns);
  };
  return {
    columns: readColumns(),
    setColumnVisible(id, visible) {
      if (id === 'name') return;
      const cur = get().columns;
      saveColumns({ ...cur, visible: { ...cur.visible, [id]: visible } });
    },
    setColumnWidth(id, width) {
      const cur = get().columns;
      saveColumns({ ...cur, widths: { ...cur.widths, [id]: Math.max(MIN_COLUMN_WIDTH, Math.min(MAX_COLUMN_WIDTH, Math.round(width))) } });
    },
    resetColumns() {
      saveColumns(DEFAULT_COLUMNS);
    },
    detailsOpen: readDetailsOpen(),
    setDetailsOpen(open) {
      set({ detailsOpen: open });
      try {
        globalThis.localStorage?.setItem(DETAILS_KEY, open ? 'open' : 'closed');
      } catch {
        // Storage full or denied: the panel still toggles, it is only not remembered.
      }
    },
    transfersExpanded: false,
    setTransfersExpanded(open) {
      if (get().transfersExpanded !== open) set({ transfersExpanded: open });
    },
  };
};

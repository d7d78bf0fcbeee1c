import { useMemo } from 'react';
import { useStore, type PaneId } from './index';
import { IncrementalRows } from './rows';
import type { ObjectEntry } from '../../../shared/model';

// One cache per pane, shared by the table and the status line, so a new page is merged once.
const caches: Record<PaneId, IncrementalRows> = { left: new IncrementalRows(), right: new IncrementalRows() };

/** The rows a pane shows (filtered, sorted), recomputed incrementally as pages arrive. */
export function usePaneRows(pane: PaneId): ObjectEntry[] {
  const entries = useStore((s) => s.panes[pane].entries);
  const textFilter = useStore((s) => s.panes[pane].textFilter);
  const sort = useStore((s) => s.panes[pane].sort);
  return useMemo(() => caches[pane].get(entries, textFilter, sort), [pane, entries, textFilter, sort]);
}

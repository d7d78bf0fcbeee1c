import { useMemo, useSyncExternalStore } from 'react';
import { useStore, type PaneId } from './index';
import { filterInSlices, filterNeedle, IncrementalRows, type SlicedFilter, type SortSpec } from './rows';
import type { ObjectEntry } from '../../../shared/model';

/**
 * One pane's visible rows, shared by the table and the status line so that a new page is merged once. The sorted,
 * unfiltered rows are kept incrementally; a "Contains" filter that changes is matched in slices
 * (filterInSlices), so that a keystroke over 100,000 names never holds the main thread: until the new match is
 * in, the rows of the last filter stay on screen. Pages arriving under an unchanged filter are merged at once.
 *
 * The rows arrays are merged into in place as pages arrive. A sliced match reads the rows it was started on across
 * slices, so any call that may merge into them first stops a match that no longer fits the entries.
 */
export class PaneRows {
  private readonly all = new IncrementalRows();
  private readonly filtered = new IncrementalRows();
  private running: { entries: readonly ObjectEntry[]; seen: number; textFilter: string; sort: SortSpec; job: SlicedFilter } | undefined;
  private shown: ObjectEntry[] | undefined;
  private version = 0;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes each time a sliced match lands (the hook's cue to ask for the rows again). */
  readonly snapshot = (): number => this.version;

  rows(entries: readonly ObjectEntry[], textFilter: string, sort: SortSpec): ObjectEntry[] {
    const r = this.running;
    const stillRunning = r && r.entries === entries && r.seen === entries.length && r.textFilter === textFilter && r.sort === sort;
    // Before anything is merged: the match reads the rows it started on.
    if (!stillRunning) this.stop();
    const all = this.all.get(entries, '', sort);
    const needle = filterNeedle(textFilter);
    if (needle === '') {
      this.shown = undefined;
      return all;
    }
    if (stillRunning) return this.shown ?? all;
    const ready = this.filtered.cheap(entries, textFilter, sort);
    if (ready) return (this.shown = ready);
    // Typing on narrows the last match: filter those rows instead of all of them.
    const source = this.filtered.narrowable(entries, textFilter, sort) ?? all;
    const seen = entries.length;
    let landed: ObjectEntry[] | undefined;
    let first = true;
    const job = filterInSlices(source, needle, (rows) => {
      this.filtered.adopt(entries, seen, textFilter, sort, rows);
      if (first) {
        // Done within its first slice, before this call returns: given out directly.
        landed = rows;
        return;
      }
      this.running = undefined;
      this.version++;
      for (const l of this.listeners) l();
    });
    first = false;
    if (landed) return (this.shown = landed);
    this.running = { entries, seen, textFilter, sort, job };
    return this.shown ?? all;
  }

  private stop(): void {
    this.running?.job.cancel();
    this.running = undefined;
  }
}

const panes: Record<PaneId, PaneRows> = { left: new PaneRows(), right: new PaneRows() };

/**
 * A pane's visible rows. `rows` is merged into in place as pages arrive, so the object around it is what changes
 * identity when the rows do: memoize on the object, not on `rows`.
 */
export interface PaneRowsView {
  readonly rows: readonly ObjectEntry[];
}

/** The rows a pane shows (filtered, sorted), recomputed incrementally as pages arrive and in slices as the filter changes. */
export function usePaneRows(pane: PaneId): PaneRowsView {
  const entries = useStore((s) => s.panes[pane].entries);
  const loaded = useStore((s) => s.panes[pane].entries.length);
  const textFilter = useStore((s) => s.panes[pane].textFilter);
  const sort = useStore((s) => s.panes[pane].sort);
  const p = panes[pane];
  const version = useSyncExternalStore(p.subscribe, p.snapshot);
  // `loaded` and `version` are not read inside, but a change of either means new rows.
  return useMemo(() => ({ rows: p.rows(entries, textFilter, sort) }), [p, entries, loaded, textFilter, sort, version]);
}

import type { StateCreator } from 'zustand';
import { formatLocation, parentPrefix } from '../../../shared/location';
import type { ObjectEntry } from '../../../shared/model';
import { errorMessage, invoke } from '../api/client';
import type { AppState } from './index';
import type { SortSpec } from './rows';

export type PaneId = 'left' | 'right';
export const PAGE_SIZE = 1000;
/** Pages fetched back to back while loading a whole listing: fewer round trips, same engine channel. */
export const BULK_PAGE_SIZE = 5000;

/** Why a pane is loading its whole listing: the user asked, End wants the real last key, or a filter searches it. */
export type BulkReason = 'all' | 'end' | 'search';
export interface BulkLoad {
  reason: BulkReason;
  /** Entries loaded so far (the listing's total is not known until its last page). */
  loaded: number;
}

export interface PanePlace {
  account: string | null;
  bucket: string;
  prefix: string;
}

export interface PaneState extends PanePlace {
  back: PanePlace[];
  /**
   * The listing's names loaded so far, in the order they arrived. A page arriving is appended to this very array in
   * place (so that a page costs its own length, not the whole listing's); any other change puts a new array. A
   * selector that must see pages arrive watches `entries.length` beside the array.
   */
  entries: ObjectEntry[];
  cursor: string | undefined;
  complete: boolean;
  /** The listing's count of names where the engine knows it before its last page (a local folder), else null. */
  total: number | null;
  loading: boolean;
  error: string | null;
  /** Appended to the prefix and sent to the server: narrows huge listings before they load. */
  serverFilter: string;
  /** Substring match over the rows already loaded. */
  textFilter: string;
  sort: SortSpec;
  /** Bumped on every navigation so that a late page of an old listing is dropped. */
  generation: number;
  /** A whole-listing load in progress, or null. */
  bulk: BulkLoad | null;
  /** The last whole-listing load was cancelled before the listing's end (cleared when the listing changes). */
  bulkStopped: boolean;
}

function emptyPane(): PaneState {
  return {
    account: null,
    bucket: '',
    prefix: '',
    back: [],
    entries: [],
    cursor: undefined,
    complete: false,
    total: null,
    loading: false,
    error: null,
    serverFilter: '',
    textFilter: '',
    sort: { column: 'name', descending: false },
    generation: 0,
    bulk: null,
    bulkStopped: false,
  };
}

export interface PanesSlice {
  panes: Record<PaneId, PaneState>;
  activePane: PaneId;
  setActivePane(pane: PaneId): void;
  navigate(pane: PaneId, place: PanePlace, remember?: boolean): Promise<void>;
  /** A folder or bucket opens in the pane; a file opens its preview. */
  openEntry(pane: PaneId, entry: ObjectEntry): Promise<void>;
  goUp(pane: PaneId): Promise<void>;
  goBack(pane: PaneId): Promise<void>;
  refresh(pane: PaneId): Promise<void>;
  loadMore(pane: PaneId): Promise<void>;
  /**
   * Loads the rest of the listing page after page, showing progress, until its end or cancelBulk.
   * Resolves true when the listing is complete.
   */
  loadAll(pane: PaneId, reason: BulkReason): Promise<boolean>;
  cancelBulk(pane: PaneId): void;
  setServerFilter(pane: PaneId, text: string): Promise<void>;
  setTextFilter(pane: PaneId, text: string): void;
  setSort(pane: PaneId, sort: SortSpec): void;
  /** The URI of a place in a pane (a prefix URI ends with '/'), or null when no account is open. */
  uriOf(pane: PaneId, key?: string): string | null;
}

/**
 * Makes the equal strings of a page's entries one string each: a name equal to its key (the top of a bucket), and
 * a storage class or modified time that many entries share. Each arrives as its own copy; held for a million
 * entries, the copies are a quarter of the listing's memory. Returns `page`, changed in place.
 */
function shareStrings(page: ObjectEntry[]): ObjectEntry[] {
  const seen = new Map<string, string>();
  const one = (v: string): string => {
    const known = seen.get(v);
    if (known !== undefined) return known;
    seen.set(v, v);
    return v;
  };
  for (const e of page) {
    if (e.name === e.key) e.name = e.key;
    if (e.storageClass !== undefined) e.storageClass = one(e.storageClass);
    if (e.modified !== undefined) e.modified = one(e.modified);
  }
  return page;
}

/** Appends `page` to `entries` in place (amortized by the array's own growth) and gives `entries` back. */
function appendInPlace(entries: ObjectEntry[], page: readonly ObjectEntry[]): ObjectEntry[] {
  for (const e of page) entries.push(e);
  return entries;
}

export const createPanesSlice: StateCreator<AppState, [], [], PanesSlice> = (set, get) => {
  const patch = (pane: PaneId, p: Partial<PaneState>): void =>
    set((s) => ({ panes: { ...s.panes, [pane]: { ...s.panes[pane], ...p } } }));
  /** The page call in flight per pane: a new listing (navigation, filter, refresh) abandons the old one's. */
  const inFlight: Record<PaneId, AbortController> = { left: new AbortController(), right: new AbortController() };
  /** The page request running per pane, so that a whole-listing load can wait for a page already on its way. */
  const running: Record<PaneId, Promise<void> | null> = { left: null, right: null };
  /** Per pane, the token of the whole-listing load running; cancelBulk or a new listing replaces it. */
  const bulkToken: Record<PaneId, object | null> = { left: null, right: null };

  function fetchPage(pane: PaneId, reset: boolean, pageSize = PAGE_SIZE): Promise<void> {
    const state = get().panes[pane];
    if (!reset && state.loading && running[pane]) return running[pane];
    const p = fetchPageOnce(pane, reset, pageSize).finally(() => {
      if (running[pane] === p) running[pane] = null;
    });
    running[pane] = p;
    return p;
  }

  async function fetchPageOnce(pane: PaneId, reset: boolean, pageSize: number): Promise<void> {
    const state = get().panes[pane];
    if (!state.account) return;
    if (!reset && (state.loading || state.complete)) return;
    if (reset) {
      inFlight[pane].abort();
      bulkToken[pane] = null;
    }
    const { signal } = (inFlight[pane] = new AbortController());
    const generation = reset ? state.generation + 1 : state.generation;
    patch(
      pane,
      reset
        ? { generation, loading: true, error: null, entries: [], cursor: undefined, complete: false, total: null, bulk: null, bulkStopped: false }
        : { loading: true },
    );
    try {
      if (!state.bucket) {
        const buckets = await invoke('buckets:list', { account: state.account }, signal);
        if (get().panes[pane].generation !== generation) return;
        const entries: ObjectEntry[] = buckets.map((b) => ({ key: b.name, name: b.name, isPrefix: true, size: 0, modified: b.created }));
        patch(pane, { entries, loading: false, complete: true, cursor: undefined });
        return;
      }
      const uri = get().uriOf(pane, state.prefix + state.serverFilter);
      if (!uri) return;
      const page = await invoke(
        'objects:list',
        {
          uri,
          pageSize,
          ...(reset || !state.cursor ? {} : { cursor: state.cursor }),
        },
        signal,
      );
      const now = get().panes[pane];
      if (now.generation !== generation) return;
      // A prefix named like the server filter's own folder marker (`dir/` listing `dir/`) is not a child.
      const fresh = shareStrings(page.entries.filter((e) => e.key !== state.prefix));
      patch(pane, {
        entries: reset ? fresh : appendInPlace(now.entries, fresh),
        cursor: page.cursor,
        complete: page.cursor === undefined,
        total: page.total ?? null,
        loading: false,
      });
    } catch (e) {
      if (get().panes[pane].generation !== generation) return;
      patch(pane, { loading: false, error: errorMessage(e), complete: true });
    }
  }

  return {
    panes: { left: emptyPane(), right: emptyPane() },
    activePane: 'left',
    setActivePane(pane) {
      if (get().activePane !== pane) set({ activePane: pane });
    },
    async navigate(pane, place, remember = true) {
      const cur = get().panes[pane];
      const back = remember && cur.account ? [...cur.back.slice(-49), { account: cur.account, bucket: cur.bucket, prefix: cur.prefix }] : cur.back;
      patch(pane, { ...place, back, serverFilter: '', textFilter: '' });
      get().clearSelection(pane);
      if (place.account) void get().loadFeatures(place.account);
      await fetchPage(pane, true);
    },
    async openEntry(pane, entry) {
      const cur = get().panes[pane];
      if (!entry.isPrefix && cur.account && cur.bucket) return get().openPreview(pane, entry);
      if (!entry.isPrefix || !cur.account) return;
      if (!cur.bucket) await get().navigate(pane, { account: cur.account, bucket: entry.name, prefix: '' });
      else await get().navigate(pane, { account: cur.account, bucket: cur.bucket, prefix: entry.key });
    },
    async goUp(pane) {
      const cur = get().panes[pane];
      if (!cur.account || !cur.bucket) return;
      if (!cur.prefix) await get().navigate(pane, { account: cur.account, bucket: '', prefix: '' });
      else await get().navigate(pane, { account: cur.account, bucket: cur.bucket, prefix: parentPrefix(cur.prefix) });
    },
    async goBack(pane) {
      const cur = get().panes[pane];
      const prev = cur.back[cur.back.length - 1];
      if (!prev) return;
      patch(pane, { back: cur.back.slice(0, -1) });
      await get().navigate(pane, prev, false);
    },
    async refresh(pane) {
      await fetchPage(pane, true);
    },
    async loadMore(pane) {
      await fetchPage(pane, false);
    },
    async loadAll(pane, reason) {
      const start = get().panes[pane];
      if (start.complete) return true;
      // One load at a time: a later one (End, a search) takes over the running one's progress line.
      const token = {};
      bulkToken[pane] = token;
      const generation = start.generation;
      patch(pane, { bulk: { reason, loaded: start.entries.length }, bulkStopped: false });
      for (;;) {
        const now = get().panes[pane];
        if (bulkToken[pane] !== token || now.generation !== generation) return false;
        if (now.complete || now.error) break;
        await fetchPage(pane, false, BULK_PAGE_SIZE);
        const after = get().panes[pane];
        if (bulkToken[pane] === token && after.generation === generation) patch(pane, { bulk: { reason, loaded: after.entries.length } });
      }
      bulkToken[pane] = null;
      const end = get().panes[pane];
      patch(pane, { bulk: null });
      return end.complete && !end.error;
    },
    cancelBulk(pane) {
      if (!bulkToken[pane]) return;
      bulkToken[pane] = null;
      patch(pane, { bulk: null, bulkStopped: true });
    },
    async setServerFilter(pane, text) {
      patch(pane, { serverFilter: text });
      get().clearSelection(pane);
      await fetchPage(pane, true);
    },
    setTextFilter(pane, text) {
      patch(pane, { textFilter: text });
      const cur = get().panes[pane];
      // A filter over part of a listing would miss most matches: it searches the whole listing, page by page.
      if (text.trim() && !cur.complete && !cur.bulk && !cur.bulkStopped && cur.bucket) void get().loadAll(pane, 'search');
      else if (!text.trim() && cur.bulk?.reason === 'search') {
        bulkToken[pane] = null;
        patch(pane, { bulk: null });
      }
    },
    setSort(pane, sort) {
      patch(pane, { sort });
    },
    uriOf(pane, key) {
      const cur = get().panes[pane];
      if (!cur.account) return null;
      const summary = get().accounts.find((a) => a.settings.name === cur.account);
      if (!summary) return null;
      return formatLocation({ kind: summary.settings.kind, account: cur.account, bucket: cur.bucket, key: key ?? cur.prefix });
    },
  };
};

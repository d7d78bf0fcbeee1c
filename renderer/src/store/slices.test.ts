import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobSummary } from '../../../shared/contract';
import type { RetentionPreview, RetentionProgress } from '../../../shared/contract/retention.channels';
import type { ObjectEntry } from '../../../shared/model';
import { AccountSummarySchema } from '../../../shared/accounts';
import { bridgeStandIn } from './bridge-stand-in';
import { summarize, visibleRows, type SortSpec } from './rows';

/** The slices against a stand-in for the desktop preload bridge (bridge-stand-in.ts). */
const { bridge, answers, asked, emit, reset } = bridgeStandIn();
const channelsAsked = (): string[] => asked.map((a) => a.channel);

let store: typeof import('./index');
let jobs: typeof import('./jobs.slice');
let retention: typeof import('./retention.slice');
let paneRows: typeof import('./usePaneRows');
let initial: ReturnType<(typeof import('./index'))['useStore']['getState']>;

beforeAll(async () => {
  vi.stubGlobal('window', { skyferry: bridge });
  store = await import('./index');
  jobs = await import('./jobs.slice');
  retention = await import('./retention.slice');
  paneRows = await import('./usePaneRows');
  initial = store.useStore.getState();
});

// The zustand habit: every test starts from the store's initial state.
beforeEach(() => {
  store.useStore.setState(initial, true);
  reset();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function summary(id: string, state: JobSummary['state'], over: Partial<JobSummary> = {}): JobSummary {
  return {
    id,
    kind: 'delete',
    title: `Job ${id}`,
    sources: ['s3://a/b/k'],
    state,
    phase: state === 'running' ? 'transferring' : 'done',
    path: 'server-side',
    filesDone: state === 'completed' ? 3 : 1,
    filesTotal: 3,
    filesFailed: 0,
    bytesDone: 0,
    bytesTotal: 0,
    bytesPerSecond: 0,
    etaSeconds: null,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: state === 'completed' ? '2025-01-01T00:00:05.000Z' : null,
    ...over,
  };
}

describe('the jobs slice', () => {
  it('follows a job from its progress events alone, without asking the engine for it again', () => {
    const off = jobs.subscribeJobs(store.useStore.getState);
    emit('jobs:changed', { id: 'j1', state: 'running' });
    emit('jobs:progress', summary('j1', 'running'));
    emit('jobs:changed', { id: 'j1', state: 'completed' });
    emit('jobs:progress', summary('j1', 'completed'));
    off();
    const st = store.useStore.getState();
    expect(st.jobs['j1']?.state).toBe('completed');
    expect(st.jobOrder).toEqual(['j1']);
    expect(st.toasts.map((t) => t.text)).toEqual(['Job j1: done']);
    expect(channelsAsked()).not.toContain('jobs:get');
  });

  it('asks for a started job only when its first progress event has not come', async () => {
    const off = jobs.subscribeJobs(store.useStore.getState);
    answers.set('jobs:start', () => {
      emit('jobs:progress', summary('j2', 'queued'));
      return { id: 'j2' };
    });
    await expect(store.useStore.getState().startJob({ kind: 'delete', sources: ['s3://a/b/k'] })).resolves.toBe('j2');
    expect(channelsAsked()).toEqual(['jobs:start']);

    answers.set('jobs:start', () => ({ id: 'j3' }));
    answers.set('jobs:get', () => ({ ...summary('j3', 'queued'), files: [], filesTruncated: false }));
    await store.useStore.getState().startJob({ kind: 'delete', sources: ['s3://a/b/k'] });
    expect(channelsAsked()).toEqual(['jobs:start', 'jobs:start', 'jobs:get']);
    expect(store.useStore.getState().jobs['j3']?.state).toBe('queued');
    off();
  });
});

describe('the retention slice', () => {
  const progress = (state: RetentionProgress['state']): RetentionProgress => ({ id: 'p1', state, listed: 3, matched: 2, matchedBytes: 20, pages: 1 });
  const preview = (state: RetentionPreview['state']): RetentionPreview => ({
    id: 'p1',
    uri: 's3://a/b/logs/',
    olderThanDays: 30,
    action: { kind: 'delete' },
    cutoff: '2025-01-01T00:00:00.000Z',
    pricing: { provider: 'aws-s3', region: 'us-east-1' },
    state,
    progress: progress(state),
    matched: 2,
    matchedBytes: 20,
    alreadyInClass: 0,
    byClass: {},
    currentMonthlyUsd: 1,
    newMonthlyUsd: 0,
    monthlySavingUsd: 1,
    oneTime: [],
    oneTimeUsd: 0,
    notes: [],
    sample: [],
  });

  it('keeps a preview from its start to the report of the job that acted on it', async () => {
    const offJobs = jobs.subscribeJobs(store.useStore.getState);
    const offRetention = retention.subscribeRetention(store.useStore.getState);
    let state: RetentionPreview['state'] = 'running';
    answers.set('retention:preview', () => ({ id: 'p1' }));
    answers.set('retention:previewResult', () => preview(state));
    await store.useStore.getState().startRetentionPreview({ uri: 's3://a/b/logs/', olderThanDays: 30, action: { kind: 'delete' } });
    expect(store.useStore.getState().retention).toMatchObject({ id: 'p1', progress: { state: 'running' }, preview: null });

    state = 'done';
    emit('retention:progress', progress('done'));
    await vi.waitFor(() => expect(store.useStore.getState().retention?.preview?.state).toBe('done'));

    answers.set('retention:run', () => {
      emit('jobs:progress', summary('j9', 'running'));
      return { jobId: 'j9' };
    });
    await store.useStore.getState().runRetention();
    expect(store.useStore.getState().retention?.jobId).toBe('j9');

    // Nothing to report while the job runs; once it finished, the report is fetched once.
    const none = { count: 0, bytes: 0 };
    answers.set('retention:report', () => ({
      previewId: 'p1',
      jobId: 'j9',
      uri: 's3://a/b/logs/',
      action: { kind: 'delete' },
      jobState: 'completed',
      totals: { deleted: { count: 2, bytes: 20 }, 'class-changed': none, skipped: none, failed: none, 'not-run': none },
      realisedMonthlySavingUsd: 1,
      previewMonthlySavingUsd: 1,
      objects: [],
      objectsTruncated: false,
    }));
    await store.useStore.getState().loadRetentionReport();
    expect(channelsAsked()).not.toContain('retention:report');
    emit('jobs:progress', summary('j9', 'completed'));
    await store.useStore.getState().loadRetentionReport();
    await store.useStore.getState().loadRetentionReport();
    expect(store.useStore.getState().retention?.report?.totals.deleted?.count).toBe(2);
    expect(channelsAsked().filter((c) => c === 'retention:report')).toHaveLength(1);
    expect(channelsAsked()).not.toContain('jobs:get');
    offJobs();
    offRetention();
  });
});

describe('the panes slice over a listing that arrives a page at a time', () => {
  const byName: SortSpec = { column: 'name', descending: false };
  // In name order, as S3 lists; every tenth name has a word for the filter.
  const listing: ObjectEntry[] = Array.from({ length: 3500 }, (_, i) => {
    const name = `k-${String(i).padStart(5, '0')}${i % 10 === 3 ? '-charlie' : ''}.txt`;
    return { key: name, name, isPrefix: false, size: (i * 37) % 1000, modified: '2025-01-01T00:00:00.000Z' };
  });

  /** Serves `listing` a page per call, the cursor being the index of the page's first name. */
  async function open(): Promise<void> {
    answers.set('objects:list', (request) => {
      const { cursor, pageSize = 1000 } = request as { cursor?: string; pageSize?: number };
      const from = cursor ? Number(cursor) : 0;
      const to = Math.min(listing.length, from + pageSize);
      return { entries: listing.slice(from, to), ...(to < listing.length ? { cursor: String(to) } : {}) };
    });
    answers.set('accounts:features', () => ({}));
    store.useStore.setState({ accounts: [AccountSummarySchema.parse({ settings: { kind: 's3', name: 'acct' }, hasSecrets: true })] });
    await store.useStore.getState().navigate('left', { account: 'acct', bucket: 'b', prefix: '' });
  }
  const pane = () => store.useStore.getState().panes.left;
  const keys = (rows: readonly ObjectEntry[]): string[] => rows.map((r) => r.key);

  it('shows every page in order as it arrives, keeping the selection made on the first page', async () => {
    await open();
    const rows = new paneRows.PaneRows();
    const picked = listing[5]?.key ?? '';
    store.useStore.getState().setSelection('left', { selected: new Set([picked]), anchor: picked, focus: picked });
    expect(keys(rows.rows(pane().entries, '', byName))).toEqual(keys(listing.slice(0, 1000)));
    const array = pane().entries;
    for (let page = 2; page <= 4; page++) {
      await store.useStore.getState().loadMore('left');
      // The page went onto the same array: no copy of what was loaded.
      expect(pane().entries).toBe(array);
      const shown = rows.rows(pane().entries, '', byName);
      expect(keys(shown)).toEqual(keys(listing.slice(0, Math.min(listing.length, page * 1000))));
      expect(store.useStore.getState().selection.left.selected).toEqual(new Set([picked]));
      expect(summarize(shown, store.useStore.getState().selection.left.selected).selectedCount).toBe(1);
    }
    expect(pane().complete).toBe(true);
    // Sorted by another column over the whole listing: the same as one full sort.
    const bySize: SortSpec = { column: 'size', descending: true };
    expect(keys(rows.rows(pane().entries, '', bySize))).toEqual(keys(visibleRows(listing, '', bySize)));
  });

  it('keeps a "Contains" filter over pages that arrive after it', async () => {
    await open();
    const rows = new paneRows.PaneRows();
    const landed = vi.fn();
    const off = rows.subscribe(landed);
    rows.rows(pane().entries, 'Charlie', byName);
    vi.runAllTimers();
    expect(keys(rows.rows(pane().entries, 'Charlie', byName))).toEqual(keys(visibleRows(listing.slice(0, 1000), 'charlie', byName)));
    await store.useStore.getState().loadMore('left');
    await store.useStore.getState().loadMore('left');
    const shown = rows.rows(pane().entries, 'Charlie', byName);
    expect(shown).toHaveLength(300);
    expect(keys(shown)).toEqual(keys(visibleRows(listing.slice(0, 3000), 'charlie', byName)));
    off();
  });

  it('replaces the rows when the listing is loaded again, rather than adding to them', async () => {
    await open();
    const rows = new paneRows.PaneRows();
    await store.useStore.getState().loadMore('left');
    const before = pane().entries;
    expect(rows.rows(before, '', byName)).toHaveLength(2000);
    await store.useStore.getState().refresh('left');
    expect(pane().entries).not.toBe(before);
    expect(before).toHaveLength(2000);
    expect(keys(rows.rows(pane().entries, '', byName))).toEqual(keys(listing.slice(0, 1000)));
    await store.useStore.getState().loadMore('left');
    expect(keys(rows.rows(pane().entries, '', byName))).toEqual(keys(listing.slice(0, 2000)));
  });
});

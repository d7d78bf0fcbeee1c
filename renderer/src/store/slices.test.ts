import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobSummary } from '../../../shared/contract';
import type { RetentionPreview, RetentionProgress } from '../../../shared/contract/retention.channels';
import { bridgeStandIn } from './bridge-stand-in';

/** The slices against a stand-in for the desktop preload bridge (bridge-stand-in.ts). */
const { bridge, answers, asked, emit, reset } = bridgeStandIn();
const channelsAsked = (): string[] => asked.map((a) => a.channel);

let store: typeof import('./index');
let jobs: typeof import('./jobs.slice');
let retention: typeof import('./retention.slice');
let initial: ReturnType<(typeof import('./index'))['useStore']['getState']>;

beforeAll(async () => {
  vi.stubGlobal('window', { skyferry: bridge });
  store = await import('./index');
  jobs = await import('./jobs.slice');
  retention = await import('./retention.slice');
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

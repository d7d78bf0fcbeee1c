import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CloudTransfer, CloudTransferProgress } from '../../../shared/contract/cloud-transfer.channels';

/**
 * The cloud transfers slice against a stand-in for the preload bridge: it answers each channel as the test says and
 * delivers `cloudTransfers:progress` the way the engine sends it.
 */
type Answer = (request: unknown) => unknown;
const answers = new Map<string, Answer>();
const asked: Array<{ channel: string; request: unknown }> = [];
const listeners = new Map<string, Set<(payload: unknown) => void>>();
const bridge = {
  invoke(channel: string, request: unknown): Promise<unknown> {
    asked.push({ channel, request });
    const answer = answers.get(channel);
    if (!answer) return Promise.resolve({ ok: false, error: { code: 'unsupported', message: `no answer for ${channel}` } });
    return Promise.resolve({ ok: true, value: answer(request) });
  },
  on(event: string, cb: (payload: unknown) => void): () => void {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(cb);
    return () => set.delete(cb);
  },
};
const emit = (event: string, payload: unknown): void => {
  for (const cb of listeners.get(event) ?? []) cb(payload);
};

let store: typeof import('./index');
let slice: typeof import('./cloudTransfers.slice');
let initial: ReturnType<(typeof import('./index'))['useStore']['getState']>;

beforeAll(async () => {
  vi.stubGlobal('window', { skyferry: bridge });
  store = await import('./index');
  slice = await import('./cloudTransfers.slice');
  initial = store.useStore.getState();
});
beforeEach(() => {
  store.useStore.setState(initial, true);
  answers.clear();
  asked.length = 0;
});
afterEach(() => listeners.clear());

function progress(state: CloudTransferProgress['state'], over: Partial<CloudTransferProgress> = {}): CloudTransferProgress {
  return { state, serviceState: state === 'running' ? 'IN_PROGRESS' : state.toUpperCase(), objectsFound: 4, bytesFound: 4000, objectsCopied: 1, bytesCopied: 1000, objectsFailed: 0, errors: [], ...over };
}

function transfer(id: string, over: Partial<CloudTransfer> = {}): CloudTransfer {
  return {
    id,
    engine: 'gcp-sts',
    engineName: 'Google Storage Transfer Service',
    canPause: true,
    source: 's3://aws/src/',
    destination: 'gs://gcp/sink/',
    connection: { account: 'gcp' },
    serviceJobId: 'transferJobs/1',
    serviceRunId: 'transferOperations/1',
    created: [{ kind: 'sts-job', id: 'transferJobs/1', description: 'Storage Transfer Service job transferJobs/1' }],
    createdAt: '2026-12-07T10:00:00.000Z',
    removed: false,
    ...over,
  };
}

describe('the cloud transfers slice', () => {
  it('shows a run in Transfers from its creation, follows its events, counts it as running and tells its end', async () => {
    const off = slice.subscribeCloudTransfers(store.useStore.getState);
    answers.set('cloudTransfers:create', () => transfer('c1', { progress: progress('running') }));
    const r = await store.useStore.getState().createCloudTransfer({ source: 's3://aws/src/', destination: 'gs://gcp/sink/', connection: { account: 'gcp' } });
    expect(r.ok).toBe(true);
    let st = store.useStore.getState();
    expect(st.transfersExpanded).toBe(true);
    expect(st.cloudTransfers.map((t) => t.id)).toEqual(['c1']);
    expect(st.cloudTransfers.filter(slice.isActiveCloudTransfer)).toHaveLength(1);

    emit('cloudTransfers:progress', transfer('c1', { progress: progress('running', { objectsCopied: 3, bytesCopied: 3000 }), bytesPerSecond: 500 }));
    const row = slice.cloudTransferRow(store.useStore.getState().cloudTransfers[0]!);
    expect(row).toMatchObject({ stateText: 'Running · Google Storage Transfer Service (IN_PROGRESS)', objectsDone: 3, objectsTotal: 4, bytesDone: 3000, bytesTotal: 4000, percent: 75, bytesPerSecond: 500, etaSeconds: 2, canPause: true, canResume: false, canCancel: true, canRemove: false });

    emit('cloudTransfers:progress', transfer('c1', { progress: progress('succeeded', { objectsCopied: 4, bytesCopied: 4000 }), bytesPerSecond: 0 }));
    emit('cloudTransfers:progress', transfer('c1', { progress: progress('succeeded', { objectsCopied: 4, bytesCopied: 4000 }), verifiedAt: '2026-12-07T10:05:00.000Z' }));
    off();
    st = store.useStore.getState();
    expect(st.cloudTransfers.filter(slice.isActiveCloudTransfer)).toHaveLength(0);
    // One toast for the end, not one per event after it.
    expect(st.toasts.map((t) => t.text)).toEqual(['Google Storage Transfer Service: s3://aws/src/ → gs://gcp/sink/ done']);
    expect(slice.cloudTransferRow(st.cloudTransfers[0]!)).toMatchObject({ percent: 100, ended: true, live: false, canCancel: false, canRemove: true, bytesPerSecond: 0 });
    expect(asked.map((a) => a.channel)).toEqual(['cloudTransfers:create']);
  });

  it('offers only what the service allows: no pause on DataSync, resume on a paused STS run', () => {
    const ds = slice.cloudTransferRow(transfer('d', { engine: 'aws-datasync', engineName: 'AWS DataSync (Enhanced mode)', canPause: false, progress: progress('running', { serviceState: 'TRANSFERRING' }) }));
    expect(ds).toMatchObject({ canPause: false, canResume: false, canCancel: true });
    const paused = slice.cloudTransferRow(transfer('s', { progress: progress('paused') }));
    expect(paused).toMatchObject({ stateText: 'Paused · Google Storage Transfer Service (PAUSED)', canPause: false, canResume: true, canCancel: true, bytesPerSecond: 0, etaSeconds: null });
    // Not counted yet: no total, no percentage; the failure to reach the service and a failed verification are shown.
    const unread = slice.cloudTransferRow(transfer('u', { progress: progress('running', { objectsFound: undefined, bytesFound: undefined }), lastError: 'Google Storage Transfer Service did not answer: timeout', verifyError: 'The verification after the run could not be made: gone' }));
    expect(unread).toMatchObject({ percent: null, errors: ['Google Storage Transfer Service did not answer: timeout', 'The verification after the run could not be made: gone'] });
    expect(unread.objectsTotal).toBeUndefined();
  });

  it('after a restart the list comes from the engine, and a failed run with objects left out is told as an error', async () => {
    const off = slice.subscribeCloudTransfers(store.useStore.getState);
    answers.set('cloudTransfers:list', () => [transfer('new', { createdAt: '2026-12-07T11:00:00.000Z', progress: progress('running') }), transfer('old', { progress: progress('succeeded') })]);
    await store.useStore.getState().loadCloudTransfers();
    expect(store.useStore.getState().cloudTransfers.map((t) => t.id)).toEqual(['new', 'old']);
    expect(store.useStore.getState().toasts).toEqual([]);
    emit('cloudTransfers:progress', transfer('new', { createdAt: '2026-12-07T11:00:00.000Z', progress: progress('failed', { objectsFailed: 2, errors: ['2 objects: PERMISSION_DENIED: no access'] }) }));
    off();
    const st = store.useStore.getState();
    expect(st.toasts.map((t) => [t.kind, t.text])).toEqual([['error', 'Google Storage Transfer Service: s3://aws/src/ → gs://gcp/sink/ failed; see Transfers']]);
    expect(slice.cloudTransferRow(st.cloudTransfers[0]!).errors).toEqual(['2 objects: PERMISSION_DENIED: no access']);
  });

  it('Clear finished asks the engine, reloads the list, and says why an ended transfer stays', async () => {
    const stays = transfer('b', { progress: progress('succeeded'), created: [{ kind: 'sts-job', id: 'transferJobs/1', description: 'job' }] });
    store.useStore.setState({ cloudTransfers: [transfer('a', { progress: progress('succeeded'), removed: true }), stays] });
    answers.set('cloudTransfers:clearFinished', () => ({ cleared: 1, kept: 1 }));
    answers.set('cloudTransfers:list', () => [stays]);
    await store.useStore.getState().clearFinishedCloudTransfers();
    const st = store.useStore.getState();
    expect(asked.map((a) => a.channel)).toEqual(['cloudTransfers:clearFinished', 'cloudTransfers:list']);
    expect(st.cloudTransfers.map((t) => t.id)).toEqual(['b']);
    expect(st.toasts.map((t) => [t.kind, t.text])).toEqual([['info', '1 finished cloud transfer stays listed: what was created for it is still in the cloud (Remove it from its row first)']]);
  });
});

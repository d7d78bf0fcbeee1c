import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import type { CloudTransfer } from '../../../shared/contract/cloud-transfer.channels';
import { parseLocation } from '../../../shared/location';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { stsStandIn } from '../test-support/sts-stand-in';
import { call } from '../test-support/wait';
import { createStsClient, stsJobSpec, StsTransfer } from './gcp-sts';
import { routeTransfer } from './routing';
import { CloudTransferService } from './service';

/**
 * The Transfers panel after a restart: a cloud transfer started by one engine is followed by the next engine over
 * the same data folder, from the journaled service ids alone (the Storage Transfer Service stand-in as the service).
 */
const PROJECT = 'stand-in-project';
let base: string;
let sts: ReturnType<typeof stsStandIn>;
const engines: Engine[] = [];
const saved = process.env.SKYFERRY_TRANSFER_STAND_IN;

async function open(background: boolean, pollMs: number): Promise<Engine> {
  process.env.SKYFERRY_TRANSFER_STAND_IN = JSON.stringify({ sts: sts.url, pollMs });
  const engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')), background });
  engines.push(engine);
  return engine;
}

/** The transfer's `cloudTransfers:progress` events, in order, and a wait for one that matches. */
function follow(engine: Engine, id: string) {
  const seen: CloudTransfer[] = [];
  const waiting: Array<{ test: (t: CloudTransfer) => boolean; resolve: (t: CloudTransfer) => void }> = [];
  engine.subscribe((event, payload) => {
    const t = payload as CloudTransfer;
    if (event !== 'cloudTransfers:progress' || t.id !== id) return;
    seen.push(t);
    for (const w of waiting.splice(0)) {
      if (w.test(t)) w.resolve(t);
      else waiting.push(w);
    }
  });
  const until = (test: (t: CloudTransfer) => boolean): Promise<CloudTransfer> => {
    const already = seen.find(test);
    return already ? Promise.resolve(already) : new Promise((resolve) => waiting.push({ test, resolve }));
  };
  return { seen, until };
}

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-reattach-'));
  sts = stsStandIn({
    projectId: PROJECT,
    script: [
      { status: 'IN_PROGRESS', counters: { objectsFoundFromSource: '4', bytesFoundFromSource: '40', objectsCopiedToSink: '1', bytesCopiedToSink: '10' } },
      { status: 'IN_PROGRESS', counters: { objectsFoundFromSource: '4', bytesFoundFromSource: '40', objectsCopiedToSink: '3', bytesCopiedToSink: '30' } },
      { status: 'SUCCESS', counters: { objectsFoundFromSource: '4', bytesFoundFromSource: '40', objectsCopiedToSink: '4', bytesCopiedToSink: '40' } },
    ],
  });
  await sts.start();
});

afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  await sts.close();
  if (saved === undefined) delete process.env.SKYFERRY_TRANSFER_STAND_IN;
  else process.env.SKYFERRY_TRANSFER_STAND_IN = saved;
  await rm(base, { recursive: true, force: true });
});

async function saveAccounts(engine: Engine): Promise<void> {
  await call(engine, 'accounts:save', { account: { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, secrets: { accessKeyId: 'AKIDSOURCE', secretAccessKey: 'source-secret' } } });
  await call(engine, 'accounts:save', { account: { kind: 'gcs', name: 'gcp', projectId: PROJECT } });
}

describe('cloud transfers across a restart', () => {
  it('a new engine reattaches from the journaled ids, reads the speed, and controls the run where the service allows', async () => {
    // The first engine: the accounts, and a transfer created and read once; then it closes mid-run.
    const first = await open(false, 60_000);
    await saveAccounts(first);
    const created = (await call(first, 'cloudTransfers:create', { source: 's3://aws/src/', destination: 'gs://gcp/sink/', connection: { account: 'gcp', projectId: PROJECT } })) as CloudTransfer;
    expect(created).toMatchObject({ engineName: 'Google Storage Transfer Service', canPause: true, progress: { state: 'running', bytesCopied: 10, bytesFound: 40 } });
    await first.close();
    engines.splice(engines.indexOf(first), 1);

    // The journal holds the service's ids, not what the engine derives for the panel.
    const journal = await readFile(path.join(base, 'data', 'cloud-transfers.json'), 'utf8');
    expect(journal).toContain(created.serviceRunId);
    expect(journal).not.toContain('engineName');

    // The second engine follows it on its own: its first read of the run is announced, with the speed since the last.
    const second = await open(true, 60_000);
    const events = follow(second, created.id);
    const reattached = await events.until((t) => t.progress?.bytesCopied === 30);
    expect(reattached).toMatchObject({ serviceJobId: created.serviceJobId, serviceRunId: created.serviceRunId, canPause: true, progress: { state: 'running', objectsCopied: 3, objectsFound: 4 } });
    expect(reattached.bytesPerSecond).toBeGreaterThan(0);

    // Pause and resume reach the same run through the new engine.
    await call(second, 'cloudTransfers:pause', { id: created.id });
    expect(((await call(second, 'cloudTransfers:list', {})) as CloudTransfer[])[0]?.progress?.state).toBe('paused');
    await call(second, 'cloudTransfers:resume', { id: created.id });
    const ended = await events.until((t) => t.progress?.state === 'succeeded');
    expect(ended.progress).toMatchObject({ objectsCopied: 4, bytesCopied: 40 });
    expect(ended.bytesPerSecond).toBe(0);
    expect(sts.failures).toEqual([]);
  }, 60_000);

  it('a transfer whose job was journaled but not its run is found again from the job id', async () => {
    const first = await open(false, 60_000);
    await saveAccounts(first);
    await first.close();
    engines.splice(0);

    // The service's side: the job created and its run started.
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'stand-in-token', expiry_date: Date.now() + 3_600_000 });
    const direct = new StsTransfer(createStsClient({ projectId: PROJECT, auth, endpoint: sts.url }), PROJECT);
    const s3: AccountSettings = { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' };
    const gcs = { kind: 'gcs', name: 'gcp', projectId: PROJECT } as AccountSettings;
    const route = routeTransfer({ source: { settings: s3, location: parseLocation('s3://aws/src/') }, destination: { settings: gcs, location: parseLocation('gs://gcp/sink/') }, mode: 'copy', deletionsEnabled: false, filters: {} });
    const job = await direct.create(stsJobSpec(route, PROJECT, { kind: 'aws-s3', accessKeyId: 'AKIDSOURCE', secretAccessKey: 'source-secret' }, 'x'));
    const run = await direct.run(job);
    await direct.close();
    // Skyferry's side, as the app left it when it stopped between journaling the job and journaling the run.
    const journal = await CloudTransferService.open({ dataDir: path.join(base, 'data'), driverFor: () => Promise.reject(new Error('not used')) });
    const t = await journal.begin({ engine: 'gcp-sts', source: 's3://aws/src/', destination: 'gs://gcp/sink/', connection: { account: 'gcp', projectId: PROJECT } });
    await journal.addCreated(t.id, { kind: 'sts-job', id: job, description: `Storage Transfer Service job ${job}` });
    await journal.setJob(t.id, job);

    const second = await open(true, 60_000);
    const found = await follow(second, t.id).until((x) => x.progress !== undefined);
    expect(found).toMatchObject({ serviceJobId: job, serviceRunId: run, progress: { state: 'running', bytesCopied: 10 } });
    expect(found.lastError).toBeUndefined();
    expect(sts.names()).toContain('transferOperations.list');
    expect(sts.failures).toEqual([]);
  }, 60_000);
});

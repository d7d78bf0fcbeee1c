import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import { parseLocation } from '../../../shared/location';
import { dataSyncStandIn } from '../test-support/datasync-stand-in';
import { stsStandIn } from '../test-support/sts-stand-in';
import { createDataSyncClient, DataSyncTransfer } from './aws-datasync';
import type { StorageMoverTransfer } from './azure-storage-mover';
import { dataSyncDriver, stsDriver, storageMoverDriver } from './drivers';
import { createStsClient, stsJobSpec, StsTransfer } from './gcp-sts';
import { CAN_PAUSE, routeTransfer } from './routing';
import { CloudTransferService, type ServiceDriver } from './service';

const PROJECT = 'proj-1';
const S3: AccountSettings = { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' };
const GCS: AccountSettings = { kind: 'gcs', name: 'gcp', projectId: PROJECT } as AccountSettings;

let dataDir: string;
const cleanup: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'skyferry-cloudxfer-'));
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await rm(dataDir, { recursive: true, force: true });
});

async function stsSetup(script: Parameters<typeof stsStandIn>[0]['script']) {
  const server = await stsStandIn({ projectId: PROJECT, script }).start();
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'stand-in-token', expiry_date: Date.now() + 3_600_000 });
  const connect = (): StsTransfer => new StsTransfer(createStsClient({ projectId: PROJECT, auth, endpoint: server.url }), PROJECT);
  const sts = connect();
  cleanup.push(() => server.close(), () => sts.close());
  // As the engine does: a driver (and its SDK client) for each use, closed by the service after it.
  const closed: number[] = [];
  const driverFor = (): ServiceDriver => {
    const d = stsDriver(connect());
    return { ...d, close: async () => (closed.push(1), d.close?.()) };
  };
  return { server, sts, driverFor, closed };
}

const route = routeTransfer({
  source: { settings: S3, location: parseLocation('s3://aws/src/') },
  destination: { settings: GCS, location: parseLocation('gs://gcp/sink/') },
  mode: 'copy',
  deletionsEnabled: false,
  filters: {},
});

describe('the journaled cloud transfers', () => {
  it('journals the job and its run, and a new engine over the same data folder reattaches and reads on', async () => {
    const { server, sts, driverFor } = await stsSetup([
      { status: 'IN_PROGRESS', counters: { objectsFoundFromSource: '4', objectsCopiedToSink: '1', bytesCopiedToSink: '10' } },
      { status: 'SUCCESS', counters: { objectsFoundFromSource: '4', objectsCopiedToSink: '4', bytesCopiedToSink: '40' } },
    ]);
    const first = await CloudTransferService.open({ dataDir, driverFor });
    const t = await first.begin({ engine: 'gcp-sts', source: 's3://aws/src/', destination: 'gs://gcp/sink/', connection: { account: 'gcp', projectId: PROJECT } });
    const job = await sts.create(stsJobSpec(route, PROJECT, { kind: 'aws-s3', accessKeyId: 'AKIDSECRETID', secretAccessKey: 'very-secret-key' }, 'x'));
    await first.addCreated(t.id, { kind: 'sts-job', id: job, description: `Storage Transfer Service job ${job}` });
    await first.setJob(t.id, job, await sts.run(job));
    expect((await first.refresh(t.id)).progress).toMatchObject({ state: 'running', objectsCopied: 1 });

    // The journal holds the ids, never the source credentials given to the service.
    const journal = await readFile(path.join(dataDir, 'cloud-transfers.json'), 'utf8');
    expect(journal).toContain(job);
    expect(journal).not.toContain('very-secret-key');

    const second = await CloudTransferService.open({ dataDir, driverFor });
    expect(second.list().map((x) => x.id)).toEqual([t.id]);
    const [again] = await second.reattach();
    expect(again?.progress).toMatchObject({ state: 'succeeded', objectsCopied: 4, bytesCopied: 40 });
    expect(await second.reattach()).toEqual([]); // ended: nothing left to follow

    await second.remove(t.id);
    expect(second.get(t.id).removed).toBe(true);
    expect(server.jobs.size).toBe(0);
    expect(server.failures).toEqual([]);
  });

  it('Clear finished forgets the transfers that are over and hold nothing in the cloud; one whose job is still there stays', async () => {
    const { sts, driverFor } = await stsSetup([{ status: 'SUCCESS', counters: { objectsFoundFromSource: '1', objectsCopiedToSink: '1', bytesCopiedToSink: '10' } }]);
    const svc = await CloudTransferService.open({ dataDir, driverFor });
    const ended = async (name: string) => {
      const t = await svc.begin({ engine: 'gcp-sts', source: 's3://aws/src/', destination: 'gs://gcp/sink/', connection: { account: 'gcp', projectId: PROJECT } });
      const job = await sts.create(stsJobSpec(route, PROJECT, { kind: 'aws-s3', accessKeyId: 'AKID', secretAccessKey: 'secret' }, name));
      await svc.addCreated(t.id, { kind: 'sts-job', id: job, description: `Storage Transfer Service job ${job}` });
      await svc.setJob(t.id, job, await sts.run(job));
      expect((await svc.refresh(t.id)).progress?.state).toBe('succeeded');
      return t;
    };
    const removed = await ended('removed');
    const stillThere = await ended('still-there');
    await svc.remove(removed.id);

    expect(await svc.clearFinished()).toEqual({ cleared: 1, kept: 1 });
    expect(svc.list().map((t) => t.id)).toEqual([stillThere.id]);
    // The journal forgot it too; the one whose job is in the cloud keeps what it created, for its Remove.
    const reopened = await CloudTransferService.open({ dataDir, driverFor });
    expect(reopened.list().map((t) => t.id)).toEqual([stillThere.id]);
    expect(reopened.get(stillThere.id).created).toHaveLength(1);
  });

  it('pause and resume where the service allows; DataSync says it cannot pause; cancel; remove refused while running', async () => {
    const ds = await dataSyncStandIn({ region: 'us-east-1', script: [{ Status: 'TRANSFERRING' }] }).start();
    const connect = (): DataSyncTransfer => new DataSyncTransfer(createDataSyncClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, endpoint: ds.url }));
    const client = connect();
    cleanup.push(() => ds.close(), () => client.close());
    const svc = await CloudTransferService.open({ dataDir, driverFor: () => dataSyncDriver(connect()) });
    const t = await svc.begin({ engine: 'aws-datasync', source: 's3://aws/src/', destination: 's3://aws/sink/', connection: { account: 'aws', region: 'us-east-1' } });
    const dsRoute = routeTransfer({ source: { settings: S3, location: parseLocation('s3://aws/src/') }, destination: { settings: S3, location: parseLocation('s3://aws/sink/') }, mode: 'copy', deletionsEnabled: false, filters: {} });
    const task = await client.create({ route: dsRoute, source: { kind: 'aws-s3', roleArn: 'arn:aws:iam::1:role/r' }, destinationRoleArn: 'arn:aws:iam::1:role/r', name: 'x' }, (r) => svc.addCreated(t.id, r));
    await svc.setJob(t.id, task, await client.start(task));
    await expect(svc.pause(t.id)).rejects.toThrow(/AWS DataSync \(Enhanced mode\) cannot pause a run: cancel it instead/);
    await svc.refresh(t.id);
    await expect(svc.remove(t.id)).rejects.toThrow(/still going/);
    await svc.cancel(t.id);
    expect(svc.get(t.id).progress?.state).toBe('cancelled');
    await svc.remove(t.id);
    expect(ds.tasks.size + ds.locations.size).toBe(0);
    expect(ds.failures).toEqual([]);
  });

  it('a service that does not answer is shown in words, and the record stays', async () => {
    const { server, driverFor } = await stsSetup([{ status: 'IN_PROGRESS' }]);
    const svc = await CloudTransferService.open({ dataDir, driverFor });
    const t = await svc.begin({ engine: 'gcp-sts', source: 's3://aws/src/', destination: 'gs://gcp/sink/', connection: { account: 'gcp', projectId: PROJECT } });
    await svc.setJob(t.id, 'transferJobs/404', 'transferOperations/unknown-op');
    const after = await svc.refresh(t.id);
    expect(after.lastError).toMatch(/^Google Storage Transfer Service did not answer: /);
    expect(svc.list()).toHaveLength(1);
    expect(server.failures).toEqual([]);
  });

  it('pauses and resumes a Storage Transfer Service run, closing the SDK client of every use', async () => {
    const { sts, driverFor, closed } = await stsSetup([{ status: 'IN_PROGRESS' }]);
    const svc = await CloudTransferService.open({ dataDir, driverFor });
    const t = await svc.begin({ engine: 'gcp-sts', source: 's3://aws/src/', destination: 'gs://gcp/sink/', connection: { account: 'gcp', projectId: PROJECT } });
    const job = await sts.create(stsJobSpec(route, PROJECT, { kind: 'gcs' }, 'x'));
    await svc.setJob(t.id, job, await sts.run(job));
    await svc.pause(t.id);
    expect(svc.get(t.id).progress?.state).toBe('paused');
    await svc.resume(t.id);
    expect(svc.get(t.id).progress?.state).toBe('running');
    // pause + its refresh, resume + its refresh: four drivers, each closed once it was used.
    expect(closed).toHaveLength(4);
  });

  it('says which services can pause without connecting, as their drivers do', () => {
    // The drivers are only built here, not used: no client is reached.
    expect(CAN_PAUSE['gcp-sts']).toBe(Boolean(stsDriver({} as StsTransfer).pause && stsDriver({} as StsTransfer).resume));
    expect(CAN_PAUSE['aws-datasync']).toBe(Boolean(dataSyncDriver({} as DataSyncTransfer).pause));
    expect(CAN_PAUSE['azure-storage-mover']).toBe(Boolean(storageMoverDriver({} as StorageMoverTransfer).pause));
  });
});

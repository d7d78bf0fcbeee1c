import { OAuth2Client } from 'google-auth-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import { parseLocation } from '../../../shared/location';
import { stsStandIn } from '../test-support/sts-stand-in';
import { createStsClient, stsJobSpec, StsTransfer } from './gcp-sts';
import { routeTransfer } from './routing';

const PROJECT = 'proj-1';
const S3: AccountSettings = { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' };
const GCS: AccountSettings = { kind: 'gcs', name: 'gcp', projectId: PROJECT } as AccountSettings;

/** A token already in hand, so that nothing asks Google for one. */
function testAuth(): OAuth2Client {
  const c = new OAuth2Client();
  c.setCredentials({ access_token: 'stand-in-token', expiry_date: Date.now() + 3_600_000 });
  return c;
}

const route = routeTransfer({
  source: { settings: S3, location: parseLocation('s3://aws/src-bucket/data/') },
  destination: { settings: GCS, location: parseLocation('gs://gcp/sink/in/') },
  mode: 'copy',
  deletionsEnabled: false,
  filters: { include: ['logs/**'], minAgeDays: 1, minSize: 5 },
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: Parameters<typeof stsStandIn>[0]['script'], extra: { pageSize?: number; extraOperations?: number } = {}) {
  const server = await stsStandIn({ projectId: PROJECT, script, ...extra }).start();
  const sts = new StsTransfer(createStsClient({ projectId: PROJECT, auth: testAuth(), endpoint: server.url }), PROJECT);
  close = async () => {
    await sts.close();
    await server.close();
  };
  return { server, sts };
}

describe('Storage Transfer Service through its SDK, against the REST stand-in', () => {
  it('creates the job from the route, runs it and follows the operation to success', async () => {
    const { server, sts } = await setup([
      { status: 'QUEUED' },
      { status: 'IN_PROGRESS', counters: { objectsFoundFromSource: '10', bytesFoundFromSource: '1000', objectsCopiedToSink: '4', bytesCopiedToSink: '400' } },
      { status: 'SUCCESS', counters: { objectsFoundFromSource: '10', bytesFoundFromSource: '1000', objectsCopiedToSink: '10', bytesCopiedToSink: '1000' } },
    ]);
    expect(await sts.serviceAgent()).toBe('project-123456@storage-transfer-service.iam.gserviceaccount.com');
    const job = await sts.create(stsJobSpec(route, PROJECT, { kind: 'aws-s3', accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'secret' }, 'Skyferry migration m1'));
    expect(job).toMatch(/^transferJobs\/\d+$/);
    const sent = server.jobs.get(job) as { transferSpec: Record<string, unknown> };
    expect(sent.transferSpec).toMatchObject({
      awsS3DataSource: { bucketName: 'src-bucket', path: 'data/', awsAccessKey: { accessKeyId: 'AKIDSTANDIN' } },
      gcsDataSink: { bucketName: 'sink', path: 'in/' },
      objectConditions: { includePrefixes: ['data/logs/'], minTimeElapsedSinceLastModification: '86400s' },
      // The SDK asks for enums as numbers ($alt=json;enum-encoding=int): OverwriteWhen.DIFFERENT is 1.
      transferOptions: { overwriteWhen: 1 },
    });
    expect(server.calls.find((c) => c.name === 'transferJobs.create')?.query.get('$alt')).toBe('json;enum-encoding=int');

    const op = await sts.run(job);
    expect(op).toMatch(/^transferOperations\//);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await sts.progress(op));
    expect(seen.map((p) => p.state)).toEqual(['queued', 'running', 'succeeded']);
    expect(seen[1]).toMatchObject({ objectsFound: 10, bytesFound: 1000, objectsCopied: 4, bytesCopied: 400 });
    expect(server.failures).toEqual([]);
  });

  it('lists every operation of the job across pages', async () => {
    const { server, sts } = await setup([{ status: 'SUCCESS' }], { pageSize: 2, extraOperations: 4 });
    const job = await sts.create(stsJobSpec(route, PROJECT, { kind: 'aws-s3', accessKeyId: 'AKID', secretAccessKey: 's' }, 'x'));
    await sts.run(job);
    const all = await sts.operations(job);
    expect(all).toHaveLength(5);
    expect(server.names().filter((n) => n === 'transferOperations.list')).toHaveLength(3);
    expect(server.failures).toEqual([]);
  });

  it('pauses, resumes and cancels the run; deletes the job', async () => {
    const { server, sts } = await setup([{ status: 'IN_PROGRESS' }]);
    const job = await sts.create(stsJobSpec(route, PROJECT, { kind: 'gcs' }, 'x'));
    const op = await sts.run(job);
    await sts.pause(op);
    expect((await sts.progress(op)).state).toBe('paused');
    await sts.resume(op);
    expect((await sts.progress(op)).state).toBe('running');
    await sts.cancel(op);
    const cancelled = await sts.progress(op);
    expect(cancelled.state).toBe('cancelled');
    await sts.remove(job);
    expect(server.jobs.size).toBe(0);
    expect(server.names()).toEqual(expect.arrayContaining(['transferOperations.pause', 'transferOperations.resume', 'transferOperations.cancel', 'transferJobs.delete']));
    expect(server.failures).toEqual([]);
  });

  it('says a service-side failure in words', async () => {
    const { server, sts } = await setup([
      {
        status: 'FAILED',
        counters: { objectsFoundFromSource: '3', objectsFromSourceFailed: '2' },
        errorBreakdowns: [{ errorCode: 'PERMISSION_DENIED', errorCount: '2', errorLogEntries: [{ url: 's3://src-bucket/data/a', errorDetails: ['Access Denied'] }] }],
      },
    ]);
    const job = await sts.create(stsJobSpec(route, PROJECT, { kind: 'aws-s3', accessKeyId: 'AKID', secretAccessKey: 's' }, 'x'));
    const p = await sts.progress(await sts.run(job));
    expect(p.state).toBe('failed');
    expect(p.objectsFailed).toBe(2);
    expect(p.errors.join('\n')).toMatch(/2 objects: PERMISSION_DENIED \(e\.g\. s3:\/\/src-bucket\/data\/a: Access Denied\)/);
    expect(server.failures).toEqual([]);
  });

  it('a request the service would refuse fails the stand-in check', async () => {
    const { server, sts } = await setup([{ status: 'QUEUED' }]);
    await expect(sts.create({ projectId: PROJECT, status: 'ENABLED', transferSpec: { gcsDataSource: { bucketName: 'a' } } })).rejects.toThrow();
    expect(server.failures).toEqual(['transferJobs.create: missing transferSpec.gcsDataSink.bucketName']);
  });
});

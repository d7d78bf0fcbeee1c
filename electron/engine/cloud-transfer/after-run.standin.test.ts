import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Storage } from '@google-cloud/storage';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudTransfer } from '../../../shared/contract/cloud-transfer.channels';
import type { CostHistory } from '../../../shared/contract/costs.history';
import type { MigrationSummary } from '../../../shared/contract/migrations.channels';
import { startFakeGcs, startMinio, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { copyS3ToGcs, stsStandIn } from '../test-support/sts-stand-in';
import { call, waitForState } from '../test-support/wait';

/**
 * The end of a service's run, with the Storage Transfer Service stand-in as the service (there is no emulator of
 * it): the stand-in "runs" the job by copying between the MinIO and fake-gcs-server buckets itself, leaving one object
 * out, so that Skyferry's own verification after the run has real objects to compare. What this proves: the engine
 * follows the run, hands its end to the plan's verification and report, and records the cost; not how the real
 * service copies.
 */
const PROJECT = 'stand-in-project';
let minio: MinioHandle;
let gcs: FakeGcsHandle;
let s3: S3Client;
let gcsSdk: Storage;
let engine: Engine;
let base: string;
let sts: ReturnType<typeof stsStandIn>;
const saved = process.env.SKYFERRY_TRANSFER_STAND_IN;

beforeAll(async () => {
  [minio, gcs] = await Promise.all([startMinio(), startFakeGcs({ backend: 'memory' })]);
  s3 = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  gcsSdk = new Storage({ apiEndpoint: gcs.endpoint, projectId: gcs.projectId });
  sts = stsStandIn({
    projectId: PROJECT,
    script: [
      { status: 'IN_PROGRESS', counters: { objectsFoundFromSource: '3' } },
      { status: 'SUCCESS', counters: { objectsFoundFromSource: '3', bytesFoundFromSource: '30', objectsCopiedToSink: '2', bytesCopiedToSink: '20' } },
    ],
    onRun: copyS3ToGcs(s3, gcsSdk, ['left-out.txt']),
  });
  await sts.start();
  process.env.SKYFERRY_TRANSFER_STAND_IN = JSON.stringify({ sts: sts.url, pollMs: 100 });
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-after-run-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')) });
  await call(engine, 'accounts:save', { account: { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } } });
  await call(engine, 'accounts:save', { account: { kind: 'gcs', name: 'gcs', projectId: PROJECT, endpoint: gcs.endpoint } });
  await s3.send(new CreateBucketCommand({ Bucket: 'src' }));
  await gcsSdk.createBucket('gdst');
}, 600_000);

afterAll(async () => {
  await engine?.close();
  await sts?.close();
  s3?.destroy();
  await Promise.all([minio?.stop(), gcs?.stop()]);
  if (saved === undefined) delete process.env.SKYFERRY_TRANSFER_STAND_IN;
  else process.env.SKYFERRY_TRANSFER_STAND_IN = saved;
  if (base) await rm(base, { recursive: true, force: true });
});

describe('the end of a service run (Storage Transfer Service stand-in copying between emulators)', () => {
  it('verifies source against destination, reports the object the service left out, keeps its counters and the cost', async () => {
    for (const [key, body] of [['a.txt', 'aaaaaaaaaa'], ['b.txt', 'bbbbbbbbbb'], ['left-out.txt', 'cccccccccc']]) {
      await s3.send(new PutObjectCommand({ Bucket: 'src', Key: `photos/${key}`, Body: body }));
    }
    const { id } = (await call(engine, 'plans:create', { source: 's3://minio/src/photos/', destinations: ['gs://gcs/gdst/backup/'] })) as { id: string };
    const planned = await waitForState(engine, id, ['planned', 'failed']);
    expect(planned.state, planned.message).toBe('planned');

    const request = { source: 's3://minio/src/photos/', destination: 'gs://gcs/gdst/backup/', bytes: 30 };
    const route = (await call(engine, 'cloudTransfers:route', request)) as { engine: string };
    expect(route.engine).toBe('gcp-sts');
    const t = (await call(engine, 'cloudTransfers:create', { ...request, connection: { account: 'gcs', projectId: PROJECT }, migrationId: id })) as CloudTransfer;
    expect(t.serviceRunId).toMatch(/^transferOperations\//);

    const done = await waitForState(engine, id, ['completed', 'completed-with-differences', 'failed', 'cancelled'], 60_000);
    expect(done.state, done.message).toBe('completed-with-differences');
    expect(done.differences).toBe(1);
    expect(done.report).toMatchObject({ copied: 2, failed: 1, bytesCopied: 20 });
    // The service's own counters, beside the verification's.
    expect(done.serviceRun).toMatchObject({ transferId: t.id, engine: 'gcp-sts', state: 'succeeded', serviceState: 'SUCCESS', objectsFound: 3, objectsCopied: 2, bytesCopied: 20, feeUsd: 0 });

    const csv = (await call(engine, 'plans:export', { id, format: 'csv' })) as { text: string };
    expect(csv.text).toMatch(/left-out\.txt,failed,10,.*missing at the destination after Google Storage Transfer Service's run/);
    expect(csv.text).toMatch(/a\.txt,copied,10/);

    // The actual cost: the service's fee (none for an agentless STS transfer) plus the plan's request/egress estimate.
    const history = (await call(engine, 'costs:history', {})) as CostHistory;
    const record = history.runs.find((r) => r.t === 'migration' && r.id === id);
    expect(record).toMatchObject({ t: 'migration', bytesMoved: 20, service: { engine: 'gcp-sts', feeUsd: 0 } });
    expect(record?.t === 'migration' ? record.actualUsd : undefined).toBe((done as MigrationSummary).report?.costEstimateUsd);

    const [after] = (await call(engine, 'cloudTransfers:list', {})) as CloudTransfer[];
    expect(after?.verifiedAt).toBeDefined();
    expect(after?.progress?.state).toBe('succeeded');
    expect(sts.failures).toEqual([]);
  }, 120_000);
});

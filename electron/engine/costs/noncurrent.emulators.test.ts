import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail, RetentionPreview } from '../../../shared/contract';
import { startFakeGcs, startMinio, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import type { Engine } from '../dispatch';
import { invoker, jobEnded, openTestEngine, retentionPreview } from '../test-support/engine-harness';
import { NOW_CURRENT } from '../jobs/retention-runner';
import { createProvider } from '../providers/factory';
import type { ObjectVersioning, Provider } from '../providers/provider';
import { SHIPPED_CATALOG } from './catalog';
import { MatchList, previewRetention } from './retention';
import { scanPrefix } from './scan';
import { keepingCost } from './what-if';

/**
 * Versions kept beside the current objects are billed: a scan counts noncurrent versions and delete markers in a
 * bucket's bytes and cost, and retention can delete the noncurrent versions older than N days, never a current one.
 * On MinIO (versions and delete markers) and fake-gcs-server (noncurrent generations).
 */
let dir: string;
let minio: MinioHandle;
let gcs: FakeGcsHandle;
let s3: Provider;
let gs: Provider;
let sdk: S3Client;
let engine: Engine;

const put = (p: Provider, bucket: string, key: string, size: number) => p.put(bucket, key, Readable.from([Buffer.alloc(size, 1)]), { size });
const versioningOf = (p: Provider): ObjectVersioning => {
  if (!p.versioning) throw new Error('no versioning');
  return p.versioning;
};

async function versionedBucket(p: Provider, bucket: string): Promise<void> {
  await p.createBucket(bucket);
  await versioningOf(p).setSettings(bucket, { versioning: 'enabled' });
}

const { call } = invoker(() => engine);
const previewOf = (request: unknown): Promise<RetentionPreview> => retentionPreview(engine, request);

async function runJob(id: string): Promise<JobDetail> {
  const { jobId } = await call<{ jobId: string }>('retention:run', { id });
  return jobEnded(engine, jobId);
}

/** Every version id left in the bucket, by key, read with the SDK. */
async function sdkVersions(bucket: string): Promise<Record<string, string[]>> {
  const out = await sdk.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  const by: Record<string, string[]> = {};
  for (const v of [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]) (by[v.Key ?? ''] ??= []).push(v.VersionId ?? '');
  return by;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'skyferry-noncurrent-'));
  [minio, gcs] = await Promise.all([startMinio(), startFakeGcs({ backend: 'memory' })]);
  const s3Settings = { kind: 's3' as const, name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' as const };
  const s3Secrets = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
  s3 = createProvider(s3Settings, s3Secrets);
  gs = createProvider({ kind: 'gcs', name: 'fake', projectId: gcs.projectId, endpoint: gcs.endpoint, bucket: undefined }, {});
  sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: s3Secrets });
  engine = await openTestEngine(dir);
  await call('accounts:save', { account: { ...s3Settings, secrets: s3Secrets } });
}, 300_000);

afterAll(async () => {
  await engine?.close();
  sdk?.destroy();
  await s3?.close?.();
  await gs?.close?.();
  await Promise.all([minio?.stop(), gcs?.stop()]);
  await fs.rm(dir, { recursive: true, force: true });
});

describe('a scan counts the versions kept beside the current objects', () => {
  for (const [name, provider, markers] of [['MinIO', () => s3, 1], ['fake-gcs-server', () => gs, 0]] as const) {
    it(`${name}: noncurrent bytes are in the bucket's bytes and keeping cost; delete markers are counted`, async () => {
      const p = provider();
      const bucket = `scan-versions-${markers}`;
      await versionedBucket(p, bucket);
      for (const size of [100, 200, 300]) await put(p, bucket, 'data/x.bin', size);
      await put(p, bucket, 'data/y.bin', 50);
      await p.remove(bucket, 'data/y.bin');
      const totals = await scanPrefix(p, bucket, 'data/');
      expect(totals.objects).toBe(1);
      expect(totals.versions).toEqual({ noncurrent: { count: 3, bytes: 350 }, deleteMarkers: markers });
      expect(totals.bytes).toBe(650);
      const classes = Object.values(totals.byClass);
      expect(classes.reduce((t, c) => t + c.bytes, 0)).toBe(650);
      const keep = keepingCost(SHIPPED_CATALOG, { provider: 'aws-s3', region: 'us-east-1' }, totals);
      expect(keep.monthlyUsd).toBeCloseTo((650 / 2 ** 30) * 0.023, 15);
      // Left out when asked: the current objects only.
      expect((await scanPrefix(p, bucket, 'data/', { versions: false })).bytes).toBe(300);
    });
  }

  it('MinIO: a bucket whose versioning was never enabled is not listed a second time; a suspended one is', async () => {
    const versioning = versioningOf(s3);
    let versionPages = 0;
    const counted: Provider = { ...s3, versioning: { ...versioning, listAll: (...args) => ((versionPages += 1), versioning.listAll(...args)) } };
    await s3.createBucket('never-versioned');
    await put(s3, 'never-versioned', 'a.bin', 10);
    expect(await versioning.keepsVersions('never-versioned')).toBe(false);
    expect((await scanPrefix(counted, 'never-versioned', '')).bytes).toBe(10);
    expect(versionPages).toBe(0);

    await versionedBucket(s3, 'was-versioned');
    for (const size of [10, 20]) await put(s3, 'was-versioned', 'a.bin', size);
    await versioning.setSettings('was-versioned', { versioning: 'suspended' });
    expect(await versioning.keepsVersions('was-versioned')).toBe(true);
    const totals = await scanPrefix(counted, 'was-versioned', '');
    expect(versionPages).toBe(1);
    expect(totals.versions?.noncurrent).toEqual({ count: 1, bytes: 10 });
  });

  it('fake-gcs-server: versions are always listed (noncurrent generations and soft-deleted objects outlive the setting)', async () => {
    await gs.createBucket('gcs-unversioned');
    expect(await versioningOf(gs).keepsVersions('gcs-unversioned')).toBe(true);
  });
});

describe('retention of noncurrent versions', () => {
  it('previews only the versions noncurrent for more than N days (MinIO, dated by the next newer version)', async () => {
    const bucket = 'ret-dated';
    await versionedBucket(s3, bucket);
    await put(s3, bucket, 'k.txt', 1);
    await put(s3, bucket, 'k.txt', 2);
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 1100));
    await put(s3, bucket, 'k.txt', 3);
    const matches = new MatchList(path.join(dir, 'dated'));
    const result = await previewRetention(s3, bucket, '', {
      olderThanDays: 1,
      action: { kind: 'delete-noncurrent' },
      catalog: SHIPPED_CATALOG,
      place: { provider: 'aws-s3', region: 'us-east-1' },
      matches,
      // The cutoff falls between the second write (when version 1 stopped being current) and the third.
      now: new Date(between + 500 + 86_400_000),
    });
    expect(result.matched).toBe(1);
    const saved = [];
    for await (const m of matches.read()) saved.push(m);
    expect(saved.map((m) => m.size)).toEqual([1]);
  });

  it('deletes only the previewed noncurrent versions: the current objects stay, and a version that became current is skipped', async () => {
    const bucket = 'ret-run';
    await versionedBucket(s3, bucket);
    for (const size of [1, 2, 3]) await put(s3, bucket, 'a.txt', size);
    await put(s3, bucket, 'b.txt', 4);
    await put(s3, bucket, 'c.txt', 5);
    await s3.remove(bucket, 'c.txt');
    await put(s3, bucket, 'd.txt', 6);
    await put(s3, bucket, 'd.txt', 7);
    const preview = await previewOf({ uri: `s3://minio/${bucket}/`, olderThanDays: 0, action: { kind: 'delete-noncurrent' } });
    expect(preview.matched).toBe(4);
    expect(preview.matchedBytes).toBe(1 + 2 + 5 + 6);

    // Between the preview and the run, d.txt's current version is deleted: its old version is current again.
    const v = versioningOf(s3);
    const [dCurrent, dOld] = await v.list(bucket, 'd.txt');
    await v.remove(bucket, 'd.txt', dCurrent?.versionId ?? '');
    const before = await sdkVersions(bucket);

    const job = await runJob(preview.id);
    expect(job.state).toBe('completed');
    const after = await sdkVersions(bucket);
    const [aCurrent] = before['a.txt'] ?? [];
    expect(after['a.txt']).toEqual([aCurrent]);
    expect(after['b.txt']).toEqual(before['b.txt']);
    // c.txt keeps only its delete marker; d.txt keeps the version that became current.
    expect(after['c.txt']).toHaveLength(1);
    expect(after['d.txt']).toEqual([dOld?.versionId]);
    expect((await s3.stat(bucket, 'a.txt')).size).toBe(3);
    expect((await s3.stat(bucket, 'd.txt')).size).toBe(6);
    expect(job.files.some((f) => f.notice?.includes(NOW_CURRENT))).toBe(true);
  });
});

import { CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { Readable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail, JobSummary, RetentionPreview, RetentionReport } from '../../../shared/contract';
import type { RetentionAction } from '../../../shared/contract/retention.channels';
import { formatLocation } from '../../../shared/location';
import { startAzurite, startFakeGcs, startMinio, type AzuriteHandle, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import type { Engine } from '../dispatch';
import { CHANGED_BEFORE_MOVE, CHANGED_SINCE_CHECKED } from '../jobs/retention-runner';
import { JobManager } from '../jobs/job-manager';
import { invoker, jobEnded, openTestEngine, retentionPreview } from '../test-support/engine-harness';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { resolverFor } from '../test-support/resolver';
import { createProvider } from '../providers/factory';
import type { Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { SHIPPED_CATALOG } from './catalog';
import { findClass, findRegion } from './lookup';
import { MATCHES_PER_PAGE, MatchList, previewRetention } from './retention';

/**
 * Retention through the real engine (contract, handlers, job manager, journal): a preview of the objects older than
 * N days under a prefix, its figures, and a run that acts on exactly the preview's matches. Ages are set with
 * fs.utimes on a local-folder account (MinIO and Azurite cannot date an object); on the emulators the cutoff is
 * "now" (olderThanDays = 0) or a time between two uploads.
 */
const GiB = 2 ** 30;
const DAY = 86_400_000;
let dir: string;
let engine: Engine;
let minio: MinioHandle;
let az: AzuriteHandle;
let s3sdk: S3Client;
let azsdk: BlobServiceClient;
const progress: Array<{ id: string; state: string; matched: number }> = [];

const { call, failure } = invoker(() => engine);
const preview = (request: unknown): Promise<RetentionPreview> => retentionPreview(engine, request);

async function runToEnd(id: string): Promise<{ job: JobDetail; report: RetentionReport }> {
  const { jobId } = await call<{ jobId: string }>('retention:run', { id });
  return { job: await jobEnded(engine, jobId), report: await call<RetentionReport>('retention:report', { id }) };
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'skyferry-retention-'));
  [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  engine = await openTestEngine(dir);
  engine.subscribe((event, payload) => {
    if (event === 'retention:progress') progress.push(payload as (typeof progress)[number]);
  });
  s3sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  azsdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  await call('accounts:save', { account: { kind: 'local', name: 'disk', root: path.join(dir, 'disk') } });
  await call('accounts:save', {
    account: { kind: 's3', name: 'minio', endpoint: minio.endpoint, region: minio.region, forcePathStyle: true, checksumMode: 'when_required', secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
  });
  await call('accounts:save', {
    account: { kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint, secrets: { accountKey: az.accountKey } },
  });
}, 300_000);

afterAll(async () => {
  await engine?.close();
  s3sdk?.destroy();
  await Promise.all([minio?.stop(), az?.stop()]);
  await fs.rm(dir, { recursive: true, force: true });
});

describe('retention on a local-folder account (ages set with utimes)', () => {
  const root = (): string => path.join(dir, 'disk', 'bucket');
  async function file(rel: string, size: number, ageDays: number): Promise<void> {
    const p = path.join(root(), rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, Buffer.alloc(size, 1));
    const t = new Date(Date.now() - ageDays * DAY);
    await fs.utimes(p, t, t);
  }
  const exists = (rel: string): Promise<boolean> => fs.stat(path.join(root(), rel)).then(() => true, () => false);

  it('previews only the objects older than N days under the prefix, prices the saving, and deletes exactly those', async () => {
    await file('logs/2026/old-a.log', 5000, 200);
    await file('logs/2026/old-b.log', 7000, 120);
    await file('logs/old-c.log', 300, 91);
    await file('logs/young.log', 1000, 89);
    await file('logs/today.log', 100, 0);
    await file('keep/ancient.log', 9000, 400);
    const p = await preview({ uri: 'file://disk/bucket/logs/', olderThanDays: 90, action: { kind: 'delete' }, pricing: { provider: 'aws-s3', region: 'us-east-1' } });
    expect(p.progress).toMatchObject({ listed: 5, matched: 3, matchedBytes: 12_300 });
    expect(p.matched).toBe(3);
    expect(p.matchedBytes).toBe(5000 + 7000 + 300);
    expect(p.sample.map((e) => e.key)).toEqual(['logs/2026/old-b.log', 'logs/2026/old-a.log', 'logs/old-c.log']);
    const standard = findClass(findRegion(SHIPPED_CATALOG, 'aws-s3', 'us-east-1'), undefined).storageUsdPerGbMonth[0]?.usdPerGb.value ?? NaN;
    expect(p.currentMonthlyUsd).toBeCloseTo((12_300 / GiB) * standard, 12);
    expect(p.newMonthlyUsd).toBe(0);
    expect(p.monthlySavingUsd).toBeCloseTo(p.currentMonthlyUsd, 15);
    expect(progress.some((e) => e.id === p.id && e.state === 'done' && e.matched === 3)).toBe(true);

    // After the preview: one match is rewritten (young now), and an old file appears that the preview never saw.
    await file('logs/2026/old-b.log', 7001, 0);
    await file('logs/late-old.log', 10, 300);

    const { job, report } = await runToEnd(p.id);
    expect(job.kind).toBe('delete');
    expect(job.state).toBe('completed');
    expect(job.files.map((f) => [f.source.split('/').pop(), f.state])).toEqual(
      expect.arrayContaining([['old-a.log', 'done'], ['old-b.log', 'skipped'], ['old-c.log', 'done']]),
    );
    expect(await exists('logs/2026/old-a.log')).toBe(false);
    expect(await exists('logs/old-c.log')).toBe(false);
    expect(await exists('logs/2026/old-b.log')).toBe(true);
    expect(await exists('logs/late-old.log')).toBe(true);
    expect(await exists('logs/young.log')).toBe(true);
    expect(await exists('keep/ancient.log')).toBe(true);
    expect(report.totals).toMatchObject({ deleted: { count: 2, bytes: 5300 }, skipped: { count: 1, bytes: 7000 }, failed: { count: 0 } });
    const skipped = report.objects.find((o) => o.outcome === 'skipped');
    expect(skipped?.uri).toBe('file://disk/bucket/logs/2026/old-b.log');
    expect(skipped?.reason).toMatch(/changed since the preview|modified since the preview/);
    expect(report.realisedMonthlySavingUsd).toBeCloseTo((5300 / GiB) * standard, 12);
    // A preview acts once.
    expect((await failure('retention:run', { id: p.id })).code).toBe('conflict');
  });

  it('a cancelled preview ends as cancelled, keeps nothing on disk, and cannot be run', async () => {
    for (let i = 0; i < 50; i++) await file(`cancel/f-${i}.log`, 10, 100);
    const { id } = await call<{ id: string }>('retention:preview', { uri: 'file://disk/bucket/cancel/', olderThanDays: 30, action: { kind: 'delete' } });
    await call('retention:cancelPreview', { id });
    let p = await call<RetentionPreview>('retention:previewResult', { id });
    for (let i = 0; i < 200 && p.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      p = await call<RetentionPreview>('retention:previewResult', { id });
    }
    expect(p.state).toBe('cancelled');
    expect(await fs.stat(path.join(dir, 'data', 'retention', id)).then(() => true, () => false)).toBe(false);
    expect((await failure('retention:run', { id })).message).toMatch(/has not finished/);
    expect(await exists('cancel/f-0.log')).toBe(true);
  });

  it('refuses a class change where the account has no classes', async () => {
    const err = await failure('retention:preview', { uri: 'file://disk/bucket/', olderThanDays: 1, action: { kind: 'set-class', storageClass: 'Cool' } });
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/cannot change the storage class/);
  });
});

describe('retention on MinIO', () => {
  const head = (key: string) => s3sdk.send(new HeadObjectCommand({ Bucket: 'ret', Key: key })).then((h) => h, () => undefined);
  const put = (key: string, body: string) => s3sdk.send(new PutObjectCommand({ Bucket: 'ret', Key: key, Body: body }));

  beforeAll(async () => {
    await s3sdk.send(new CreateBucketCommand({ Bucket: 'ret' }));
  });

  it('a cutoff between two uploads matches only the first ones (paged listing)', async () => {
    for (let i = 0; i < 5; i++) await put(`cut/first-${i}`, 'x'.repeat(10 + i));
    await new Promise((r) => setTimeout(r, 1100));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 3; i++) await put(`cut/second-${i}`, 'y');
    const provider = createS3Provider(
      { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_required' },
      { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    );
    const matches = new MatchList(path.join(dir, 'cut-matches'));
    const r = await previewRetention(provider, 'ret', 'cut/', {
      olderThanDays: 0, action: { kind: 'delete' }, catalog: SHIPPED_CATALOG, place: { provider: 'aws-s3', region: 'us-east-1' }, matches, now: between, pageSize: 2,
    });
    await provider.close?.();
    expect(r.listed).toBe(8);
    expect(r.matched).toBe(5);
    expect(r.matchedBytes).toBe(10 + 11 + 12 + 13 + 14);
    const saved: string[] = [];
    for await (const m of matches.read()) saved.push(m.key);
    expect(saved.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `cut/first-${i}`));
  });

  it('deletes the previewed objects, skips one overwritten after the preview, and leaves new ones', async () => {
    for (let i = 0; i < 4; i++) await put(`del/obj-${i}.bin`, 'z'.repeat(100 * (i + 1)));
    await new Promise((r) => setTimeout(r, 1100));
    const p = await preview({ uri: 's3://minio/ret/del/', olderThanDays: 0, action: { kind: 'delete' } });
    expect(p.matched).toBe(4);
    expect(p.matchedBytes).toBe(1000);
    expect(p.pricing).toEqual({ provider: 'aws-s3', region: 'us-east-1' });
    await put('del/obj-2.bin', 'changed');
    await put('del/new.bin', 'new');
    const { job, report } = await runToEnd(p.id);
    expect(job.state).toBe('completed');
    for (const k of ['del/obj-0.bin', 'del/obj-1.bin', 'del/obj-3.bin']) expect(await head(k), k).toBeUndefined();
    expect((await head('del/obj-2.bin'))?.ContentLength).toBe('changed'.length);
    expect(await head('del/new.bin')).toBeDefined();
    expect(report.totals.deleted).toEqual({ count: 3, bytes: 100 + 200 + 400 });
    expect(report.totals.skipped).toEqual({ count: 1, bytes: 300 });
    expect(report.objects.find((o) => o.outcome === 'skipped')?.reason).toMatch(/ETag differs/);
  });

  it('changes STANDARD to REDUCED_REDUNDANCY (the one other class MinIO keeps), read back with the S3 SDK', async () => {
    for (let i = 0; i < 3; i++) await put(`cls/o-${i}`, 'c'.repeat(50));
    await new Promise((r) => setTimeout(r, 1100));
    const p = await preview({ uri: 's3://minio/ret/cls/', olderThanDays: 0, action: { kind: 'set-class', storageClass: 'REDUCED_REDUNDANCY' } });
    expect(p.matched).toBe(3);
    const { job, report } = await runToEnd(p.id);
    expect(job.kind).toBe('set-class');
    expect(job.state).toBe('completed');
    for (let i = 0; i < 3; i++) expect((await head(`cls/o-${i}`))?.StorageClass).toBe('REDUCED_REDUNDANCY');
    expect(report.totals['class-changed']).toEqual({ count: 3, bytes: 150 });
    // A second preview finds them already there.
    const again = await preview({ uri: 's3://minio/ret/cls/', olderThanDays: 0, action: { kind: 'set-class', storageClass: 'REDUCED_REDUNDANCY' } });
    expect(again.matched).toBe(0);
    expect(again.alreadyInClass).toBe(3);
  });
});

describe('retention on Azurite', () => {
  const container = () => azsdk.getContainerClient('ret');
  const tier = async (name: string): Promise<string | undefined> => (await container().getBlobClient(name).getProperties()).accessTier;

  it('moves Hot blobs to Cool, priced old minus new; one overwritten after the preview stays Hot and is reported', async () => {
    await container().create();
    for (let i = 0; i < 3; i++) await container().getBlockBlobClient(`tier/b-${i}.dat`).upload(Buffer.alloc(2000), 2000, { tier: 'Hot' });
    await new Promise((r) => setTimeout(r, 1100));
    const p = await preview({ uri: 'az://azurite/ret/tier/', olderThanDays: 0, action: { kind: 'set-class', storageClass: 'Cool' } });
    expect(p.matched).toBe(3);
    const region = findRegion(SHIPPED_CATALOG, 'azure-blob', 'eastus');
    const price = (c: string): number => findClass(region, c).storageUsdPerGbMonth[0]?.usdPerGb.value ?? NaN;
    expect(p.currentMonthlyUsd).toBeCloseTo((6000 / GiB) * price('Hot'), 12);
    expect(p.newMonthlyUsd).toBeCloseTo((6000 / GiB) * price('Cool'), 12);
    expect(p.monthlySavingUsd).toBeGreaterThan(0);
    expect(p.oneTime.map((l) => l.kind)).toContain('transition');
    expect(p.notes.join(' ')).toMatch(/Cool bills at least 30 days/);

    await container().getBlockBlobClient('tier/b-1.dat').upload(Buffer.alloc(10), 10, { tier: 'Hot' });
    const { job, report } = await runToEnd(p.id);
    expect(job.state).toBe('completed');
    expect(await tier('tier/b-0.dat')).toBe('Cool');
    expect(await tier('tier/b-2.dat')).toBe('Cool');
    expect(await tier('tier/b-1.dat')).toBe('Hot');
    expect(report.totals['class-changed']).toEqual({ count: 2, bytes: 4000 });
    expect(report.totals.skipped.count).toBe(1);
    expect(report.realisedMonthlySavingUsd).toBeCloseTo((4000 / GiB) * (price('Hot') - price('Cool')), 12);

    // Moving the new Cool blobs out again so soon is flagged: Cool has a 30-day minimum.
    const back = await preview({ uri: 'az://azurite/ret/tier/', olderThanDays: 0, action: { kind: 'set-class', storageClass: 'Hot' } });
    expect(back.matched).toBe(2);
    expect(back.alreadyInClass).toBe(1);
    expect(back.oneTime.find((l) => l.kind === 'early-deletion')?.label).toMatch(/Early deletion from Cool: 2 objects younger than 30 days/);
    expect(back.monthlySavingUsd).toBeLessThan(0);
  });
});

const headObject = (bucket: string, key: string) => s3sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then((h) => h, () => undefined);

/**
 * The gap between a retention run's check (a HEAD) and its delete: another writer replaces the object in between.
 * `rewrittenAfterStat` wraps the real provider and, right after the first HEAD of a key answers, writes a new version
 * (or deletes it) with the SDK, before the run sends its delete. Where the service can delete conditionally the new version survives
 * and the object is reported as changed since it was checked.
 */
function rewrittenAfterStat(inner: Provider, rewrites: Record<string, () => Promise<unknown>>): Provider {
  const done = new Set<string>();
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'stat') return Reflect.get(target, prop, receiver) as unknown;
      return async (bucket: string, k: string, signal?: AbortSignal) => {
        const meta = await target.stat(bucket, k, signal);
        const rewrite = rewrites[k];
        if (rewrite && !done.has(k)) {
          done.add(k);
          await rewrite();
        }
        return meta;
      };
    },
  });
}

/**
 * Runs a retention delete of `keys` (as a preview would plan it, from `planner`'s stat) through the job manager; with
 * `storageClass`, a class change to it instead.
 */
async function runDelete(provider: Provider, account: string, bucket: string, keys: string[], planner: Provider = provider, storageClass?: string): Promise<JobDetail['files']> {
  const uri = (k: string): string => formatLocation({ kind: provider.kind, account, bucket, key: k });
  const files = await Promise.all(keys.map(async (k) => {
    const m = await planner.stat(bucket, k);
    return { source: uri(k), size: m.size, ...(m.etag === undefined ? {} : { etag: m.etag }) };
  }));
  const jobs = new JobManager({ resolve: resolverFor({ [account]: provider }) });
  const options = { unchangedBefore: new Date(Date.now() + DAY).toISOString(), ...(storageClass === undefined ? {} : { storageClass }) };
  const { id } = jobs.startPlanned({ kind: storageClass === undefined ? 'delete' : 'set-class', title: 'retention', sources: [uri('')], options, files });
  await jobs.whenFinished(id);
  const out = jobs.get(id).detail().files;
  await jobs.close();
  return out;
}

describe('what needs care before the action (archive classes, minimum storage durations)', () => {
  it('Azurite: a delete flags Cool and Archive blobs still within their minimum; a move to Cool flags the Archive blob as rehydrating', async () => {
    const c = azsdk.getContainerClient('care');
    await c.create();
    for (const [name, size, tier] of [['hot.dat', 1000, 'Hot'], ['cool.dat', 2000, 'Cool'], ['arch.dat', 3000, 'Hot']] as const) {
      await c.getBlockBlobClient(`c/${name}`).upload(Buffer.alloc(size), size, { tier });
    }
    await c.getBlobClient('c/arch.dat').setAccessTier('Archive');
    // Azurite keeps an archived blob unreadable, as Azure does.
    expect(await c.getBlobClient('c/arch.dat').downloadToBuffer().then(() => 'read', (e: { statusCode?: number; code?: string }) => `${e.statusCode} ${e.code}`)).toBe('409 BlobArchived');
    await new Promise((r) => setTimeout(r, 1100));

    const del = await preview({ uri: 'az://azurite/care/c/', olderThanDays: 0, action: { kind: 'delete' } });
    expect(del.matched).toBe(3);
    expect(del.cautions).toEqual({ 'needs-restore': { count: 0, bytes: 0 }, rehydration: { count: 0, bytes: 0 }, 'early-deletion': { count: 2, bytes: 5000 } });
    expect(del.sample.map((e) => [e.key, e.storageClass, e.cautions])).toEqual([
      ['c/arch.dat', 'Archive', ['early-deletion']],
      ['c/cool.dat', 'Cool', ['early-deletion']],
      ['c/hot.dat', 'Hot', undefined],
    ]);
    expect(del.cautionSample?.map((e) => e.key)).toEqual(['c/arch.dat', 'c/cool.dat']);
    expect(del.oneTime.filter((l) => l.kind === 'early-deletion').map((l) => l.label)).toEqual([
      expect.stringMatching(/Early deletion from Archive: 1 objects younger than 180 days/),
      expect.stringMatching(/Early deletion from Cool: 1 objects younger than 30 days/),
    ]);

    const move = await preview({ uri: 'az://azurite/care/c/', olderThanDays: 0, action: { kind: 'set-class', storageClass: 'Cool' } });
    expect([move.matched, move.alreadyInClass]).toEqual([2, 1]);
    expect(move.cautions).toEqual({ 'needs-restore': { count: 0, bytes: 0 }, rehydration: { count: 1, bytes: 3000 }, 'early-deletion': { count: 1, bytes: 3000 } });
    expect(move.sample.map((e) => [e.key, e.cautions])).toEqual([['c/arch.dat', ['rehydration', 'early-deletion']], ['c/hot.dat', undefined]]);
    expect(move.notes[0]).toBe('1 blob is in the Archive tier: setting Cool starts a rehydration that takes up to 15 hours (Standard priority); it stays unreadable and billed as Archive until it ends.');

    // Azurite changes the tier of an archived blob at once (Azure keeps it in Archive, rehydrating, for hours).
    const { job } = await runToEnd(move.id);
    expect(job.files.map((f) => f.state)).toEqual(['done', 'done']);
    expect((await c.getBlobClient('c/arch.dat').getProperties()).accessTier).toBe('Cool');
  });

  it('S3: GLACIER and DEEP_ARCHIVE need a restore before a class change, GLACIER_IR does not (MinIO refuses those classes: a listing page stands in)', async () => {
    // Measured with the pinned MinIO (2026-02-12): PutObject with StorageClass GLACIER answers 400 InvalidStorageClass
    // (it keeps STANDARD and REDUCED_REDUNDANCY only), so an archived object cannot be made there.
    const refused = await s3sdk.send(new PutObjectCommand({ Bucket: 'ret', Key: 'glacier', Body: 'x', StorageClass: 'GLACIER' }))
      .then(() => 'stored', (e: { name?: string }) => e.name);
    expect(refused).toBe('InvalidStorageClass');

    const now = new Date('2026-06-01T00:00:00Z');
    const ago = (days: number): string => new Date(now.getTime() - days * DAY).toISOString();
    const entry = (key: string, storageClass: string, days: number) => ({ key, name: key, isPrefix: false, size: 1000, modified: ago(days), storageClass });
    const listing = {
      kind: 's3' as const,
      list: () => Promise.resolve({ entries: [entry('a/glacier', 'GLACIER', 400), entry('a/deep', 'DEEP_ARCHIVE', 100), entry('a/ir', 'GLACIER_IR', 400), entry('a/std', 'STANDARD', 400)] }),
    };
    const run = (action: RetentionAction) => previewRetention(listing, 'b', 'a/', {
      olderThanDays: 30, action, catalog: SHIPPED_CATALOG, place: { provider: 'aws-s3', region: 'us-east-1' }, matches: new MatchList(path.join(dir, `s3care-${action.kind}`)), now,
    });
    const move = await run({ kind: 'set-class', storageClass: 'STANDARD_IA' });
    expect(move.cautions).toEqual({ 'needs-restore': { count: 2, bytes: 2000 }, rehydration: { count: 0, bytes: 0 }, 'early-deletion': { count: 1, bytes: 1000 } });
    expect(Object.fromEntries(move.sample.map((e) => [e.key, e.cautions]))).toEqual({ 'a/deep': ['needs-restore', 'early-deletion'], 'a/glacier': ['needs-restore'], 'a/ir': undefined, 'a/std': undefined });
    expect(move.notes[0]).toMatch(/^2 objects are archived \(S3 Glacier Flexible Retrieval or Deep Archive\): S3 cannot copy them to STANDARD_IA until restored/);
    const saved: Array<[string, unknown]> = [];
    for await (const m of new MatchList(path.join(dir, 's3care-set-class')).read()) saved.push([m.key, m.cautions]);
    expect(saved).toEqual([['a/glacier', ['needs-restore']], ['a/deep', ['needs-restore', 'early-deletion']], ['a/ir', undefined], ['a/std', undefined]]);

    // A delete acts on archived objects directly: only the 180-day minimum of the 100-day-old DEEP_ARCHIVE object applies.
    const del = await run({ kind: 'delete' });
    expect(del.cautions).toEqual({ 'needs-restore': { count: 0, bytes: 0 }, rehydration: { count: 0, bytes: 0 }, 'early-deletion': { count: 1, bytes: 1000 } });
    expect(del.notes.join(' ')).not.toMatch(/restored/);
  });
});

describe('an object rewritten between the check and the delete', () => {
  it('Azurite: the delete carries If-Match, so the new version stays and is reported as changed since it was checked', async () => {
    const c = azsdk.getContainerClient('gap');
    await c.create();
    for (const k of ['a.bin', 'b.bin', 'c.bin']) await c.getBlockBlobClient(k).upload(Buffer.alloc(100), 100);
    const inner = createProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey });
    const provider = rewrittenAfterStat(inner, {
      'b.bin': () => c.getBlockBlobClient('b.bin').upload(Buffer.alloc(7), 7),
      // Deleted by someone else meanwhile: Azure answers the If-Match with 412 on a missing blob, and gone is done.
      'c.bin': () => c.getBlobClient('c.bin').delete(),
    });
    const files = await runDelete(provider, 'azurite', 'gap', ['a.bin', 'b.bin', 'c.bin'], inner);
    await inner.close?.();
    expect(files.map((f) => [f.source.split('/').pop(), f.state])).toEqual([['a.bin', 'done'], ['b.bin', 'skipped'], ['c.bin', 'done']]);
    expect(files[1]?.notice).toBe(CHANGED_SINCE_CHECKED);
    expect(files[2]?.notice).toBe('Already gone');
    expect(await c.getBlobClient('a.bin').exists()).toBe(false);
    expect((await c.getBlobClient('b.bin').getProperties()).contentLength).toBe(7);
  });

  it('a local folder: the file is compared just before the unlink (best effort), so the new version stays', async () => {
    const root = path.join(dir, 'gap', 'b');
    await fs.mkdir(root, { recursive: true });
    for (const k of ['a.txt', 'b.txt']) await fs.writeFile(path.join(root, k), 'old');
    const inner = createProvider({ kind: 'local', name: 'gapdisk', root: path.join(dir, 'gap') }, {});
    const provider = rewrittenAfterStat(inner, { 'b.txt': () => fs.writeFile(path.join(root, 'b.txt'), 'new and longer') });
    const files = await runDelete(provider, 'gapdisk', 'b', ['a.txt', 'b.txt'], inner);
    expect(files.map((f) => [f.source.split('/').pop(), f.state])).toEqual([['a.txt', 'done'], ['b.txt', 'skipped']]);
    expect(files[1]?.notice).toBe(CHANGED_SINCE_CHECKED);
    expect(await fs.readdir(root)).toEqual(['b.txt']);
    expect(await fs.readFile(path.join(root, 'b.txt'), 'utf8')).toBe('new and longer');
  });

  it('MinIO: the delete carries If-Match and MinIO takes it (no error), but does not enforce it (AWS does)', async () => {
    // Measured with the pinned MinIO (2026-02-12): DeleteObject with a stale If-Match deletes the new version (204).
    // So on MinIO only the HEAD check guards the delete; on AWS the same request answers 412 and the object stays.
    await s3sdk.send(new CreateBucketCommand({ Bucket: 'gap' }));
    const v1 = await s3sdk.send(new PutObjectCommand({ Bucket: 'gap', Key: 'stale', Body: 'one' }));
    await s3sdk.send(new PutObjectCommand({ Bucket: 'gap', Key: 'stale', Body: 'two' }));
    await s3sdk.send(new DeleteObjectCommand({ Bucket: 'gap', Key: 'stale', IfMatch: v1.ETag }));
    expect(await s3sdk.send(new HeadObjectCommand({ Bucket: 'gap', Key: 'stale' })).then(() => 'kept', () => 'deleted')).toBe('deleted');

    for (const k of ['a', 'b']) await s3sdk.send(new PutObjectCommand({ Bucket: 'gap', Key: k, Body: k }));
    const provider = createS3Provider(
      { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_required' },
      { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    );
    const files = await runDelete(provider, 'minio', 'gap', ['a', 'b']);
    // A conditional delete of a key already gone (If-Match turns the usual 204 into a 404 on AWS) counts as removed.
    await provider.remove('gap', 'never-there', undefined, { ifMatch: { etag: '0123456789abcdef0123456789abcdef' } });
    await provider.close?.();
    expect(files.map((f) => f.state)).toEqual(['done', 'done']);
    for (const k of ['a', 'b']) expect(await s3sdk.send(new HeadObjectCommand({ Bucket: 'gap', Key: k })).then(() => 'kept', () => 'deleted')).toBe('deleted');
  });
});

describe('an object rewritten between the check and the class change', () => {
  it('MinIO: the self-copy carries CopySourceIfMatch with the checked ETag, MinIO enforces it, so the new version stays as written', async () => {
    // Measured with the pinned MinIO (2026-02-12): CopyObject with a stale CopySourceIfMatch answers 412 PreconditionFailed.
    await s3sdk.send(new CreateBucketCommand({ Bucket: 'gapcls' }));
    const v1 = await s3sdk.send(new PutObjectCommand({ Bucket: 'gapcls', Key: 'stale', Body: 'one' }));
    await s3sdk.send(new PutObjectCommand({ Bucket: 'gapcls', Key: 'stale', Body: 'two!' }));
    const stale = await s3sdk.send(new CopyObjectCommand({ Bucket: 'gapcls', Key: 'stale', CopySource: 'gapcls/stale', CopySourceIfMatch: v1.ETag, StorageClass: 'REDUCED_REDUNDANCY', MetadataDirective: 'COPY' }))
      .then(() => 'copied', (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.name}`);
    expect(stale).toBe('412 PreconditionFailed');

    for (const k of ['a', 'b', 'c']) await s3sdk.send(new PutObjectCommand({ Bucket: 'gapcls', Key: k, Body: `old ${k}` }));
    const inner = createS3Provider(
      { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_required' },
      { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    );
    const provider = rewrittenAfterStat(inner, {
      b: () => s3sdk.send(new PutObjectCommand({ Bucket: 'gapcls', Key: 'b', Body: 'new and longer' })),
      c: () => s3sdk.send(new DeleteObjectCommand({ Bucket: 'gapcls', Key: 'c' })),
    });
    const files = await runDelete(provider, 'minio', 'gapcls', ['a', 'b', 'c'], inner, 'REDUCED_REDUNDANCY');
    await inner.close?.();
    expect(files.map((f) => [f.source.split('/').pop(), f.state, f.notice])).toEqual([
      ['a', 'done', undefined],
      ['b', 'skipped', CHANGED_BEFORE_MOVE],
      // Deleted by someone else meanwhile: the provider's own HEAD before the copy finds nothing.
      ['c', 'skipped', 'Skipped: gone since it was checked'],
    ]);
    expect((await headObject('gapcls', 'a'))?.StorageClass).toBe('REDUCED_REDUNDANCY');
    const b = await headObject('gapcls', 'b');
    expect([b?.StorageClass, b?.ContentLength]).toEqual([undefined, 'new and longer'.length]);
  });

  it('Azurite: Set Blob Tier takes no ETag condition, so the new version is moved too, and reported as rewritten meanwhile', async () => {
    const c = azsdk.getContainerClient('gapcls');
    await c.create();
    for (const k of ['a.bin', 'b.bin']) await c.getBlockBlobClient(k).upload(Buffer.alloc(100), 100, { tier: 'Hot' });
    const inner = createProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey });
    const provider = rewrittenAfterStat(inner, { 'b.bin': () => c.getBlockBlobClient('b.bin').upload(Buffer.alloc(7), 7, { tier: 'Hot' }) });
    const files = await runDelete(provider, 'azurite', 'gapcls', ['a.bin', 'b.bin'], inner, 'Cool');
    await inner.close?.();
    expect(files.map((f) => [f.source.split('/').pop(), f.state])).toEqual([['a.bin', 'done'], ['b.bin', 'done']]);
    // The tier change keeps the ETag (measured on Azurite), so a moved ETag means a rewrite around the change.
    expect(files[0]?.notice).toBeUndefined();
    expect(files[1]?.notice).toMatch(/rewritten between the check and the class change \(this store cannot make a class change conditional\)/);
    const b = await c.getBlobClient('b.bin').getProperties();
    expect([b.accessTier, b.contentLength]).toEqual(['Cool', 7]);
  });
});

describe('the saved match list', () => {
  it('pages a long list over several files and reads it back in order', async () => {
    const list = new MatchList(path.join(dir, 'long-list'));
    await list.reset();
    const n = 2 * MATCHES_PER_PAGE + 1;
    for (let i = 0; i < n; i++) await list.add({ key: `k/${i}`, size: i, modified: '2020-01-01T00:00:00.000Z', ...(i % 2 ? { etag: `e${i}` } : {}) });
    await list.flush();
    expect((await fs.readdir(list.dir)).sort()).toEqual(['matches-00000.jsonl', 'matches-00001.jsonl', 'matches-00002.jsonl']);
    let i = 0;
    for await (const m of list.read()) {
      expect(m.key).toBe(`k/${i}`);
      expect(m.etag).toBe(i % 2 ? `e${i}` : undefined);
      i++;
    }
    expect(i).toBe(n);
  });
});

describe('a retention run that is paused and the app restarted', () => {
  it('resumes from the journal, finishes the previewed objects only, and still reports', async () => {
    const root = path.join(dir, 'disk2', 'b');
    await fs.mkdir(path.join(root, 'old'), { recursive: true });
    const N = 2000;
    const old = new Date(Date.now() - 40 * DAY);
    for (let i = 0; i < N; i++) {
      const p = path.join(root, 'old', `f-${i}.txt`);
      await fs.writeFile(p, `${i}`);
      await fs.utimes(p, old, old);
    }
    await fs.writeFile(path.join(root, 'old', 'young.txt'), 'young');
    await call('accounts:save', { account: { kind: 'local', name: 'disk2', root: path.join(dir, 'disk2') } });
    const p = await preview({ uri: 'file://disk2/b/old/', olderThanDays: 30, action: { kind: 'delete' } });
    expect(p.matched).toBe(N);
    const { jobId } = await call<{ jobId: string }>('retention:run', { id: p.id });
    // Paused part-way: some objects deleted before the pause, the rest after the restart.
    for (let i = 0; i < 2000 && (await call<JobSummary>('jobs:get', { id: jobId })).filesDone < 20; i++) await new Promise((r) => setImmediate(r));
    await call('jobs:pause', { id: jobId });
    for (let i = 0; i < 200 && (await call<JobSummary>('jobs:get', { id: jobId })).state !== 'paused'; i++) await new Promise((r) => setTimeout(r, 25));
    const paused = await call<JobSummary>('jobs:get', { id: jobId });
    console.log(`[retention] paused at ${paused.filesDone} of ${N} deletes; resuming after a restart`);
    expect(paused.state).toBe('paused');
    expect(paused.filesDone).toBeGreaterThan(0);
    expect(paused.filesDone).toBeLessThan(N);

    await engine.close();
    engine = await openTestEngine(dir);
    const restored = await call<JobSummary>('jobs:get', { id: jobId });
    expect(restored).toMatchObject({ state: 'paused', kind: 'delete', filesTotal: N, filesDone: paused.filesDone });
    await call('jobs:resume', { id: jobId });
    const ended = await new Promise<JobSummary>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the resumed job did not finish in 60 s')), 60_000);
      const check = (): void => {
        void call<JobSummary>('jobs:get', { id: jobId }).then((s) => {
          if (['completed', 'failed', 'cancelled'].includes(s.state)) {
            clearTimeout(timer);
            off();
            resolve(s);
          }
        });
      };
      const off = engine.subscribe((event) => event === 'jobs:changed' && check());
      check();
    });
    expect(ended.state).toBe('completed');
    expect((await fs.readdir(path.join(root, 'old'))).sort()).toEqual(['young.txt']);
    const report = await call<RetentionReport>('retention:report', { id: p.id, limit: 10 });
    expect(report.totals.deleted.count).toBe(N);
    expect(report.objects).toHaveLength(10);
    expect(report.objectsTruncated).toBe(true);
  });
});

describe('a class change the store does not make (fake-gcs ignores a rewrite to another class)', () => {
  let gcs: FakeGcsHandle;
  const settings = () => ({ kind: 'gcs' as const, name: 'fgcs', projectId: gcs.projectId, endpoint: gcs.endpoint });
  const putText = (p: Provider, key: string, body: string) => p.put('ret', key, Readable.from([Buffer.from(body)]), { size: body.length });
  beforeAll(async () => {
    gcs = await startFakeGcs({ backend: 'memory' });
  }, 300_000);
  afterAll(async () => {
    await gcs?.stop();
  });

  it('reports each object as failed with the class the store kept, and no saving', async () => {
    await call('accounts:save', { account: settings() });
    await call('buckets:create', { account: 'fgcs', bucket: 'ret' });
    const provider = createProvider(settings(), {});
    for (const i of [0, 1]) await putText(provider, `g/o-${i}`, `gcs ${i}`);
    await provider.close?.();
    await new Promise((r) => setTimeout(r, 1100));
    const p = await preview({ uri: 'gs://fgcs/ret/g/', olderThanDays: 0, action: { kind: 'set-class', storageClass: 'COLDLINE' } });
    expect(p.matched).toBe(2);
    const { job, report } = await runToEnd(p.id);
    expect(job.state).toBe('failed');
    expect(report.totals.failed.count).toBe(2);
    expect(report.objects.map((o) => o.reason)).toEqual([expect.stringMatching(/kept the object in STANDARD/), expect.stringMatching(/kept the object in STANDARD/)]);
    expect(report.realisedMonthlySavingUsd).toBe(0);
  });

  // Through a fault proxy that only records: what fake-gcs ignores can still be seen on the wire.
  const viaProxy = async (): Promise<{ provider: Provider; proxy: FaultProxy; sdk: Storage }> => {
    const proxy = await startFaultProxy(gcs.endpoint);
    const sdk = new Storage({ projectId: gcs.projectId, apiEndpoint: gcs.endpoint, useAuthWithCustomEndpoint: false });
    return { provider: createProvider({ ...settings(), endpoint: proxy.endpoint }, {}), proxy, sdk };
  };
  const sentWith = (proxy: FaultProxy, method: string, key: string, generation: string | undefined): number =>
    proxy.requests.filter((r) => r.method === method && r.url.includes(encodeURIComponent(key)) && r.url.includes(`ifGenerationMatch=${generation}`)).length;

  it('a class change sends ifGenerationMatch on the self-rewrite, which fake-gcs-server ignores (GCS enforces it)', async () => {
    // Measured with fake-gcs-server 1.56.1: a rewrite with a stale ifGenerationMatch succeeds (and keeps STANDARD).
    const { provider: inner, proxy, sdk } = await viaProxy();
    try {
      const put = (key: string, body: string) => putText(inner, key, body);
      await put('gapcls/stale', 'one');
      const v1 = await inner.stat('ret', 'gapcls/stale');
      await put('gapcls/stale', 'two!');
      expect(await inner.setMetadata('ret', 'gapcls/stale', { storageClass: 'COLDLINE' }, undefined, { ifMatch: { version: v1.version } })).toMatchObject({ size: 4, storageClass: 'STANDARD' });
      expect(sentWith(proxy, 'POST', 'gapcls/stale', v1.version)).toBe(1);

      for (const k of ['gapcls/a', 'gapcls/b']) await put(k, 'old');
      const checked = await inner.stat('ret', 'gapcls/a');
      const provider = rewrittenAfterStat(inner, { 'gapcls/b': () => put('gapcls/b', 'new and longer') });
      const files = await runDelete(provider, 'fgcs', 'ret', ['gapcls/a', 'gapcls/b'], inner, 'COLDLINE');
      // Not refused, so the run goes on to the class check, which fails as fake-gcs keeps STANDARD; the bytes stay as written.
      expect(files.map((f) => [f.state, f.error?.message])).toEqual([
        ['failed', expect.stringMatching(/kept the object in STANDARD/)],
        ['failed', expect.stringMatching(/kept the object in STANDARD/)],
      ]);
      expect(sentWith(proxy, 'POST', 'gapcls/a', checked.version)).toBeGreaterThanOrEqual(1);
      const [b] = await sdk.bucket('ret').file('gapcls/b').download();
      expect(b.toString()).toBe('new and longer');
    } finally {
      await inner.close?.();
      await proxy.close();
    }
  });

  it('a delete sends ifGenerationMatch, which fake-gcs-server takes but does not enforce (GCS does)', async () => {
    // Measured with fake-gcs-server 1.56.1: a delete with a stale ifGenerationMatch removes the newer generation.
    // On GCS the same request answers 412 and the object stays; here only the HEAD check guards the delete.
    const { provider, proxy, sdk } = await viaProxy();
    try {
      const put = (key: string, body: string) => putText(provider, key, body);
      await put('gap/stale', 'one');
      const v1 = await provider.stat('ret', 'gap/stale');
      await put('gap/stale', 'two');
      expect((await provider.stat('ret', 'gap/stale')).version).not.toBe(v1.version);
      await provider.remove('ret', 'gap/stale', undefined, { ifMatch: { version: v1.version } });
      expect(sentWith(proxy, 'DELETE', 'gap/stale', v1.version)).toBe(1);
      expect((await sdk.bucket('ret').file('gap/stale').exists())[0]).toBe(false);

      for (const k of ['gap/a', 'gap/b']) await put(k, k);
      const generations = await Promise.all(['gap/a', 'gap/b'].map(async (k) => (await provider.stat('ret', k)).version));
      const files = await runDelete(provider, 'fgcs', 'ret', ['gap/a', 'gap/b']);
      expect(files.map((f) => f.state)).toEqual(['done', 'done']);
      expect([sentWith(proxy, 'DELETE', 'gap/a', generations[0]), sentWith(proxy, 'DELETE', 'gap/b', generations[1])]).toEqual([1, 1]);
      for (const k of ['gap/a', 'gap/b']) expect((await sdk.bucket('ret').file(k).exists())[0]).toBe(false);
    } finally {
      await provider.close?.();
      await proxy.close();
    }
  });
});

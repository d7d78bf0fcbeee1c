import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationSummary, PlanItem } from '../../../shared/contract/migrations.channels';
import { startAzurite, startFakeGcs, startMinio, type AzuriteHandle, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { startRecordingProxy, type RecordingProxy } from '../test-support/recording-proxy';
import { call, waitForState } from '../test-support/wait';

let minio: MinioHandle;
let gcs: FakeGcsHandle;
let az: AzuriteHandle;
let proxy: RecordingProxy;
let s3sdk: S3Client;
let gcsSdk: Storage;
let azSdk: BlobServiceClient;
let engine: Engine;
let base: string;

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

async function s3Put(bucket: string, key: string, body: string, metadata?: Record<string, string>): Promise<void> {
  await s3sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...(metadata ? { Metadata: metadata } : {}) }));
}

async function s3Objects(bucket: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await s3sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const got = await s3sdk.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      out[(o.Key ?? '').slice(prefix.length)] = md5(Buffer.from(await got.Body!.transformToByteArray()));
    }
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

async function gcsObjects(bucket: string, prefix: string): Promise<Record<string, string>> {
  const [files] = await gcsSdk.bucket(bucket).getFiles({ prefix });
  const out: Record<string, string> = {};
  for (const f of files) out[f.name.slice(prefix.length)] = md5((await f.download())[0]);
  return out;
}

async function azObjects(container: string, prefix: string): Promise<Record<string, string>> {
  const c = azSdk.getContainerClient(container);
  const out: Record<string, string> = {};
  for await (const b of c.listBlobsFlat({ prefix })) out[b.name.slice(prefix.length)] = md5(await c.getBlobClient(b.name).downloadToBuffer());
  return out;
}

async function plan(request: Record<string, unknown>): Promise<MigrationSummary> {
  const { id } = (await call(engine, 'plans:create', request)) as { id: string };
  const s = await waitForState(engine, id, ['planned', 'failed']);
  expect(s.error, s.message).toBeUndefined();
  return s;
}

async function run(id: string, states: MigrationSummary['state'][] = ['completed', 'completed-with-differences', 'failed', 'needs-confirmation']): Promise<MigrationSummary> {
  await call(engine, 'plans:run', { id });
  return waitForState(engine, id, states, 120_000);
}

async function keys(id: string, group: string, dest = 0): Promise<string[]> {
  const page = (await call(engine, 'plans:page', { id, group, dest, offset: 0, limit: 1000 })) as { items: PlanItem[] };
  return page.items.map((i) => i.key ?? i.destKey ?? '').sort();
}

beforeAll(async () => {
  [minio, gcs, az] = await Promise.all([startMinio(), startFakeGcs({ backend: 'memory' }), startAzurite()]);
  proxy = await startRecordingProxy(minio.endpoint);
  s3sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  gcsSdk = new Storage({ apiEndpoint: gcs.endpoint, projectId: gcs.projectId });
  azSdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-migrations-emu-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')) });
  const s3Secrets = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
  await call(engine, 'accounts:save', { account: { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, secrets: s3Secrets } });
  await call(engine, 'accounts:save', { account: { kind: 's3', name: 'watched', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, secrets: s3Secrets } });
  await call(engine, 'accounts:save', { account: { kind: 'gcs', name: 'gcs', projectId: gcs.projectId, endpoint: gcs.endpoint } });
  await call(engine, 'accounts:save', { account: { kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint, secrets: { accountKey: az.accountKey } } });
  for (const b of ['src', 'dst', 'mirror']) await s3sdk.send(new CreateBucketCommand({ Bucket: b }));
  await gcsSdk.createBucket('gdst');
  await azSdk.createContainer('adst');
}, 600_000);

afterAll(async () => {
  await engine?.close();
  s3sdk?.destroy();
  await proxy?.close();
  await Promise.all([minio?.stop(), gcs?.stop(), az?.stop()]);
  if (base) await rm(base, { recursive: true, force: true });
});

describe('migrations across emulators', () => {
  it('S3 (MinIO) -> GCS (fake-gcs): plan counts, run, re-plan shows zero differences, the SDKs find both sides identical', async () => {
    await s3Put('src', 'photos/same.jpg', 'same bytes');
    await s3Put('src', 'photos/changed.jpg', 'new version!');
    await s3Put('src', 'photos/edited.jpg', 'AAAA');
    await s3Put('src', 'photos/new/one.jpg', 'one', { 'content-owner': 'ana' });
    await s3Put('src', 'photos/new/two, "quoted".jpg', 'two');
    await s3Put('src', 'elsewhere/skip.jpg', 'not in the prefix');
    const g = gcsSdk.bucket('gdst');
    await g.file('backup/same.jpg').save('same bytes');
    await g.file('backup/changed.jpg').save('old');
    await g.file('backup/edited.jpg').save('BBBB');
    await g.file('backup/extra.jpg').save('only in gcs');

    const p = await plan({ source: 's3://minio/src/photos/', destinations: ['gs://gcs/gdst/backup/'], compare: 'size+checksum' });
    const d = p.destinations[0];
    expect(d?.new).toEqual({ count: 2, bytes: 6 });
    expect(d?.changed).toEqual({ count: 2, bytes: 16 });
    expect(d?.unchanged).toEqual({ count: 1, bytes: 10 });
    expect(d?.extra).toEqual({ count: 1, bytes: 11 });
    expect(await keys(p.id, 'changed')).toEqual(['changed.jpg', 'edited.jpg']);
    // MinIO lists MD5 ETags; GCS listings carry no hash, so each compared GCS object costs one HEAD, and a
    // difference found through a listed ETag is confirmed with one HEAD at S3 (a KMS ETag is no MD5).
    expect(d?.checksumKinds).toEqual({ size: 1, md5: 2 });
    expect(p.reads.heads).toBe(3);
    expect(d?.estimate?.totalUsd).toBeGreaterThanOrEqual(0);
    expect(d?.estimate?.lines.some((l) => l.kind === 'egress')).toBe(true);

    const done = await run(p.id);
    expect(done.state, done.message).toBe('completed');
    expect(done.differences).toBe(0);
    expect(done.report).toMatchObject({ copied: 4, skipped: 1, failed: 0, bytesCopied: 22, bytesEstimated: 22 });

    const again = await plan({ source: 's3://minio/src/photos/', destinations: ['gs://gcs/gdst/backup/'], compare: 'size+checksum' });
    expect(again.destinations[0]).toMatchObject({ new: { count: 0 }, changed: { count: 0 }, unchanged: { count: 5 }, extra: { count: 1 } });

    const source = await s3Objects('src', 'photos/');
    const copied = await gcsObjects('gdst', 'backup/');
    delete copied['extra.jpg'];
    expect(copied).toEqual(source);
    const [meta] = await g.file('backup/new/one.jpg').getMetadata();
    expect(meta.metadata?.['content-owner']).toBe('ana');
  });

  it('planning performs no write: only GET/HEAD reach the destination, even for a mirror with deletions', async () => {
    await s3Put('mirror', 'm/keep.txt', 'keep');
    await s3Put('mirror', 'm/old.txt', 'old');
    await s3Put('mirror', 'm/stale-1.txt', 'x');
    await s3Put('mirror', 'm/stale-2.txt', 'y');
    await gcsSdk.bucket('gdst').file('msrc/keep.txt').save('keep');
    await gcsSdk.bucket('gdst').file('msrc/old.txt').save('new!', { metadata: { metadata: { 'x-custom': 'v'.repeat(3000) } } });
    await gcsSdk.bucket('gdst').file('msrc/fresh.txt').save('fresh');
    const before = await s3Objects('mirror', 'm/');
    proxy.requests.length = 0;

    const p = await plan({ source: 'gs://gcs/gdst/msrc/', destinations: ['s3://watched/mirror/m/'], mode: 'mirror', compare: 'size+checksum', deletions: { enabled: true, maxPercent: 10 } });
    expect(p.destinations[0]).toMatchObject({ new: { count: 1 }, changed: { count: 1 }, unchanged: { count: 1 }, extra: { count: 2 } });
    // GCS -> S3: metadata over S3's 2 KB is found and reported before anything is written.
    const meta = (await call(engine, 'plans:page', { id: p.id, group: 'metadata', offset: 0, limit: 10 })) as { items: PlanItem[] };
    expect(meta.items).toMatchObject([{ key: 'old.txt', droppedMetadata: ['x-custom'] }]);

    expect(proxy.requests.length).toBeGreaterThan(0);
    const methods = new Set(proxy.requests.map((r) => r.method));
    expect([...methods].every((m) => m === 'GET' || m === 'HEAD'), JSON.stringify(proxy.requests)).toBe(true);
    expect(await s3Objects('mirror', 'm/')).toEqual(before);

    // Run: the copies happen, then the deletions (2 of 4 objects, over the 10 % cap) stop and ask.
    const asked = await run(p.id);
    expect(asked.state).toBe('needs-confirmation');
    expect(asked.message).toMatch(/^2 objects would be deleted .*over your 10 %.*Nothing was deleted/);
    expect(Object.keys(await s3Objects('mirror', 'm/')).sort()).toEqual(['fresh.txt', 'keep.txt', 'old.txt', 'stale-1.txt', 'stale-2.txt']);
    expect(proxy.requests.some((r) => r.method === 'DELETE' || (r.method === 'POST' && r.path.includes('delete')))).toBe(false);

    await call(engine, 'plans:confirmDeletions', { id: p.id });
    const done = await waitForState(engine, p.id, ['completed', 'completed-with-differences', 'failed'], 120_000);
    expect(done.state, done.message).toBe('completed');
    expect(done.report).toMatchObject({ copied: 2, deleted: 2, metadataChanged: 1 });
    expect(await s3Objects('mirror', 'm/')).toEqual(await gcsObjects('gdst', 'msrc/'));
    const csv = ((await call(engine, 'plans:export', { id: p.id, format: 'csv' })) as { text: string }).text;
    expect(csv).toMatch(/,deleted,/);
    expect(csv).toContain('x-custom');
  });

  it('replicates one prefix to Azure and GCS in one job; names and metadata mapped per destination', async () => {
    // 1,019 bytes below the prefix: fits under `copy/` (1,024) but not under `replica/` (1,027).
    const long = `${'k'.repeat(200)}/`.repeat(4) + 'k'.repeat(215);
    await s3Put('src', 'rep/a.txt', 'alpha', { 'content-owner': 'ana', plain: 'p' });
    await s3Put('src', 'rep/deep/b.txt', 'bravo');
    await s3Put('src', `rep/${long}`, 'long name');
    const p = await plan({ source: 's3://minio/src/rep/', destinations: ['az://azurite/adst/copy/', 'gs://gcs/gdst/replica/'], compare: 'size+checksum' });
    expect(p.destinations.map((d) => d.new.count)).toEqual([3, 2]);
    expect(p.destinations.map((d) => d.notCopyable)).toEqual([0, 1]);
    const names = (await call(engine, 'plans:page', { id: p.id, group: 'names', dest: 1, offset: 0, limit: 10 })) as { items: PlanItem[] };
    expect(names.items).toMatchObject([{ key: long, issue: 'too-long' }]);
    expect(names.items[0]?.message).toContain('1027 bytes');
    const az0 = (await call(engine, 'plans:page', { id: p.id, group: 'metadata', dest: 0, offset: 0, limit: 10 })) as { items: PlanItem[] };
    expect(az0.items).toMatchObject([{ key: 'a.txt', renamedMetadata: [{ from: 'content-owner', to: 'content_owner' }] }]);

    const done = await run(p.id);
    expect(done.state, done.message).toBe('completed');
    expect(done.jobIds).toHaveLength(1);
    expect(done.report).toMatchObject({ copied: 5, notCopied: 1, metadataChanged: 1 });
    const expected = await s3Objects('src', 'rep/');
    expect(await azObjects('adst', 'copy/')).toEqual(expected);
    delete expected[long];
    expect(await gcsObjects('gdst', 'replica/')).toEqual(expected);
    const props = await azSdk.getContainerClient('adst').getBlobClient('copy/a.txt').getProperties();
    expect(props.metadata).toEqual({ content_owner: 'ana', plain: 'p' });
    const json = JSON.parse(((await call(engine, 'plans:export', { id: p.id, format: 'json' })) as { text: string }).text) as { rows: Array<{ outcome: string; reason?: string; metadataDropped?: string }> };
    expect(json.rows.filter((r) => r.outcome === 'not-copied').map((r) => r.reason)).toEqual([expect.stringContaining('never truncated')]);
    expect(json.rows.some((r) => r.metadataDropped?.includes('content-owner -> content_owner'))).toBe(true);
  });

  it('S3 -> local folder: a name the disk cannot hold is mapped and reported, NFC/NFD twins are a reported conflict, and a re-plan matches the mapped names', async () => {
    await s3Put('src', 'names/back\\slash.txt', 'escaped');
    await s3Put('src', 'names/caf\u00e9.txt', 'nfc');
    await s3Put('src', 'names/cafe\u0301.txt', 'nfd');
    await s3Put('src', 'names/plain.txt', 'plain');
    const dir = path.join(base, 'download');
    const p = await plan({ source: 's3://minio/src/names/', destinations: [`file://${dir}/`], compare: 'size+checksum' });
    expect(p.destinations[0]).toMatchObject({ new: { count: 3 }, notCopyable: 1, nameIssues: 2 });
    const names = (await call(engine, 'plans:page', { id: p.id, group: 'names', offset: 0, limit: 10 })) as { items: PlanItem[] };
    expect(names.items.find((i) => i.issue === 'renamed')).toMatchObject({ key: 'back\\slash.txt', destKey: 'back\uff3cslash.txt' });
    expect(names.items.find((i) => i.issue === 'collision')?.message).toMatch(/would be the same local file/);

    const done = await run(p.id);
    expect(done.state, done.message).toBe('completed');
    expect(done.report).toMatchObject({ copied: 3, renamed: 1, notCopied: 1 });
    const csv = ((await call(engine, 'plans:export', { id: p.id, format: 'csv' })) as { text: string }).text;
    expect(csv).toContain(',back\uff3cslash.txt,');

    const again = await plan({ source: 's3://minio/src/names/', destinations: [`file://${dir}/`], compare: 'size+checksum' });
    expect(again.destinations[0]).toMatchObject({ new: { count: 0 }, changed: { count: 0 }, unchanged: { count: 3 }, extra: { count: 0 } });
  });

  it('allowCloudPull into Azure: the plan says the destination pulls; Azurite cannot (501), so the run relays every object and they all arrive', async () => {
    await s3Put('src', 'pulled/a.bin', 'pull a');
    await s3Put('src', 'pulled/b.bin', 'pull b!');
    const p = await plan({ source: 's3://minio/src/pulled/', destinations: ['az://azurite/adst/pulled/'], compare: 'size+checksum', options: { preserveMetadata: true, allowServerSide: true, allowCloudPull: true } });
    expect(p.destinations[0]?.path).toBe('cloud-pull');
    expect(p.notes.some((n) => n.startsWith('Cloud-side pull: Azure fetches each object'))).toBe(true);
    const done = await run(p.id);
    expect(done.state, done.message).toBe('completed');
    expect(await azObjects('adst', 'pulled/')).toEqual({ 'a.bin': md5('pull a'), 'b.bin': md5('pull b!') });

    const relayed = await plan({ source: 's3://minio/src/pulled/', destinations: ['gs://gcs/gdst/pulled/'], compare: 'size+checksum', options: { preserveMetadata: true, allowServerSide: true, allowCloudPull: true } });
    expect(relayed.destinations[0]?.path).toBe('relay');
    expect(relayed.notes.some((n) => n.startsWith('Cloud-side pull needs an Azure destination'))).toBe(true);
  });
});

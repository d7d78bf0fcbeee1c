import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSummarySchema, type JobSummary } from '../../../shared/contract/jobs.channels';
import { BYTES_PER_GB } from '../../../shared/contract/costs.catalog';
import {
  CostHistorySchema,
  type CostHistory,
  type HistoryJob,
  type RequestCounts,
} from '../../../shared/contract/costs.history';
import { ScanProgressSchema } from '../../../shared/contract/costs.scan';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { call, waitForState } from '../test-support/wait';

/**
 * The cost history through the engine, MinIO -> Azurite: both accounts go through a loopback proxy that writes
 * down every HTTP request, so the request counts the history records are checked against what really went over
 * the wire, and the bytes against what the SDKs list.
 */
const MiB = 2 ** 20;
const MULTIPART = { thresholdBytes: 8 * MiB, partSizeBytes: 4 * MiB, concurrency: 2 };
const SMALL = 17; // at least 16, so the job lists the destination once instead of asking per file
const BIG = 10 * MiB; // 3 blocks of 4 MiB at most
let base: string;
let engine: Engine;
let minio: MinioHandle;
let az: AzuriteHandle;
let s3sdk: S3Client;
let azsdk: BlobServiceClient;
let s3Proxy: FaultProxy;
let azProxy: FaultProxy;
const seen: Record<'s3' | 'azure', Array<{ method: string; url: string }>> = { s3: [], azure: [] };

/** A rule that never fires: it only writes each request down. */
function record(proxy: FaultProxy, into: Array<{ method: string; url: string }>): void {
  proxy.add({ times: 1, fault: { kind: 'status', status: 503 }, match: (method, url) => (into.push({ method, url }), false) });
}

function s3Kind(r: { method: string; url: string }): keyof RequestCounts | 'other' {
  const u = new URL(r.url, 'http://x');
  if (r.method === 'GET' && u.searchParams.has('list-type')) return 'list';
  if (r.method === 'GET') return 'get';
  if (r.method === 'HEAD') return 'head';
  return 'other';
}

function azureKind(r: { method: string; url: string }): keyof RequestCounts | 'other' {
  const comp = new URL(r.url, 'http://x').searchParams.get('comp');
  if (r.method === 'GET' && comp === 'list') return 'list';
  if (r.method === 'HEAD') return 'head';
  if (r.method === 'PUT' && comp === 'block') return 'parts';
  if (r.method === 'PUT' && comp === 'blocklist') return 'multipart';
  if (r.method === 'PUT' && comp === null) return 'put';
  if (r.method === 'GET') return 'get';
  return 'other';
}

function tally(list: Array<{ method: string; url: string }>, kind: (r: { method: string; url: string }) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of list) out[kind(r)] = (out[kind(r)] ?? 0) + 1;
  return out;
}

async function history(on: Engine = engine): Promise<CostHistory> {
  return CostHistorySchema.parse(await call(on, 'costs:history', {}));
}

async function jobSummary(on: Engine, id: string): Promise<JobSummary | undefined> {
  return JobSummarySchema.array().parse(await call(on, 'jobs:list', {})).find((j) => j.id === id);
}

async function waitForJob(on: Engine, id: string, until: (j: JobSummary) => boolean): Promise<JobSummary> {
  for (let i = 0; i < 1200; i++) {
    const j = await jobSummary(on, id);
    if (j && until(j)) return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not get there: ${JSON.stringify(await jobSummary(on, id))}`);
}

const ended = (j: JobSummary): boolean => ['completed', 'failed', 'cancelled'].includes(j.state);

/** The newest history record of a job, once the recorder has written it. */
async function recorded(on: Engine, id: string): Promise<HistoryJob | undefined> {
  for (let i = 0; i < 100; i++) {
    const job = (await history(on)).runs.find((r): r is HistoryJob => r.t === 'job' && r.id === id);
    if (job) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

beforeAll(async () => {
  [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  s3Proxy = await startFaultProxy(minio.endpoint);
  azProxy = await startFaultProxy(new URL(az.endpoint).origin);
  record(s3Proxy, seen.s3);
  record(azProxy, seen.azure);
  s3sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  azsdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-history-engine-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')), providerOptions: { multipart: MULTIPART } });
  await call(engine, 'accounts:save', {
    account: { kind: 's3', name: 'minio', endpoint: s3Proxy.endpoint, region: minio.region, forcePathStyle: true, checksumMode: 'when_required', secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
  });
  await call(engine, 'accounts:save', {
    account: { kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: `${azProxy.endpoint}${new URL(az.endpoint).pathname}`, secrets: { accountKey: az.accountKey } },
  });
  await call(engine, 'buckets:create', { account: 'minio', bucket: 'src' });
  await call(engine, 'buckets:create', { account: 'azurite', bucket: 'dst' });
  for (let i = 0; i < SMALL; i++) await s3sdk.send(new PutObjectCommand({ Bucket: 'src', Key: `d/f${i}.txt`, Body: `small file ${i} `.repeat(50 + i) }));
  await s3sdk.send(new PutObjectCommand({ Bucket: 'src', Key: 'd/big.bin', Body: Buffer.alloc(BIG, 7) }));
}, 600_000);

afterAll(async () => {
  await engine?.close();
  s3sdk?.destroy();
  await Promise.all([s3Proxy?.close(), azProxy?.close()]);
  await Promise.all([minio?.stop(), az?.stop()]);
  if (base) await rm(base, { recursive: true, force: true });
});

describe('cost history (MinIO -> Azurite, through the engine)', () => {
  it('starts empty', async () => {
    expect(await history()).toEqual({ scans: [], runs: [] });
  });

  it('records a finished scan with the objects and bytes the S3 SDK lists, and its monthly cost by class', async () => {
    const listed = await s3sdk.send(new ListObjectsV2Command({ Bucket: 'src' }));
    const bytes = (listed.Contents ?? []).reduce((n, o) => n + (o.Size ?? 0), 0);
    const done = new Promise<void>((resolve) => {
      const off = engine.subscribe((event, payload) => {
        if (event === 'costs:scanProgress' && ScanProgressSchema.parse(payload).state !== 'running') {
          off();
          resolve();
        }
      });
    });
    await call(engine, 'costs:scan', { uri: 's3://minio/src/' });
    await done;
    const [scan, ...more] = (await history()).scans;
    expect(more).toEqual([]);
    expect(scan?.uri).toBe('s3://minio/src/');
    expect(scan?.objects).toBe(listed.KeyCount);
    expect(scan?.bytes).toBe(bytes);
    expect(Object.keys(scan?.byClass ?? {})).toEqual(['STANDARD']);
    // MinIO's account is priced as S3 us-east-1: Standard at $0.023 per GB-month.
    expect(scan?.monthlyUsdByClass['STANDARD']).toBeCloseTo((bytes / BYTES_PER_GB) * 0.023, 12);
  });

  it('records a finished copy job: bytes the Azure SDK finds, and request counts equal to the requests on the wire', async () => {
    seen.s3.length = 0;
    seen.azure.length = 0;
    const { id } = (await call(engine, 'jobs:start', { kind: 'copy', sources: ['s3://minio/src/d/'], destination: 'az://azurite/dst/out/' })) as { id: string };
    let state = '';
    for (let i = 0; i < 600 && !['completed', 'failed', 'cancelled'].includes(state); i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = JobSummarySchema.array().parse(await call(engine, 'jobs:list', {})).find((j) => j.id === id)?.state ?? '';
    }
    expect(state).toBe('completed');
    let blobBytes = 0;
    let blobs = 0;
    for await (const b of azsdk.getContainerClient('dst').listBlobsFlat({ prefix: 'out/' })) {
      blobs++;
      blobBytes += b.properties.contentLength ?? 0;
    }
    expect(blobs).toBe(SMALL + 1);

    const job = (await history()).runs.find((r): r is HistoryJob => r.t === 'job' && r.id === id);
    expect(job).toBeDefined();
    if (!job) return;
    expect(job.state).toBe('completed');
    expect(job.filesMoved).toBe(SMALL + 1);
    expect(job.bytesMoved).toBe(blobBytes);
    expect(job.bytesByPath).toEqual({ relay: blobBytes });
    expect(job.from).toEqual({ provider: 'aws-s3', region: 'us-east-1' });
    expect(job.to).toEqual({ provider: 'azure-blob', region: 'eastus' });

    // What the wire saw, request by request.
    const s3 = tally(seen.s3, s3Kind);
    const azure = tally(seen.azure, azureKind);
    expect(azure['put']).toBe(SMALL); // one Put Blob per small file
    expect(azure['multipart']).toBe(1); // one Put Block List for the big one
    expect(azure['parts']).toBe(Math.ceil(BIG / MULTIPART.partSizeBytes)); // its blocks: 3
    const { source, destination, sameAccount } = job.requests;
    expect(sameAccount).toBe(false);
    expect(source).toEqual({ list: s3['list'] ?? 0, head: s3['head'] ?? 0, get: s3['get'] ?? 0, put: 0, multipart: 0, parts: 0, copy: 0, delete: 0 });
    expect(destination).toEqual({ list: azure['list'] ?? 0, head: azure['head'] ?? 0, get: azure['get'] ?? 0, put: SMALL, multipart: 1, parts: 3, copy: 0, delete: 0 });
    expect(source.get).toBe(SMALL + 1);

    // Actual cost, by hand: egress well inside the free 100 GB; S3 Standard LIST $0.005 and GET $0.0004 per 1,000;
    // Azure Hot LIST $0.005 and writes $0.005 per 1,000 (17 Put Blob + 1 Put Block List + 3 Put Block).
    const expected = (source.list * 0.005 + source.get * 0.0004 + destination.list * 0.005 + destination.head * 0.0004 + (SMALL + 1 + 3) * 0.005) / 1000;
    expect(job.actual?.totalUsd).toBeCloseTo(expected, 12);
    // The estimate for the same files, split into parts as the job did: one LIST of each side, one GET per file and
    // the same 21 writes: the requests the job really made, so estimate and actual agree here.
    expect(job.estimate?.totalUsd).toBeCloseTo((0.005 + (SMALL + 1) * 0.0004 + 0.005 + (SMALL + 1 + 3) * 0.005) / 1000, 12);
    expect(job.estimate?.totalUsd).toBeCloseTo(job.actual?.totalUsd ?? NaN, 12);
  });

  it('records a migration run with its plan estimate against the actual bytes and requests of its copy job', async () => {
    await s3sdk.send(new PutObjectCommand({ Bucket: 'src', Key: 'd/new.txt', Body: 'one more' }));
    const { id } = (await call(engine, 'plans:create', { source: 's3://minio/src/d/', destinations: ['az://azurite/dst/out/d/'], compare: 'size' })) as { id: string };
    const planned = await waitForState(engine, id, ['planned', 'failed']);
    expect(planned.state).toBe('planned');
    await call(engine, 'plans:run', { id });
    const done = await waitForState(engine, id, ['completed', 'completed-with-differences', 'failed']);
    expect(done.report?.copied).toBe(1);
    let h = await history();
    for (let i = 0; i < 100 && !h.runs.some((r) => r.t === 'migration'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      h = await history();
    }
    const m = h.runs.find((r) => r.t === 'migration');
    expect(m?.t === 'migration' && m).toMatchObject({ id, bytesEstimated: 8, bytesMoved: 8, estimateUsd: done.report?.costEstimateUsd });
    if (m?.t !== 'migration') return;
    expect(m.jobIds).toHaveLength(1);
    expect(m.requests.put).toBe(1);
    expect(m.requests.get).toBe(1);
    expect(m.actualUsd).toBeGreaterThan(0);
    // The migration's own copy job is shown inside it, not as a run of its own.
    expect(h.runs.filter((r) => r.t === 'job' && m.jobIds.includes(r.id))).toEqual([]);
  });
  it('records a mirror deletion: the migration counts the objects its delete job removed', async () => {
    await azsdk.getContainerClient('dst').getBlockBlobClient('out/d/extra.txt').upload('not in the source', 17);
    const { id } = (await call(engine, 'plans:create', {
      source: 's3://minio/src/d/',
      destinations: ['az://azurite/dst/out/d/'],
      mode: 'mirror',
      compare: 'size',
      deletions: { enabled: true, maxCount: 5 },
    })) as { id: string };
    expect((await waitForState(engine, id, ['planned', 'failed'])).state).toBe('planned');
    seen.azure.length = 0;
    await call(engine, 'plans:run', { id });
    const done = await waitForState(engine, id, ['completed', 'completed-with-differences', 'failed']);
    expect(done.state).toBe('completed');
    expect(await azsdk.getContainerClient('dst').getBlobClient('out/d/extra.txt').exists()).toBe(false);
    let m = (await history()).runs.find((r) => r.t === 'migration' && r.id === id);
    for (let i = 0; i < 100 && !m; i++) {
      await new Promise((r) => setTimeout(r, 50));
      m = (await history()).runs.find((r) => r.t === 'migration' && r.id === id);
    }
    if (m?.t !== 'migration') throw new Error('the mirror run is not in the history');
    // Nothing new to copy: its one job is the delete job, which removed the one extra blob.
    expect(m.jobIds).toHaveLength(1);
    expect(m.requests.delete).toBe(1);
    // The delete is checked first against the version the plan listed: one HEAD, then the conditional delete.
    expect(m.requests.head).toBe(1);
    expect(m.bytesMoved).toBe(0);
    // Deletes are free and the delete job listed nothing (the plan did): its actual cost is that one read, priced.
    expect(m.actualUsd).toBeGreaterThan(0);
    expect(m.actualUsd).toBeLessThan(1e-6);
  });

  it('records a delete job with the requests it made, priced where it deleted (LIST billed, DELETE free)', async () => {
    let blobs = 0;
    let bytes = 0;
    for await (const b of azsdk.getContainerClient('dst').listBlobsFlat({ prefix: 'out/' })) {
      blobs++;
      bytes += b.properties.contentLength ?? 0;
    }
    expect(blobs).toBeGreaterThan(SMALL);
    seen.azure.length = 0;
    const { id } = (await call(engine, 'jobs:start', { kind: 'delete', sources: ['az://azurite/dst/out/'] })) as { id: string };
    expect((await waitForJob(engine, id, ended)).state).toBe('completed');
    const left = await azsdk.getContainerClient('dst').listBlobsFlat({ prefix: 'out/' }).next();
    expect(left.done).toBe(true);

    const job = await recorded(engine, id);
    expect(job).toMatchObject({ kind: 'delete', state: 'completed', source: 'az://azurite/dst/out/', from: { provider: 'azure-blob', region: 'eastus' }, filesPlanned: blobs, bytesMoved: 0, deleted: { files: blobs, bytes } });
    if (!job) return;
    const wire = tally(seen.azure, azureKind);
    expect(wire['list']).toBeGreaterThan(0);
    expect(job.requests.source).toEqual({ list: wire['list'] ?? 0, head: wire['head'] ?? 0, get: 0, put: 0, multipart: 0, parts: 0, copy: 0, delete: blobs });
    expect(job.requests.sameAccount).toBe(true);
    // Azure Hot: LIST $0.005 and reads $0.0004 per 1,000; Delete Blob is free.
    expect(job.actual?.totalUsd).toBeCloseTo((job.requests.source.list * 0.005 + job.requests.source.head * 0.0004) / 1000, 12);
    expect(job.actual?.totalUsd).toBeGreaterThan(0);
    expect(job.actual?.notes.join(' ')).toContain('Deletes are not billed');
    expect(job.estimate).toBeNull();
  });
});

describe('cost history of a job resumed after a restart (MinIO -> Azurite, two engines on one data folder)', () => {
  it('records the requests of both runs, not only those after the restart', async () => {
    const FILES = 20;
    const STALLED = `r/f${FILES - 1}.txt`;
    await s3sdk.send(new CreateBucketCommand({ Bucket: 'rsrc' }));
    await azsdk.getContainerClient('rdst').create();
    for (let i = 0; i < FILES; i++) await s3sdk.send(new PutObjectCommand({ Bucket: 'rsrc', Key: `r/f${i}.txt`, Body: `resumed file ${i} `.repeat(40) }));
    const dataDir = path.join(base, 'restart-data');
    const cipher = await createFileKeyCipher(path.join(base, 'keys', 'restart'));
    const first = await createEngine({ dataDir, cipher, providerOptions: { multipart: MULTIPART } });
    await call(first, 'accounts:save', {
      account: { kind: 's3', name: 'minio', endpoint: s3Proxy.endpoint, region: minio.region, forcePathStyle: true, checksumMode: 'when_required', secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
    });
    await call(first, 'accounts:save', {
      account: { kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: `${azProxy.endpoint}${new URL(az.endpoint).pathname}`, secrets: { accountKey: az.accountKey } },
    });
    // One source read goes silent after a few bytes, so the first run cannot finish: it is stopped there.
    s3Proxy.add({ times: 1, fault: { kind: 'stall-response', afterBytes: 8 }, match: (method, url) => method === 'GET' && url.startsWith(`/rsrc/${STALLED}`) });
    seen.s3.length = 0;
    seen.azure.length = 0;
    const { id } = (await call(first, 'jobs:start', { kind: 'copy', sources: ['s3://minio/rsrc/r/'], destination: 'az://azurite/rdst/in/' })) as { id: string };
    const stopped = await waitForJob(first, id, (j) => j.filesDone === FILES - 1 || ended(j));
    expect(stopped.state).toBe('running');
    await first.close();
    const before = { s3: tally(seen.s3, s3Kind), azure: tally(seen.azure, azureKind) };
    expect(s3Proxy.fired['stall-response']).toBe(1);
    seen.s3.length = 0;
    seen.azure.length = 0;

    // The app starts again on the same data folder: the job comes back from its journal and finishes.
    const second = await createEngine({ dataDir, cipher, providerOptions: { multipart: MULTIPART } });
    try {
      expect((await waitForJob(second, id, ended)).state).toBe('completed');
      const after = { s3: tally(seen.s3, s3Kind), azure: tally(seen.azure, azureKind) };
      const job = await recorded(second, id);
      expect(job?.filesMoved).toBe(FILES);
      if (!job) return;
      const both = (side: 's3' | 'azure', kind: string): number => (before[side][kind] ?? 0) + (after[side][kind] ?? 0);
      // The first run read every file (the stalled one too) and wrote all but one; the second only the last one.
      expect(before.s3['get']).toBe(FILES);
      expect(before.azure['put']).toBe(FILES - 1);
      expect(after.s3['get']).toBe(1);
      expect(after.azure['put']).toBe(1);
      const { source, destination } = job.requests;
      // A call counts when it is made: one cut short by the stop may never have reached the wire, hence "at least".
      for (const kind of ['list', 'head', 'get'] as const) expect(source[kind], `source ${kind}`).toBeGreaterThanOrEqual(both('s3', kind));
      for (const kind of ['list', 'head', 'put'] as const) expect(destination[kind], `destination ${kind}`).toBeGreaterThanOrEqual(both('azure', kind));
      expect(source.get).toBeLessThanOrEqual(both('s3', 'get') + 1);
      expect(destination.put).toBeLessThanOrEqual(both('azure', 'put') + 1);
      expect(job.actual?.totalUsd).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGcs, startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import { createGcsProvider } from '../providers/gcs/gcs.provider';
import { createLocalProvider } from '../providers/local/local.provider';
import type { MultipartSettings, Provider } from '../providers/provider';
import { partsOut } from '../providers/part-pool';
import { createS3Provider } from '../providers/s3/s3.provider';
import { md5OfPattern, patternStream } from '../test-support/conformance/data';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { resolverFor } from '../test-support/resolver';
import { JobManager } from './job-manager';

/**
 * MinIO behind the fault proxy, a local folder as the destination: the number of small files in flight follows
 * the link (more with added latency, fewer under throttling), and a large object is read in parallel ranges.
 * Only directions and counts are asserted, never times.
 */
const MiB = 1024 * 1024;
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 4 };
const SMALL = 160;
/** Files of the throttled case: fewer, since it ends with about one file in flight. */
const THROTTLED = 80;
/** The admission's starting number of small files in flight (admission.ts). */
const INITIAL_SMALL = 16;
const BIG = 23 * MiB;

let minio: MinioHandle;
let proxy: FaultProxy;
let s3: Provider;
let local: Provider;
let dir: string;
let run = 0;
let bigMd5: string;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

const smallGet = (method: string, url: string): boolean => method === 'GET' && (url.startsWith('/src/small/') || url.startsWith('/src/throttled/')) && !url.includes('list-type');
const bigGet = (method: string, url: string): boolean => method === 'GET' && url.startsWith('/src/big/') && !url.includes('list-type') && !url.includes('attributes');

beforeAll(async () => {
  minio = await startMinio();
  proxy = await startFaultProxy(minio.endpoint);
  const creds = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
  s3 = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, creds, { multipart: MULTIPART });
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-adaptive-'));
  local = createLocalProvider({ kind: 'local', name: 'disk', root: dir });
  await s3.createBucket('src');
  await local.createBucket('dst');
  for (let from = 0; from < SMALL; from += 20) {
    await Promise.all(Array.from({ length: Math.min(20, SMALL - from) }, (_, n) => s3.put('src', `small/f${String(from + n).padStart(4, '0')}.bin`, patternStream(1024, from + n), { size: 1024 })));
  }
  for (let from = 0; from < THROTTLED; from += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, n) => s3.put('src', `throttled/f${String(from + n).padStart(4, '0')}.bin`, patternStream(1024, from + n), { size: 1024 })));
  }
  await s3.put('src', 'big/big.bin', patternStream(BIG, 99), { size: BIG });
  bigMd5 = await md5OfPattern(BIG, 99);
}, 600_000);

afterAll(async () => {
  await Promise.all([s3?.close?.(), local?.close?.()]);
  await proxy?.close();
  await minio?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  run++;
  proxy.reset();
});

/** The MD5 of an object as the destination gives it back. */
async function storedMd5(p: Provider, bucket: string, key: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of await p.open(bucket, key)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function copy(source: string): Promise<ReturnType<ReturnType<JobManager['get']>['detail']>> {
  const m = new JobManager({ resolve: resolverFor({ minio: s3, disk: local }), multipart: MULTIPART, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } });
  const { id } = m.start({ kind: 'copy', sources: [source], destination: `file://disk/dst/run${run}/` });
  await m.waitForIdle();
  const detail = m.get(id).detail();
  await m.close();
  return detail;
}

describe('small files in flight adapt to the link (MinIO behind the fault proxy -> local folder)', () => {
  it('with latency added to every read, more small files go in flight than at the start', async () => {
    proxy.add({ match: smallGet, times: 10_000, fault: { kind: 'latency', ms: 60 } });
    const d = await copy('s3://minio/src/small/');
    expect(d.state).toBe('completed');
    expect(d.files.every((f) => f.state === 'done')).toBe(true);
    const gets = proxy.requests.filter((r) => smallGet(r.method, r.url));
    expect(gets).toHaveLength(SMALL);
    // Every request at the proxy while the files flow is a small file's GET: above the starting limit means it grew.
    expect(proxy.peakInFlight()).toBeGreaterThan(INITIAL_SMALL);
  });

  it('under throttling (503 SlowDown on a third of the reads), fewer small files go in flight than at the start', async () => {
    let n = 0;
    proxy.add({ match: (m, u) => smallGet(m, u) && n++ % 3 === 0, times: 10_000, fault: { kind: 'status', status: 503 } });
    // Latency as in the case above, so that without the throttling the limit would grow.
    proxy.add({ match: smallGet, times: 10_000, fault: { kind: 'latency', ms: 60 } });
    const d = await copy('s3://minio/src/throttled/');
    expect(d.state).toBe('completed');
    expect(d.files.every((f) => f.state === 'done')).toBe(true);
    expect(proxy.fired.status ?? 0).toBeGreaterThan(10);
    // The last reads went out with fewer in flight than the first ones were allowed.
    const late = proxy.requests.filter((r) => smallGet(r.method, r.url)).slice(-30);
    expect(Math.max(...late.map((r) => r.inFlight))).toBeLessThan(INITIAL_SMALL);
  });
});

describe('a large object is read in parallel ranges', () => {
  it('ranged GETs of the version read first, in order; the copy verifies', async () => {
    const d = await copy('s3://minio/src/big/');
    expect(d.state).toBe('completed');
    expect(d.files[0]?.checksum).not.toBe('none');
    const gets = proxy.requests.filter((r) => bigGet(r.method, r.url));
    // One whole-object GET, then a ranged GET per 5 MiB part after the first.
    expect(gets.filter((r) => r.range === undefined)).toHaveLength(1);
    expect(gets.filter((r) => r.range !== undefined)).toHaveLength(Math.ceil(BIG / MULTIPART.partSizeBytes) - 1);
    expect(md5(await readFile(path.join(dir, 'dst', `run${run}`, 'big', 'big.bin')))).toBe(bigMd5);
  });

  it('relayed to another account, its ranges become the upload\'s parts and every one goes back to the part pool', async () => {
    // The same MinIO as a second account (not through the proxy), so the bytes are relayed, not copied server-side.
    const other = createS3Provider({ kind: 's3', name: 'other', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
    const bucket = `relay${run}`;
    await other.createBucket(bucket);
    const out = partsOut();
    const m = new JobManager({ resolve: resolverFor({ minio: s3, other }), multipart: MULTIPART, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } });
    const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/big/'], destination: `s3://other/${bucket}/` });
    await m.waitForIdle();
    const d = m.get(id).detail();
    await m.close();
    expect(d.state).toBe('completed');
    expect(d.files[0]?.path).toBe('relay');
    expect(proxy.requests.filter((r) => bigGet(r.method, r.url) && r.range !== undefined)).toHaveLength(Math.ceil(BIG / MULTIPART.partSizeBytes) - 1);
    // A range copied on its way (a stage of the relay's pipeline that copied its views) would never come back.
    expect(partsOut()).toBe(out);
    expect(await storedMd5(other, bucket, 'big/big.bin')).toBe(bigMd5);
    await other.close?.();
  });

  it('relayed to GCS, its ranges are sent as the composite upload\'s parts and every one goes back to the part pool', async () => {
    const fake = await startFakeGcs({ backend: 'memory' });
    const gcs = createGcsProvider({ kind: 'gcs', name: 'fake', projectId: fake.projectId, endpoint: fake.endpoint, bucket: undefined }, {}, { multipart: MULTIPART });
    try {
      await gcs.createBucket('dst');
      const out = partsOut();
      const m = new JobManager({ resolve: resolverFor({ minio: s3, fake: gcs }), multipart: MULTIPART, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } });
      const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/big/'], destination: 'gs://fake/dst/' });
      await m.waitForIdle();
      const d = m.get(id).detail();
      await m.close();
      expect(d.state).toBe('completed');
      expect(proxy.requests.filter((r) => bigGet(r.method, r.url) && r.range !== undefined)).toHaveLength(Math.ceil(BIG / MULTIPART.partSizeBytes) - 1);
      // Each range's buffer was taken from the pool; one not given back would stay counted out.
      expect(partsOut()).toBe(out);
      expect(await storedMd5(gcs, 'dst', 'big/big.bin')).toBe(bigMd5);
    } finally {
      await gcs.close?.();
      await fake.stop();
    }
  });

  it('relayed to a destination slower than the source, the parts held never pass the file\'s window', async () => {
    // Every part's upload answers 300 ms late, so the reads finish first and parts wait for the upload: the
    // memory held is then what the window allows, not what the reads could fill.
    const slow = await startFaultProxy(minio.endpoint);
    slow.add({ match: (m, u) => m === 'PUT' && u.includes('partNumber='), times: 1_000, fault: { kind: 'latency', ms: 300 } });
    const other = createS3Provider({ kind: 's3', name: 'other', region: minio.region, endpoint: slow.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
    const bucket = `window${run}`;
    try {
      await other.createBucket(bucket);
      const before = partsOut();
      let peak = 0;
      const sample = setInterval(() => {
        peak = Math.max(peak, partsOut() - before);
      }, 2);
      // 20 MiB for large files' parts: one file reads 2 ranges and uploads 2 parts at once (Admission.rangedWindow).
      const m = new JobManager({ resolve: resolverFor({ minio: s3, other }), multipart: MULTIPART, largeBufferBytes: 20 * MiB, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } });
      const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/big/'], destination: `s3://other/${bucket}/` });
      await m.waitForIdle();
      clearInterval(sample);
      const d = m.get(id).detail();
      await m.close();
      expect(d.state).toBe('completed');
      expect(slow.fired.latency).toBe(Math.ceil(BIG / MULTIPART.partSizeBytes));
      expect(peak).toBeGreaterThanOrEqual(3);
      expect(peak).toBeLessThanOrEqual(4);
      expect(await storedMd5(other, bucket, 'big/big.bin')).toBe(bigMd5);
    } finally {
      await other.close?.();
      await slow.close();
    }
  });

  it('a ranged GET cut mid-body fails the attempt, and the retry still verifies', async () => {
    proxy.add({ match: (m, u, h) => bigGet(m, u) && h.range !== undefined, times: 1, fault: { kind: 'drop-response', afterBytes: 1 * MiB } });
    const d = await copy('s3://minio/src/big/');
    expect(d.state).toBe('completed');
    expect(proxy.fired['drop-response']).toBe(1);
    expect(d.files[0]?.attempts).toBe(2);
    expect(md5(await readFile(path.join(dir, 'dst', `run${run}`, 'big', 'big.bin')))).toBe(bigMd5);
  });
});
